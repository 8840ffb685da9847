/* h_blocks.c: blocking and unblocking people (POST/DELETE
 * /api/users/NICKNAME/block, the forms on profiles and direct chats), the
 * list of blocked people (GET /api/me/blocks, /settings/blocked), and the
 * block state of a direct chat (blocks.h). */
#include <string.h>

#include "blocks.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "model.h"
#include "router.h"
#include "settings.h"
#include "view.h"

struct json_object *blocks_chat_state(const PGresult *res)
{
	if (res == NULL || PQntuples(res) != 1 || db_bool(res, 0, 3))
		return NULL;
	struct json_object *o = json_object_new_object();
	jset_int(o, "peer", db_int(res, 0, 0));
	jset_bool(o, "by_me", db_bool(res, 0, 1));
	jset_bool(o, "by_peer", db_bool(res, 0, 2));
	return o;
}

const char *blocks_send_refusal(struct req *r, long long chat_id)
{
	const char *params[] = {id_text(r, r->me->id), id_text(r, chat_id)};
	PGresult *res;
	if (db_run(r, STMT_BLOCK_STATE, params, 2, &res) != DB_OK || PQntuples(res) != 1)
		return NULL;
	if (db_bool(res, 0, 1))
		return "err.blocked.by_me";
	if (db_bool(res, 0, 2))
		return "err.blocked.by_peer";
	return NULL;
}

/* Block (stmt STMT_BLOCK) or unblock (STMT_UNBLOCK) the user named by path
 * segment 1. */
static void block_action(struct req *r, enum stmt s)
{
	const char *nick = nickname_normalize(&r->arena, route_segment(r, 1));
	if (nick == NULL || valid_nickname(nick, strlen(nick)) != NULL) {
		view_error(r, 404, "err.user.not_found", NULL);
		return;
	}
	const char *params[] = {id_text(r, r->me->id), nick};
	PGresult *res;
	if (!view_run(r, s, params, 2, &res))
		return;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		view_error(r, 404, "err.user.not_found", NULL);
		return;
	}
	if (db_int(res, 0, 0) == r->me->id) {
		view_error(r, 422, "err.block.self", NULL);
		return;
	}
	view_done(r, settings_back(r, arena_printf(&r->arena, "/u/%s", nick)));
}

void h_block(struct req *r) { block_action(r, STMT_BLOCK); }

void h_unblock(struct req *r) { block_action(r, STMT_UNBLOCK); }

struct json_object *blocks_load(struct req *r)
{
	const char *params[] = {id_text(r, r->me->id)};
	PGresult *res;
	if (!view_run(r, STMT_BLOCKS_LIST, params, 1, &res))
		return NULL;
	struct json_object *list = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *u = user_public_json(db_int(res, i, 0), db_text(res, i, 1),
							 db_text(res, i, 2));
		jset_str(u, "blocked_at", db_text(res, i, 3));
		json_object_array_add(list, u);
	}
	return list;
}

void h_blocks_list(struct req *r)
{
	struct json_object *list = blocks_load(r);
	if (list == NULL)
		return;
	struct json_object *m = view_object(r);
	jset(m, "users", list);
	settings_render(r, 200, "blocked", m);
}
