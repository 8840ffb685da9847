/* h_export.c: "download my data" (GET /api/me/export, /settings/export): a
 * ZIP (store-only, zip.c) holding JSON of the profile, the chats and every
 * message of those chats the user can see:
 *   profile.json          {exported_at, user: me, sessions, blocked}
 *   chats.json            {chats: [{id, kind, title, peer, role, ...}]}
 *   messages/CHAT.json    {chat, messages: [...]} oldest first
 * Files join it when the files feature lands (files/...). */
#include <string.h>
#include <time.h>

#include "db.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "model.h"
#include "settings.h"
#include "view.h"
#include "zip.h"

#define EXPORT_PAGE 2000

static int add_json(struct zip *z, const char *name, struct json_object *o)
{
	size_t len;
	const char *s = json_object_to_json_string_length(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE,
		&len);
	return zip_add(z, name, s, len);
}

static struct json_object *peer_json(const PGresult *res, int i, int col)
{
	if (PQgetisnull(res, i, col))
		return NULL;
	return user_public_json(db_int(res, i, col), db_text(res, i, col + 1),
				db_text(res, i, col + 2));
}

static struct json_object *export_message(const PGresult *res, int i)
{
	struct json_object *m = json_object_new_object();
	jset_int(m, "id", db_int(res, i, 0));
	jset_int(m, "seq", db_int(res, i, 1));
	jset(m, "sender", peer_json(res, i, 8));
	jset_str(m, "kind", db_text(res, i, 2));
	jset_str(m, "text", db_text(res, i, 3));
	jset_str(m, "created_at", db_text(res, i, 4));
	jset_str(m, "edited_at", db_text(res, i, 5));
	jset_bool(m, "deleted", db_bool(res, i, 6));
	if (PQgetisnull(res, i, 7))
		jset(m, "reply_to", NULL);
	else
		jset_int(m, "reply_to", db_int(res, i, 7));
	return m;
}

/* One chat's messages into messages/ID.json. 0, or -1 after answering. */
static int export_chat_messages(struct req *r, struct zip *z, long long chat)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *list = json_object_new_array();
	jset_int(doc, "chat", chat);
	jset(doc, "messages", list);
	long long after = 0;
	int rc = 0;
	for (;;) {
		const char *params[] = {id_text(r, r->me->id), id_text(r, chat), id_text(r, after),
					id_text(r, EXPORT_PAGE)};
		PGresult *res;
		enum db_status st = db_run(r, STMT_EXPORT_MESSAGES, params, 4, &res);
		if (st != DB_OK) {
			view_db_error(r, st);
			rc = -1;
			break;
		}
		int n = PQntuples(res);
		for (int i = 0; i < n; i++)
			json_object_array_add(list, export_message(res, i));
		if (n < EXPORT_PAGE)
			break;
		after = db_int(res, n - 1, 1);
	}
	if (rc == 0 && add_json(z, arena_printf(&r->arena, "messages/%lld.json", chat), doc) != 0) {
		view_error(r, 413, "err.export.too_large", NULL);
		rc = -1;
	}
	json_object_put(doc);
	return rc;
}

/* chats.json and every chat's messages. 0, or -1 after answering. */
static int export_chats(struct req *r, struct zip *z)
{
	const char *params[] = {id_text(r, r->me->id)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_EXPORT_CHATS, params, 1, &res);
	if (st != DB_OK) {
		view_db_error(r, st);
		return -1;
	}
	struct json_object *doc = json_object_new_object();
	struct json_object *list = json_object_new_array();
	jset(doc, "chats", list);
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *c = json_object_new_object();
		jset_int(c, "id", db_int(res, i, 0));
		jset_str(c, "kind", db_text(res, i, 1));
		jset_str(c, "title", db_text(res, i, 2));
		jset(c, "peer", peer_json(res, i, 8));
		jset_str(c, "role", db_text(res, i, 3));
		jset_str(c, "joined_at", db_text(res, i, 4));
		jset_str(c, "created_at", db_text(res, i, 5));
		jset_int(c, "last_seq", db_int(res, i, 6));
		jset_int(c, "last_read_seq", db_int(res, i, 7));
		jset_str(c, "messages", arena_printf(&r->arena, "messages/%lld.json", db_int(res, i, 0)));
		json_object_array_add(list, c);
	}
	int rc = add_json(z, "chats.json", doc) == 0 ? 0 : -1;
	json_object_put(doc);
	if (rc != 0) {
		view_error(r, 413, "err.export.too_large", NULL);
		return -1;
	}
	for (int i = 0; i < PQntuples(res); i++)
		if (export_chat_messages(r, z, db_int(res, i, 0)) != 0)
			return -1;
	return 0;
}

/* profile.json. 0, or -1 after answering. */
static int export_profile(struct req *r, struct zip *z, const char *stamp)
{
	struct json_object *sessions = sessions_load(r);
	if (sessions == NULL)
		return -1;
	struct json_object *blocked = blocks_load(r);
	if (blocked == NULL) {
		json_object_put(sessions);
		return -1;
	}
	struct json_object *doc = json_object_new_object();
	jset_str(doc, "exported_at", stamp);
	jset(doc, "user", user_me_json(r->me));
	jset(doc, "sessions", sessions);
	jset(doc, "blocked", blocked);
	int rc = add_json(z, "profile.json", doc);
	json_object_put(doc);
	if (rc != 0)
		view_error(r, 413, "err.export.too_large", NULL);
	return rc;
}

void h_export(struct req *r)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32] = "", day[16] = "";
	if (gmtime_r(&now, &tm)) {
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	}
	struct buf *out = arena_alloc(&r->arena, sizeof(*out));
	arena_defer(&r->arena, buf_free_cb, out);
	struct zip z;
	zip_init(&z, out, now);
	if (export_profile(r, &z, stamp) != 0 || export_chats(r, &z) != 0) {
		zip_finish(&z);
		return;
	}
	/* MERGE: the files feature adds the user's files here (files/...). */
	if (zip_finish(&z) != 0) {
		view_error(r, 413, "err.export.too_large", NULL);
		return;
	}
	r->status = 200;
	resp_header(r, "Content-Type", "application/zip");
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "Content-Disposition",
		    arena_printf(&r->arena, "attachment; filename=\"messly-%s-%s.zip\"",
				 r->me->nickname, day));
	buf_free(&r->body); /* hand the archive over without a copy */
	r->body = *out;
	buf_init(out);
}
