/* h_messages.c: what people do with a message once sent: its page (the
 * actions without JavaScript), editing the text, deleting it for everyone,
 * reactions (add, remove, toggle, who reacted). Each change statement bumps
 * the chat's seq and the message's version_seq in one statement; then the
 * message is read in its new state (STMT_MSG_GET) and published to the
 * members exactly like a new message, so clients replace it by id and
 * /events?after= catches it up. JSON routes use PATCH/PUT/DELETE; HTML
 * forms post to a POST route calling the same handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "emoji.h"
#include "handlers.h"
#include "http.h"
#include "input.h"
#include "markdown.h"
#include "model.h"
#include "publish.h"
#include "router.h"
#include "service.h"
#include "template.h"
#include "view.h"

/* The reactions offered as buttons on the message page (no JavaScript). */
static const char *const QUICK_REACTIONS[] = {
	"\xF0\x9F\x91\x8D", "\xE2\x9D\xA4\xEF\xB8\x8F", "\xF0\x9F\x98\x82", "\xF0\x9F\x98\xAE",
	"\xF0\x9F\x98\xA2", "\xF0\x9F\x99\x8F", "\xF0\x9F\x94\xA5", "\xF0\x9F\x8E\x89",
};

static const char *num(struct req *r, long long v) { return arena_printf(&r->arena, "%lld", v); }

/* Where the HTML forms go back to: the message in its chat. */
static const char *message_path(struct req *r, long long chat, long long seq, long long id)
{
	return arena_printf(&r->arena, "/chats/%lld?around=%lld#m-%lld", chat, seq, id);
}

/* A message as the viewer sees it (STMT_MSG_GET): NULL after answering
 * 404. Sets *members (the fan-out list), *group and *admin (the viewer's
 * role in a group) when given. */
static struct json_object *message_get(struct req *r, long long id, const char **members,
				       bool *group, bool *admin)
{
	const char *params[] = {num(r, r->me->id), num(r, id)};
	PGresult *res = view_run_one(r, STMT_MSG_GET, params, 2, NULL);
	if (res == NULL)
		return NULL;
	struct json_object *msg = message_from_row(res, 0, 1, db_int(res, 0, 0));
	if (msg == NULL) {
		view_error(r, 404, "err.not_found", NULL);
		return NULL;
	}
	service_localize(r->app->tpl, msg, r->lang);
	if (members)
		*members = db_text(res, 0, 13);
	const char *kind = db_text(res, 0, 14), *role = db_text(res, 0, 15);
	bool is_group = kind && strcmp(kind, "group") == 0;
	if (group)
		*group = is_group;
	if (admin)
		*admin = is_group && role && (strcmp(role, "owner") == 0 || strcmp(role, "admin") == 0);
	return msg;
}

