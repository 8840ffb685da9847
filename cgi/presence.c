/* presence.c: online status and "last seen" (see presence.h), the nchan
 * presence hooks (GET /_presence/sub and /_presence/unsub, internal nginx
 * locations only) and the heartbeat (POST /presence). Presence changes are
 * published live to the user's direct-chat peers; a lapsed heartbeat is
 * noticed by readers when they look (the query compares with the TTL). */
#include "presence.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "buf.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "publish.h"
#include "view.h"

#define PEERS_MAX 1024

int presence_ping_interval(const struct app *app)
{
	int s = app->cfg.presence_ttl * 2 / 5;
	return s < 2 ? 2 : s;
}

/* "2026-11-28T10:20:35.123Z" -> "2026-11-28 10:20 UTC" */
static const char *seen_text(struct req *r, const char *iso)
{
	if (iso == NULL || strlen(iso) < 16)
		return NULL;
	return arena_printf(&r->arena, "%.10s %.5s UTC", iso, iso + 11);
}

/* Set the presence keys on o from row i of a STMT_PRESENCE_GET result. */
static void presence_set(struct req *r, struct json_object *o, const PGresult *res, int i)
{
	bool visible = db_bool(res, i, 1), online = visible && db_bool(res, i, 2);
	const char *seen = visible && !online ? db_text(res, i, 3) : NULL;
	jset(o, "online", visible ? json_object_new_boolean(online) : NULL);
	jset_str(o, "last_seen", seen);
	if (!r->want_json) {
		jset_bool(o, "presence_known", visible && (online || seen));
		jset_str(o, "last_seen_text", seen_text(r, seen));
	}
}

int presence_queue_peer(struct req *r, struct db_batch *b, long long chat)
{
	const char *params[] = {arena_printf(&r->arena, "%lld", (long long)r->me->id),
				arena_printf(&r->arena, "%lld", chat),
				arena_printf(&r->arena, "%d", r->app->cfg.presence_ttl)};
	return db_batch_add(r, b, STMT_PRESENCE_PEER, params, 3);
}

void presence_apply(struct req *r, struct json_object *user_obj, long long user_id,
		    const PGresult *res)
{
	for (int row = 0; row < PQntuples(res); row++)
		if (db_int(res, row, 0) == user_id)
			presence_set(r, user_obj, res, row);
}

/* Run STMT_PRESENCE_GET for a '{1,2,3}' array literal. */
static PGresult *presence_query(struct req *r, const char *ids, bool peers)
{
	const char *params[] = {arena_printf(&r->arena, "%lld", r->me ? (long long)r->me->id : 0LL),
				ids, arena_printf(&r->arena, "%d", r->app->cfg.presence_ttl),
				peers ? "true" : "false"};
	PGresult *res;
	if (!view_run(r, STMT_PRESENCE_GET, params, 4, &res))
		return NULL;
	return res;
}

int presence_add(struct req *r, struct json_object *user_obj, long long user_id)
{
	PGresult *res = presence_query(r, arena_printf(&r->arena, "{%lld}", user_id), false);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1)
		presence_set(r, user_obj, res, 0);
	return 0;
}

static long long obj_id(struct json_object *o)
{
	struct json_object *v;
	return o && json_object_object_get_ex(o, "id", &v) ? json_object_get_int64(v) : 0;
}

