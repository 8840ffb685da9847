/* h_readstate.c: read receipts (who has read a message), typing signals,
 * per-chat notification levels and the privacy settings (read receipts,
 * presence), plus the read-state decorations of the chat page (see
 * readstate.h). */
#include "readstate.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "http.h"
#include "handlers.h"
#include "model.h"
#include "presence.h"
#include "publish.h"
#include "template.h"
#include "view.h"

#define FANOUT_MAX 1024

static const char *num(struct req *r, long long v) { return arena_printf(&r->arena, "%lld", v); }

/* "1,2,3" -> ids; returns how many. */
static size_t parse_ids(const char *list, int64_t *ids, size_t max)
{
	size_t n = 0;
	for (const char *p = list; p && *p && n < max;) {
		char *end;
		ids[n++] = strtoll(p, &end, 10);
		if (*end != ',')
			break;
		p = end + 1;
	}
	return n;
}

static void publish_obj(struct req *r, const int64_t *ids, size_t n, struct json_object *ev)
{
	size_t len;
	const char *json = json_object_to_json_string_length(ev, JSON_C_TO_STRING_PLAIN, &len);
	publish_to_users(r->w, ids, n, json, len);
	json_object_put(ev);
}

bool readstate_mark(struct req *r, long long chat, long long seq, bool *found)
{
	const char *params[] = {num(r, r->me->id), num(r, chat), num(r, seq)};
	PGresult *res;
	if (!view_run(r, STMT_READ, params, 3, &res))
		return false;
	*found = PQntuples(res) == 1;
	if (!*found || PQgetisnull(res, 0, 0))
		return true; /* not a member, or the position did not move */
	long long at = db_int(res, 0, 0);
	struct json_object *ev = json_object_new_object();
	jset_str(ev, "type", "read");
	jset_int(ev, "chat", chat);
	jset_int(ev, "seq", at);
	jset_int(ev, "unread", db_int(res, 0, 1));
	int64_t self = r->me->id;
	publish_obj(r, &self, 1, ev);
	if (!db_bool(res, 0, 2))
		return true; /* the reader sends no receipts */
	int64_t ids[FANOUT_MAX];
	size_t n = parse_ids(db_text(res, 0, 3), ids, FANOUT_MAX);
	if (n == 0)
		return true;
	ev = json_object_new_object();
	jset_str(ev, "type", "receipt");
	jset_int(ev, "chat", chat);
	jset_int(ev, "user", r->me->id);
	jset_int(ev, "seq", at);
	publish_obj(r, ids, n, ev);
	return true;
}

void readstate_sent(struct req *r, long long chat, long long seq, const char *audience)
{
	int64_t ids[FANOUT_MAX];
	size_t n = parse_ids(audience, ids, FANOUT_MAX);
	if (n == 0)
		return;
	struct json_object *ev = json_object_new_object();
	jset_str(ev, "type", "receipt");
	jset_int(ev, "chat", chat);
	jset_int(ev, "user", r->me->id);
	jset_int(ev, "seq", seq);
	publish_obj(r, ids, n, ev);
}

static long long jint(struct json_object *o, const char *key)
{
	struct json_object *v;
	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;
	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* Receipts on the viewer's own messages from the other members' read
 * positions (STMT_RECEIPTS); "reads" ("user:seq,...") for the script. */
static void add_receipts(struct json_object *m, struct json_object *chat,
			 struct json_object *messages, const PGresult *res)
{
	int rows = PQntuples(res);
	if (rows == 0 || !db_bool(res, 0, 0))
		return; /* the viewer sends (and so sees) no receipts */
	jset_bool(m, "receipts", true);
	struct buf reads = BUF_INIT;
	for (int i = 0; i < rows; i++)
		if (!PQgetisnull(res, i, 1))
			buf_printf(&reads, "%s%lld:%lld", reads.len ? "," : "", db_int(res, i, 1),
				   db_int(res, i, 2));
	jset_str(m, "reads", reads.data ? reads.data : "");
	buf_free(&reads);
	bool group = strcmp(jstr(chat, "kind") ? jstr(chat, "kind") : "", "direct") != 0;
	size_t n = json_object_array_length(messages);
	for (size_t k = 0; k < n; k++) {
		struct json_object *msg = json_object_array_get_idx(messages, k), *own;
		if (!json_object_object_get_ex(msg, "own", &own) || !json_object_get_boolean(own))
			continue;
		long long seq = jint(msg, "seq"), seen = 0;
		for (int i = 0; i < rows; i++)
			seen += !PQgetisnull(res, i, 1) && db_int(res, i, 2) >= seq;
		struct json_object *rc = json_object_new_object();
		jset_bool(rc, "read", seen > 0);
		jset_bool(rc, "group", group && seen > 0);
		jset_int(rc, "seen", seen);
		jset(msg, "receipt", rc);
	}
}

void readstate_decorate_page(struct req *r, struct json_object *model, struct json_object *chat,
			     struct json_object *messages, long long read_seq,
			     const PGresult *presence, const PGresult *receipts)
{
	size_t n = json_object_array_length(messages);
	for (size_t k = 0; k < n; k++) {
		struct json_object *msg = json_object_array_get_idx(messages, k), *own;
		bool mine = json_object_object_get_ex(msg, "own", &own) && json_object_get_boolean(own);
		if (!mine && jint(msg, "seq") > read_seq) {
			jset_bool(msg, "unread_first", true);
			break;
		}
	}
	const char *level = jstr(chat, "notify") ? jstr(chat, "notify") : "all";
	jset_bool(chat, "notify_all", strcmp(level, "all") == 0);
	jset_bool(chat, "notify_mentions", strcmp(level, "mentions") == 0);
	jset_bool(chat, "notify_muted", strcmp(level, "muted") == 0);
	struct json_object *peer;
	if (json_object_object_get_ex(chat, "peer", &peer) && peer)
		presence_apply(r, peer, jint(peer, "id"), presence);
	add_receipts(model, chat, messages, receipts);
}

/* GET /messages/ID/readers: the members who have read the message (and
 * send receipts); 403 for a viewer who sends none. */
void h_readers(struct req *r)
{
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0])};
	PGresult *res;
	if (!view_run(r, STMT_READERS, params, 2, &res))
		return;
	if (PQntuples(res) == 0) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	if (!db_bool(res, 0, 2)) {
		view_error(r, 403, "err.receipts_off", NULL);
		return;
	}
	struct json_object *m = view_object(r);
	struct json_object *readers = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++)
		if (!PQgetisnull(res, i, 3))
			json_object_array_add(readers, user_public_json(db_int(res, i, 3),
									db_text(res, i, 4),
									db_text(res, i, 5)));
	jset(m, "readers", readers);
	if (!r->want_json) {
		jset_int(m, "id", r->ids[0]);
		jset_int(m, "chat", db_int(res, 0, 0));
		jset_int(m, "seq", db_int(res, 0, 1));
	}
	view_render(r, 200, "readers", "title.readers", m);
}