static long long jint(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static bool jbool(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* A message by id as the viewer sees it, without answering errors. */
static struct json_object *message_from_row_id(struct req *r, long long id)
{
	const char *params[] = {num(r, r->me->id), num(r, id)};
	PGresult *res;
	if (db_run(r, STMT_MSG_GET, params, 2, &res) != DB_OK || PQntuples(res) != 1)
		return NULL;
	return message_from_row(res, 0, 1, db_int(res, 0, 0));
}

/* One event to every member of the chat (after the commit). */
static void publish_change(struct req *r, struct json_object *msg, const char *members)
{
	size_t cap = 1, n = 0;
	for (const char *p = members; p && *p; p++)
		cap += *p == ',';
	int64_t *ids = arena_calloc(&r->arena, cap, sizeof(*ids));
	for (const char *p = members; p && *p && n < cap;) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		ids[n++] = v;
		p = *end == ',' ? end + 1 : end;
	}
	struct json_object *ev = message_event(r, msg);
	size_t len;
	const char *json = json_object_to_json_string_length(
		ev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	publish_to_users(r->w, ids, n, json, len);
	json_object_put(ev);
}

/* After a change statement answered (chat, changed): 404 for a stranger,
 * 403 (refused_key) when nothing changed; else read, publish and answer
 * {message} (HTML: back to the message). */
static void after_change(struct req *r, PGresult *res, const char *refused_key)
{
	if (PQntuples(res) != 1) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	if (!db_bool(res, 0, 1)) {
		view_error(r, 403, refused_key, NULL);
		return;
	}
	const char *members = NULL;
	struct json_object *msg = message_get(r, r->ids[0], &members, NULL, NULL);
	if (msg == NULL)
		return;
	publish_change(r, msg, members);
	if (!r->want_json) {
		resp_redirect(r, message_path(r, jint(msg, "chat"), jint(msg, "seq"), jint(msg, "id")));
		json_object_put(msg);
		return;
	}
	struct json_object *m = view_object(r);
	message_set_mentions_me(msg, r->me); /* after the publish: for the viewer only */
	jset(m, "message", msg);
	view_json(r, 200, m);
}

/* The viewer's chats {id, title} for the forward form (empty on error). */
static struct json_object *forward_chats(struct req *r)
{
	struct json_object *list = json_object_new_array();
	const char *params[] = {num(r, r->me->id)};
	PGresult *res;
	if (db_run(r, STMT_CHATS_LIST, params, 1, &res) != DB_OK)
		return list;
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *c = chat_from_row(res, i), *v;
		struct json_object *o = json_object_new_object();
		jset_int(o, "id", jint(c, "id"));
		jset_str(o, "title", json_object_object_get_ex(c, "title", &v) ? json_object_get_string(v) : "");
		json_object_array_add(list, o);
		json_object_put(c);
	}
	return list;
}

/* The message page: the message with the actions the viewer may take. */
static void message_page(struct req *r, int status, struct json_object *msg, bool admin,
			 bool group, const char *error, const char *text)
{
	message_decorate(msg, r->me);
	bool own = jbool(msg, "own"), deleted = jbool(msg, "deleted");
	struct json_object *v;
	const char *kind = json_object_object_get_ex(msg, "kind", &v) ? json_object_get_string(v) : "";
	bool service = strcmp(kind, "service") == 0;
	struct json_object *m = view_object(r);
	jset_bool(m, "can_edit", own && !deleted && strcmp(kind, "text") == 0);
	jset_bool(m, "can_delete", !deleted && !service && (own || admin));
	jset_bool(m, "can_react", !deleted && !service);
	jset_bool(m, "can_reply", !deleted && !service);
	/* pinning: group owner and admins, both people of a direct chat */
	bool pinned = jbool(msg, "pinned");
	jset_bool(m, "can_pin", !deleted && !service && (admin || !group) && !pinned);
	jset_bool(m, "can_unpin", !deleted && !service && (admin || !group) && pinned);
	struct json_object *quick = json_object_new_array();
	for (size_t i = 0; i < sizeof(QUICK_REACTIONS) / sizeof(QUICK_REACTIONS[0]); i++) {
		struct json_object *q = json_object_new_object();
		jset_str(q, "emoji", QUICK_REACTIONS[i]);
		json_object_array_add(quick, q);
	}
	jset(m, "quick", quick);
	if (text == NULL && json_object_object_get_ex(msg, "text", &v))
		text = json_object_get_string(v);
	jset_str(m, "text", text);
	jset_str(m, "error", error);
	jset_str(m, "back", message_path(r, jint(msg, "chat"), jint(msg, "seq"), jint(msg, "id")));
	if (!deleted && (strcmp(kind, "text") == 0 || strcmp(kind, "file") == 0)) {
		struct json_object *chats = forward_chats(r);
		jset_bool(m, "can_forward", json_object_array_length(chats) > 0);
		jset(m, "forward_chats", chats);
	}
	jset(m, "message", msg);
	view_render(r, status, "message", "title.message", m);
}

/* GET /messages/ID: {message}; HTML: the actions page. */
void h_message_page(struct req *r)
{
	bool admin = false, group = false;
	struct json_object *msg = message_get(r, r->ids[0], NULL, &group, &admin);
	if (msg == NULL)
		return;
	if (r->want_json) {
		struct json_object *m = view_object(r);
		message_set_mentions_me(msg, r->me); /* after the publish: for the viewer only */
		jset(m, "message", msg);
		view_json(r, 200, m);
		return;
	}
	message_page(r, 200, msg, admin, group, NULL, NULL);
}

/* A refusal of the edit form: the page again with the typed text. */
static void edit_refused(struct req *r, int status, const char *key, const char *text)
{
	if (r->want_json) {
		view_error(r, status, key, "text");
		return;
	}
	bool admin = false, group = false;
	struct json_object *msg = message_get(r, r->ids[0], NULL, &group, &admin);
	if (msg)
		message_page(r, status, msg, admin, group, i18n_get(r->app->tpl, r->lang, key), text);
}

/* PATCH /messages/ID {text} (HTML: POST /messages/ID/edit). */
void h_message_edit(struct req *r)
{
	const char *raw = req_field(r, "text");
	const char *text = raw ? normalize_text(r, raw) : "";
	const char *why = valid_message_text(text, strlen(text), TEXT_MAX_CHARS);
	if (why) {
		edit_refused(r, 422, why, raw);
		return;
	}
	struct mentions mentions = {0}; /* re-resolved in STMT_MSG_EDIT */
	const char *html = markdown_render_mentions(r->w->md, &r->arena, text, strlen(text), &mentions);
	if (html == NULL) {
		view_error(r, 500, "err.internal", NULL);
		return;
	}
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0]), text, html,
				mentions_param(&r->arena, &mentions)};
	PGresult *res;
	if (view_run(r, STMT_MSG_EDIT, params, 5, &res))
		after_change(r, res, "err.msg_edit_forbidden");
}