int presence_add_many(struct req *r, struct json_object *users)
{
	size_t n = json_object_array_length(users);
	if (n == 0)
		return 0;
	struct buf ids = BUF_INIT;
	buf_putc(&ids, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(&ids, "%s%lld", i ? "," : "", obj_id(json_object_array_get_idx(users, i)));
	buf_putc(&ids, '}');
	PGresult *res = presence_query(r, arena_strdup(&r->arena, ids.data), false);
	buf_free(&ids);
	if (res == NULL)
		return -1;
	for (int row = 0; row < PQntuples(res); row++)
		for (size_t i = 0; i < n; i++) {
			struct json_object *u = json_object_array_get_idx(users, i);
			if (obj_id(u) == db_int(res, row, 0))
				presence_set(r, u, res, row);
		}
	return 0;
}

/* Publish {type:"presence", user, online, last_seen} to the user's direct
 * chat peers, when the user's privacy allows everyone to see it. */
static void publish_presence(struct req *r, long long user)
{
	struct user *viewer = r->me;
	r->me = NULL; /* as seen by anyone else */
	PGresult *res = presence_query(r, arena_printf(&r->arena, "{%lld}", user), true);
	r->me = viewer;
	if (res == NULL || PQntuples(res) != 1 || !db_bool(res, 0, 1))
		return;
	int64_t ids[PEERS_MAX];
	size_t n = 0;
	for (const char *p = db_text(res, 0, 4); p && *p && n < PEERS_MAX;) {
		char *end;
		ids[n++] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
		if (*end == '\0')
			break;
	}
	if (n == 0)
		return;
	struct json_object *ev = json_object_new_object();
	jset_str(ev, "type", "presence");
	jset_int(ev, "user", user);
	bool online = db_bool(res, 0, 2);
	jset_bool(ev, "online", online);
	jset_str(ev, "last_seen", online ? NULL : db_text(res, 0, 3));
	size_t len;
	const char *json = json_object_to_json_string_length(ev, JSON_C_TO_STRING_PLAIN, &len);
	publish_to_users(r->w, ids, n, json, len);
	json_object_put(ev);
}

/* The hook's channel id (32 lower-case hex digits), or NULL when this is
 * not nginx's presence hook: the parameter MESSLY_HOOK is set only by the
 * internal locations, a client cannot send FastCGI parameters. */
static const char *hook_channel(struct req *r, const char *kind)
{
	const char *hook = req_param(r, "MESSLY_HOOK");
	const char *ch = req_param(r, "NCHAN_CHANNEL_ID");
	if (hook == NULL || strcmp(hook, kind) != 0 || ch == NULL || strlen(ch) != CHANNEL_ID_LEN)
		return NULL;
	for (const char *p = ch; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return NULL;
	return ch;
}

/* nchan_subscribe_request: the subscriber's own cookie (or bearer token)
 * names the user; the channel must be that user's. */
void h_presence_sub(struct req *r)
{
	const char *ch = hook_channel(r, "sub");
	if (ch == NULL) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	r->status = 204;
	char want[CHANNEL_ID_LEN + 1];
	if (r->me == NULL)
		return;
	auth_channel_id(r->app, r->me->id, want);
	if (strcmp(want, ch) != 0)
		return;
	const char *params[] = {arena_printf(&r->arena, "%lld", (long long)r->me->id), ch,
				arena_printf(&r->arena, "%d", r->app->cfg.presence_ttl)};
	PGresult *res;
	if (db_run(r, STMT_PRESENCE_SUB, params, 3, &res) != DB_OK || PQntuples(res) != 1)
		return;
	if (!db_bool(res, 0, 0))
		publish_presence(r, r->me->id);
}

/* nchan_unsubscribe_request: the channel names the user (the session may
 * be gone already, e.g. after logout). */
void h_presence_unsub(struct req *r)
{
	const char *ch = hook_channel(r, "unsub");
	if (ch == NULL) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	r->status = 204;
	const char *params[] = {ch};
	PGresult *res;
	if (db_run(r, STMT_PRESENCE_UNSUB, params, 1, &res) != DB_OK || PQntuples(res) != 1)
		return;
	if (db_int(res, 0, 1) == 0)
		publish_presence(r, db_int(res, 0, 0));
}

/* POST /presence: a connected client's heartbeat. */
void h_presence_ping(struct req *r)
{
	const char *params[] = {arena_printf(&r->arena, "%lld", (long long)r->me->id)};
	PGresult *res;
	if (!view_run(r, STMT_PRESENCE_PING, params, 1, &res))
		return;
	if (!r->want_json) {
		view_done(r, "/chats");
		return;
	}
	struct json_object *m = view_object(r);
	jset_bool(m, "connected", PQntuples(res) == 1 && db_int(res, 0, 0) > 0);
	jset_int(m, "interval", presence_ping_interval(r->app));
	view_json(r, 200, m);
}