/* POST /chats/ID/typing: tell the other members, no database write. */
void h_typing(struct req *r)
{
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0])};
	PGresult *res = view_run_one(r, STMT_OTHER_MEMBERS, params, 2, NULL);
	if (res == NULL)
		return;
	int64_t ids[FANOUT_MAX];
	size_t n = parse_ids(db_text(res, 0, 0), ids, FANOUT_MAX);
	if (n > 0) {
		struct json_object *ev = json_object_new_object();
		jset_str(ev, "type", "typing");
		jset_int(ev, "chat", r->ids[0]);
		jset(ev, "user", user_public_json(r->me->id, r->me->nickname, r->me->name));
		publish_obj(r, ids, n, ev);
	}
	view_done(r, arena_printf(&r->arena, "/chats/%lld", (long long)r->ids[0]));
}

/* PUT /api/chats/ID/notifications {level}; the HTML form POSTs. */
void h_notify(struct req *r)
{
	const char *level = req_field(r, "level");
	if (level == NULL || (strcmp(level, "all") != 0 && strcmp(level, "mentions") != 0 &&
			      strcmp(level, "muted") != 0)) {
		view_error(r, 422, "err.notify.level", "level");
		return;
	}
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0]), level};
	PGresult *res = view_run_one(r, STMT_NOTIFY_SET, params, 3, NULL);
	if (res == NULL)
		return;
	if (!r->want_json) {
		resp_redirect(r, arena_printf(&r->arena, "/chats/%lld", (long long)r->ids[0]));
		return;
	}
	struct json_object *m = view_object(r);
	jset_int(m, "chat", r->ids[0]);
	jset_str(m, "level", level);
	view_json(r, 200, m);
}

/* Settings as the model: {read_receipts, presence} (+ choices for HTML).
 * "presence" is users.privacy, the one online-status setting (also "privacy"
 * of PATCH /api/me and the "me" object). */
static void settings_model(struct req *r, struct json_object *m, const PGresult *res)
{
	bool receipts = db_bool(res, 0, 0);
	const char *presence = db_text(res, 0, 1);
	jset_bool(m, "read_receipts", receipts);
	jset_str(m, "presence", presence);
	if (!r->want_json) {
		jset_bool(m, "receipts_off", !receipts);
		jset_bool(m, arena_printf(&r->arena, "presence_%s", presence), 1);
		jset_bool(m, "section_privacy", 1); /* partials/settings_nav */
	}
}

/* GET /settings/privacy */
void h_privacy_get(struct req *r)
{
	const char *params[] = {num(r, r->me->id)};
	PGresult *res = view_run_one(r, STMT_SETTINGS_GET, params, 1, NULL);
	if (res == NULL)
		return;
	struct json_object *m = view_object(r);
	settings_model(r, m, res);
	jset_bool(m, "saved", req_arg(r, "saved") != NULL);
	view_render(r, 200, "privacy", "title.privacy", m);
}

/* "true"/"on" -> "true", "false"/"off" -> "false", absent -> NULL (keep);
 * anything else: *bad. */
static const char *bool_field(const char *v, bool *bad)
{
	if (v == NULL)
		return NULL;
	if (strcmp(v, "true") == 0 || strcmp(v, "on") == 0)
		return "true";
	if (strcmp(v, "false") == 0 || strcmp(v, "off") == 0)
		return "false";
	*bad = true;
	return NULL;
}

/* PUT /api/settings/privacy {read_receipts?, presence?}; the form POSTs. */
void h_privacy_set(struct req *r)
{
	bool bad = false;
	const char *receipts = bool_field(req_field(r, "read_receipts"), &bad);
	if (bad) {
		view_error(r, 422, "err.bad_request", "read_receipts");
		return;
	}
	const char *presence = req_field(r, "presence");
	if (presence && strcmp(presence, "everyone") != 0 && strcmp(presence, "contacts") != 0 &&
	    strcmp(presence, "nobody") != 0) {
		view_error(r, 422, "err.privacy.presence", "presence");
		return;
	}
	const char *params[] = {num(r, r->me->id), receipts, presence};
	PGresult *res = view_run_one(r, STMT_SETTINGS_SET, params, 3, NULL);
	if (res == NULL)
		return;
	if (!r->want_json) {
		resp_redirect(r, "/settings/privacy?saved=1");
		return;
	}
	struct json_object *m = view_object(r);
	settings_model(r, m, res);
	view_json(r, 200, m);
}