/* DELETE /messages/ID (HTML: POST /messages/ID/delete). */
void h_message_delete(struct req *r)
{
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0])};
	PGresult *res;
	if (view_run(r, STMT_MSG_DELETE, params, 2, &res))
		after_change(r, res, "err.msg_delete_forbidden");
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The percent-decoded emoji of /messages/ID/reactions/EMOJI (or NULL). */
static const char *emoji_segment(struct req *r)
{
	const char *s = route_segment(r, 3);
	if (s == NULL)
		return NULL;
	size_t n = strlen(s), o = 0;
	char *out = arena_alloc(&r->arena, n + 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int a = i + 2 < n ? hex(s[i + 1]) : -1;
			int b = a >= 0 ? hex(s[i + 2]) : -1;
			if (a < 0 || b < 0)
				return NULL;
			out[o++] = (char)(a * 16 + b);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static void react(struct req *r, const char *emoji, const char *mode)
{
	if (emoji == NULL || !emoji_valid(emoji, strlen(emoji))) {
		view_error(r, 422, "err.emoji", "emoji");
		return;
	}
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0]), emoji, mode};
	PGresult *res;
	if (!view_run(r, STMT_REACT, params, 4, &res))
		return;
	if (PQntuples(res) == 1 && db_bool(res, 0, 2)) {
		view_error(r, 422, "err.reactions_full", "emoji");
		return;
	}
	if (PQntuples(res) == 1 && !db_bool(res, 0, 1)) {
		/* already so (PUT twice, DELETE of none): the message as it is */
		const char *members = NULL;
		struct json_object *msg = message_get(r, r->ids[0], &members, NULL, NULL);
		if (msg == NULL)
			return;
		struct json_object *m = view_object(r);
		message_set_mentions_me(msg, r->me); /* after the publish: for the viewer only */
		jset(m, "message", msg);
		view_json(r, 200, m);
		return;
	}
	after_change(r, res, "err.forbidden");
}

/* PUT /messages/ID/reactions/EMOJI */
void h_reaction_put(struct req *r) { react(r, emoji_segment(r), "add"); }

/* DELETE /messages/ID/reactions/EMOJI */
void h_reaction_delete(struct req *r) { react(r, emoji_segment(r), "remove"); }

/* POST /messages/ID/react {emoji}: the form's toggle (HTML only). */
void h_reaction_toggle(struct req *r) { react(r, req_field(r, "emoji"), "toggle"); }

/* GET /messages/ID/reactions: [{emoji, count, users: [user]}]. */
void h_reactions_list(struct req *r)
{
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0])};
	PGresult *res;
	if (!view_run(r, STMT_REACTIONS_LIST, params, 2, &res))
		return;
	if (PQntuples(res) == 0) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	struct json_object *m = view_object(r);
	struct json_object *list = json_object_new_array(), *cur = NULL, *users = NULL;
	const char *last = NULL;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *emoji = db_text(res, i, 1);
		if (emoji == NULL)
			continue;
		if (last == NULL || strcmp(last, emoji) != 0) {
			cur = json_object_new_object();
			users = json_object_new_array();
			jset_str(cur, "emoji", emoji);
			jset(cur, "users", users);
			json_object_array_add(list, cur);
			last = emoji;
		}
		if (!PQgetisnull(res, i, 2))
			json_object_array_add(users, user_public_json(db_int(res, i, 2),
								      db_text(res, i, 3),
								      db_text(res, i, 4)));
		jset_int(cur, "count", (long long)json_object_array_length(users));
	}
	jset(m, "reactions", list);
	if (!r->want_json) {
		jset_int(m, "id", r->ids[0]);
		jset_str(m, "back", arena_printf(&r->arena, "/messages/%lld", (long long)r->ids[0]));
	}
	view_render(r, 200, "reactions", "title.reactions", m);
}

/* POST /messages/ID/forward {chat}: 201 {message} in the target chat
 * (HTML: 303 to it). Text and file messages (the files copied into the
 * target chat); 404 when the viewer cannot read the message or write in
 * the chat. */
void h_message_forward(struct req *r)
{
	const char *target = req_field(r, "chat");
	int64_t chat;
	if (target == NULL || !parse_id(target, &chat)) {
		view_error(r, 422, "err.bad_request", "chat");
		return;
	}
	uint8_t rnd[16];
	char client_id[33];
	if (random_bytes_hex(rnd, client_id) != 0) {
		view_error(r, 500, "err.internal", NULL);
		return;
	}
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0]), num(r, chat), client_id};
	PGresult *res;
	if (!view_run(r, STMT_FORWARD, params, 4, &res))
		return;
	if (PQntuples(res) != 1 || !db_bool(res, 0, 0) || !db_bool(res, 0, 1) || PQgetisnull(res, 0, 2)) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	long long id = db_int(res, 0, 2);
	const char *members = NULL;
	struct json_object *msg = message_get(r, id, &members, NULL, NULL);
	if (msg == NULL)
		return;
	publish_change(r, msg, members);
	if (!r->want_json) {
		resp_redirect(r, arena_printf(&r->arena, "/chats/%lld#m-%lld", (long long)chat, id));
		json_object_put(msg);
		return;
	}
	struct json_object *m = view_object(r);
	jset(m, "message", msg);
	view_json(r, 201, m);
}

static void pin(struct req *r, const char *mode)
{
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0]), mode};
	PGresult *res = view_run_one(r, STMT_PIN, params, 3, NULL);
	if (res == NULL)
		return;
	if (!db_bool(res, 0, 1)) {
		view_error(r, 403, "err.pin_forbidden", NULL);
		return;
	}
	const char *members = NULL;
	if (!PQgetisnull(res, 0, 2)) { /* changed: the service message first */
		struct json_object *svc = message_from_row_id(r, db_int(res, 0, 2));
		if (svc) {
			publish_chat_message(r, svc, db_text(res, 0, 3));
			json_object_put(svc);
		}
	}
	struct json_object *msg = message_get(r, r->ids[0], &members, NULL, NULL);
	if (msg == NULL)
		return;
	if (!PQgetisnull(res, 0, 2))
		publish_change(r, msg, members);
	if (!r->want_json) {
		resp_redirect(r, message_path(r, jint(msg, "chat"), jint(msg, "seq"), jint(msg, "id")));
		json_object_put(msg);
		return;
	}
	struct json_object *m = view_object(r);
	message_set_mentions_me(msg, r->me); /* after the publish: for the viewer only */
	jset(m, "message", msg);
	view_json(r, 200, m);
}

/* POST /messages/ID/pin */
void h_pin(struct req *r) { pin(r, "pin"); }

/* DELETE /messages/ID/pin (HTML: POST /messages/ID/unpin) */
void h_unpin(struct req *r) { pin(r, "unpin"); }

/* GET /chats/ID/pins: {messages: [message]}, newest pin first. */
void h_pins(struct req *r)
{
	const char *params[] = {num(r, r->me->id), num(r, r->ids[0])};
	PGresult *res;
	if (!view_run(r, STMT_PINS, params, 2, &res))
		return;
	if (PQntuples(res) == 0) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	struct json_object *m = view_object(r), *list = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *msg = message_from_row(res, i, 1, r->ids[0]);
		if (msg == NULL)
			continue;
		if (!r->want_json) {
			message_decorate(msg, r->me);
			jset_str(msg, "href", message_path(r, r->ids[0], jint(msg, "seq"), jint(msg, "id")));
		}
		json_object_array_add(list, msg);
	}
	jset(m, "messages", list);
	if (!r->want_json)
		jset_int(m, "chat", r->ids[0]);
	view_render(r, 200, "pins", "title.pins", m);
}

void pins_add(struct req *r, struct json_object *model, long long chat, const PGresult *res)
{
	struct json_object *pins = json_object_new_array(), *v;
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *msg = message_from_row(res, i, 1, chat);
		if (msg == NULL)
			continue;
		struct json_object *p = json_object_new_object();
		jset_int(p, "id", jint(msg, "id"));
		jset_int(p, "seq", jint(msg, "seq"));
		jset_str(p, "preview", json_object_object_get_ex(msg, "preview", &v) ? json_object_get_string(v) : "");
		jset_str(p, "href", message_path(r, chat, jint(msg, "seq"), jint(msg, "id")));
		jset_bool(p, "first", json_object_array_length(pins) == 0);
		json_object_array_add(pins, p);
		json_object_put(msg);
	}
	jset_bool(model, "has_pins", json_object_array_length(pins) > 0);
	jset_int(model, "pins_count", (long long)json_object_array_length(pins));
	jset(model, "pins", pins);
}
