/* h_groups.c: group chats: creating one, its info page (members and roles,
 * the actions the viewer's role allows), renaming and describing, adding,
 * removing, promoting and demoting members, handing over the ownership,
 * leaving, deleting, and invite links (create, list, revoke, open, join).
 * Who may do what is decided by groups.c; each change statement re-checks
 * the roles it was given, takes the chat's next seq for its service
 * message, and is published after the commit (service.c). JSON routes use
 * PATCH/PUT/DELETE; HTML forms post to a POST route calling the same
 * handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "groups.h"
#include "handlers.h"
#include "http.h"
#include "model.h"
#include "presence.h"
#include "service.h"
#include "template.h"
#include "view.h"

#define CREATE_MEMBERS_MAX 1000
#define INVITE_CODE_LEN 32
#define INVITE_EXPIRES_MIN 60
#define INVITE_EXPIRES_MAX (365 * 24 * 3600)
#define INVITE_USES_MAX 100000

static const char *num(struct req *r, long long v) { return arena_printf(&r->arena, "%lld", v); }

static const char *me_id(struct req *r) { return num(r, r->me->id); }

static const char *info_path(struct req *r, long long chat)
{
	return arena_printf(&r->arena, "/chats/%lld/info", chat);
}

/* Trimmed copy (spaces, tabs, line breaks at both ends; \r\n -> \n). */
static char *trimmed(struct req *r, const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s), o = 0;
	char *out = arena_alloc(&r->arena, n + 1);
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '\r' && s[i + 1] == '\n'))
			out[o++] = s[i] == '\r' ? '\n' : s[i];
	out[o] = '\0';
	char *b = out;
	while (*b == ' ' || *b == '\t' || *b == '\n')
		b++;
	while (o > 0 && out + o > b && (out[o - 1] == ' ' || out[o - 1] == '\t' || out[o - 1] == '\n'))
		out[--o] = '\0';
	return b;
}

/* ------------------------------------------------------------ publishing */

/* Publish the service messages of a change statement's result (see
 * SVC_RESULT in db.c); false when nothing changed (the flag in col 0). */
static bool publish_change(struct req *r, PGresult *res, long long chat)
{
	if (PQntuples(res) < 1 || !db_bool(res, 0, 0))
		return false;
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *msg = message_from_row(res, i, 1, chat);
		if (msg == NULL)
			continue;
		publish_chat_message(r, msg, db_text(res, i, 13));
		json_object_put(msg);
	}
	return true;
}

/* -------------------------------------------------------------- roles */

struct roles {
	enum group_role me, target;
	bool group;           /* the chat is a group */
	long long target_id;  /* 0: no such user */
	const char *target_nick;
	bool blocked_me;      /* the target has blocked the viewer */
};

/* The viewer's role in chat and, when nick is given, that user's. False
 * after answering 404 (not a member) or 403 (not a group). */
static bool load_roles(struct req *r, long long chat, const char *nick, struct roles *out)
{
	const char *params[] = {me_id(r), num(r, chat), nick};
	PGresult *res = view_run_one(r, STMT_GROUP_ROLES, params, 3, NULL);
	if (res == NULL)
		return false;
	memset(out, 0, sizeof(*out));
	out->group = strcmp(db_text(res, 0, 0), "group") == 0;
	if (!out->group) {
		view_error(r, 403, "err.group.not_group", NULL);
		return false;
	}
	out->me = group_role_parse(db_text(res, 0, 1));
	out->target_id = db_int(res, 0, 2);
	out->target_nick = db_text(res, 0, 3);
	out->target = group_role_parse(db_text(res, 0, 5));
	out->blocked_me = db_bool(res, 0, 6);
	return true;
}

/* group_may as an answer: false after answering 403/404. */
static bool allowed(struct req *r, enum group_action a, enum group_role me)
{
	int st = group_may(a, me);
	if (st == 0)
		return true;
	view_error(r, st, st == 404 ? "err.not_found" : "err.forbidden", NULL);
	return false;
}

/* The target of a member action: an existing member other than the viewer
 * whom the viewer's role may act on. False after answering. */
static bool target_ok(struct req *r, enum group_action a, const struct roles *ro)
{
	if (!allowed(r, a, ro->me))
		return false;
	if (ro->target_id == 0) {
		view_error(r, 404, "err.user.not_found", "nickname");
		return false;
	}
	if (ro->target == ROLE_NONE) {
		view_error(r, 404, "err.group.not_member", "nickname");
		return false;
	}
	if (ro->target_id == r->me->id) {
		view_error(r, 422, "err.group.self", "nickname");
		return false;
	}
	if (group_may_target(a, ro->me, ro->target) != 0) {
		view_error(r, 403, "err.forbidden", NULL);
		return false;
	}
	return true;
}

/* A nickname from a path segment or a field, normalized; NULL after 422. */
static const char *nick_arg(struct req *r, const char *raw)
{
	const char *nick = nickname_normalize(&r->arena, raw);
	if (nick == NULL || valid_nickname(nick, strlen(nick)) != NULL) {
		view_error(r, raw ? 404 : 422, raw ? "err.user.not_found" : "err.nickname.format",
			   "nickname");
		return NULL;
	}
	return nick;
}

/* ------------------------------------------------------------ info */

/* Adds description, role, member_count and members [{id, nickname, name,
 * role, avatar, online, last_seen}] to a group's chat object. False after answering. */
bool group_add_info(struct req *r, long long chat_id, struct json_object *chat)
{
	const char *params[] = {me_id(r), num(r, chat_id)};
	PGresult *res;
	if (!view_run(r, STMT_GROUP_INFO, params, 2, &res))
		return false;
	int n = PQntuples(res);
	if (n == 0) {
		view_error(r, 404, "err.not_found", NULL);
		return false;
	}
	if (strcmp(db_text(res, 0, 0), "group") != 0)
		return true;
	jset_str(chat, "description", db_text(res, 0, 2));
	jset_str(chat, "role", db_text(res, 0, 3));
	jset_int(chat, "member_count", n);
	struct json_object *members = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct json_object *u = user_public_json(db_int(res, i, 4), db_text(res, i, 5),
							 db_text(res, i, 6));
		jset_str(u, "role", db_text(res, i, 7));
		jset(u, "avatar", avatar_json(db_int(res, i, 8)));
		json_object_array_add(members, u);
	}
	jset(chat, "members", members);
	return presence_add_many(r, members) == 0; /* online / last_seen as privacy allows */
}

/* The chat object of a group with its info; NULL after answering. */
static struct json_object *group_chat(struct req *r, long long chat_id)
{
	const char *params[] = {me_id(r), num(r, chat_id)};
	PGresult *res = view_run_one(r, STMT_CHAT_GET, params, 2, NULL);
	if (res == NULL)
		return NULL;
	struct json_object *chat = chat_from_row(res, 0);
	chat_localize(r->app->tpl, chat, r->lang);
	if (!group_add_info(r, chat_id, chat)) {
		json_object_put(chat);
		return NULL;
	}
	return chat;
}

/* The invite links of a group as a JSON array; NULL after answering. */
static struct json_object *load_invites(struct req *r, long long chat_id)
{
	const char *params[] = {me_id(r), num(r, chat_id)};
	PGresult *res;
	if (!view_run(r, STMT_INVITES_LIST, params, 2, &res))
		return NULL;
	const char *origin = http_origin(r);
	struct json_object *arr = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *o = json_object_new_object();
		const char *code = db_text(res, i, 0);
		jset_str(o, "code", code);
		jset_str(o, "url", arena_printf(&r->arena, "%s/invites/%s", origin, code));
		jset_str(o, "created_at", db_text(res, i, 1));
		jset_str(o, "expires_at", db_text(res, i, 2));
		if (PQgetisnull(res, i, 3))
			jset(o, "max_uses", NULL);
		else
			jset_int(o, "max_uses", db_int(res, i, 3));
		jset_int(o, "uses", db_int(res, i, 4));
		jset_bool(o, "valid", db_bool(res, i, 5));
		jset(o, "created_by", PQgetisnull(res, i, 6) ? NULL
				       : user_public_json(db_int(res, i, 6), db_text(res, i, 7),
							  db_text(res, i, 8)));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Per-member flags for the page: which buttons the viewer gets. */
static void decorate_members(struct req *r, struct json_object *chat, enum group_role me)
{
	struct json_object *members, *v;
	if (!json_object_object_get_ex(chat, "members", &members))
		return;
	for (size_t i = 0; i < json_object_array_length(members); i++) {
		struct json_object *u = json_object_array_get_idx(members, i);
		enum group_role role = ROLE_NONE;
		long long id = 0;
		if (json_object_object_get_ex(u, "role", &v))
			role = group_role_parse(json_object_get_string(v));
		if (json_object_object_get_ex(u, "id", &v))
			id = json_object_get_int64(v);
		bool self = id == r->me->id;
		jset_bool(u, "is_me", self);
		jset_bool(u, "is_owner", role == ROLE_OWNER);
		jset_bool(u, "is_admin", role == ROLE_ADMIN);
		jset_bool(u, "can_remove", !self && group_may_target(GA_REMOVE, me, role) == 0);
		jset_bool(u, "can_promote", !self && role == ROLE_MEMBER &&
						group_may_target(GA_SET_ROLE, me, role) == 0);
		jset_bool(u, "can_demote", !self && role == ROLE_ADMIN &&
					       group_may_target(GA_SET_ROLE, me, role) == 0);
		jset_bool(u, "can_transfer", !self && group_may_target(GA_TRANSFER, me, role) == 0);
	}
}

static struct json_object *can_object(enum group_role me)
{
	struct json_object *can = json_object_new_object();
	jset_bool(can, "rename", group_may(GA_RENAME, me) == 0);
	jset_bool(can, "describe", group_may(GA_DESCRIBE, me) == 0);
	jset_bool(can, "add", group_may(GA_ADD, me) == 0);
	jset_bool(can, "invite", group_may(GA_INVITE, me) == 0);
	jset_bool(can, "delete", group_may(GA_DELETE, me) == 0);
	jset_bool(can, "leave", group_may(GA_LEAVE, me) == 0);
	return can;
}

/* The group info page (HTML), also re-shown with an error after a form. */
static void info_page(struct req *r, int status, long long chat_id, const char *error)
{
	struct json_object *chat = group_chat(r, chat_id);
	if (chat == NULL)
		return;
	struct json_object *m = view_object(r);
	jset(m, "chat", chat);
	struct json_object *v;
	if (!json_object_object_get_ex(chat, "role", &v)) {
		view_error(r, 404, "err.not_found", NULL); /* a direct chat has no info page */
		return;
	}
	enum group_role me = group_role_parse(json_object_get_string(v));
	decorate_members(r, chat, me);
	jset(m, "can", can_object(me));
	jset_bool(m, "viewer_owner", me == ROLE_OWNER);
	jset_bool(m, "viewer_admin", me == ROLE_ADMIN);
	jset_bool(m, "viewer_member", me == ROLE_MEMBER);
	if (group_may(GA_INVITE, me) == 0) {
		struct json_object *inv = load_invites(r, chat_id);
		if (inv == NULL)
			return;
		jset(m, "invites", inv);
	}
	jset_str(m, "error", error ? i18n_get(r->app->tpl, r->lang, error) : NULL);
	view_render(r, status, "group_info", "title.group_info", m);
}

void h_group_info(struct req *r)
{
	if (!r->want_json) {
		info_page(r, 200, r->ids[0], NULL);
		return;
	}
	struct json_object *chat = group_chat(r, r->ids[0]);
	if (chat == NULL)
		return;
	struct json_object *m = view_object(r);
	jset(m, "chat", chat);
	view_json(r, 200, m);
}

/* A refused form: JSON and 403/404 get the error; a form error (422,
 * 409) re-shows the info page with the message. */
static void refuse(struct req *r, int status, const char *key, const char *field)
{
	if (r->want_json || status == 403 || status == 404)
		view_error(r, status, key, field);
	else
		info_page(r, status, r->ids[0], key);
}

/* ------------------------------------------------------------ creating */

void h_group_new_form(struct req *r)
{
	struct json_object *m = view_object(r);
	view_render(r, 200, "group_new", "title.group_new", m);
}

/* Adds the nicknames in s (separated by spaces, commas, line breaks) to
 * list; false when one is not a valid nickname or there are too many. */
static bool split_nicknames(struct req *r, const char *s, struct buf *list, size_t *count)
{
	const char *sep = " ,;\t\r\n";
	while (*s) {
		size_t skip = strspn(s, sep), n;
		s += skip;
		n = strcspn(s, sep);
		if (n == 0)
			break;
		char *nick = nickname_normalize(&r->arena, arena_strndup(&r->arena, s, n));
		s += n;
		if (valid_nickname(nick, strlen(nick)) != NULL || ++*count > CREATE_MEMBERS_MAX)
			return false;
		if (list->len > 1)
			buf_putc(list, ',');
		buf_puts(list, nick);
	}
	return true;
}

/* The members field: a JSON array of nicknames, or (forms) one or more
 * fields of nicknames. Fills list with a text[] literal. */
static bool member_list(struct req *r, struct buf *list)
{
	size_t count = 0;
	buf_puts(list, "{");
	for (size_t i = 0; i < r->form.n; i++) {
		const struct input_pair *p = &r->form.pairs[i];
		if (strcmp(p->name, "members") != 0)
			continue;
		if (p->kind == IK_STRING && !split_nicknames(r, p->value, list, &count))
			return false;
		if (p->kind == IK_NULL)
			continue;
		if (p->kind != IK_OTHER && p->kind != IK_STRING)
			return false;
		if (p->kind == IK_OTHER) {
			struct json_object *arr = json_tokener_parse(p->raw ? p->raw : "");
			bool ok = arr && json_object_is_type(arr, json_type_array);
			for (size_t k = 0; ok && k < json_object_array_length(arr); k++) {
				struct json_object *e = json_object_array_get_idx(arr, k);
				const char *nick = json_object_get_string(e);
				ok = json_object_is_type(e, json_type_string) && strpbrk(nick, " ,;\t\r\n") == NULL &&
				     *nick && split_nicknames(r, nick, list, &count);
			}
			json_object_put(arr);
			if (!ok)
				return false;
		}
	}
	buf_puts(list, "}");
	return true;
}

/* The new-group form again with the typed values and an error. */
static void create_refused(struct req *r, int status, const char *key, const char *field)
{
	if (r->want_json) {
		view_error(r, status, key, field);
		return;
	}
	struct json_object *m = view_object(r);
	jset_str(m, "name", req_field(r, "name"));
	jset_str(m, "description", req_field(r, "description"));
	jset_str(m, "members", req_field(r, "members"));
	jset_str(m, "error", i18n_get(r->app->tpl, r->lang, key));
	jset_str(m, "error_field", field);
	view_render(r, status, "group_new", "title.group_new", m);
}

void h_group_create(struct req *r)
{
	const char *name = trimmed(r, req_field(r, "name"));
	const char *why = valid_group_name(name, name ? strlen(name) : 0);
	if (why) {
		create_refused(r, 422, why, "name");
		return;
	}
	const char *desc = trimmed(r, req_field(r, "description"));
	if (desc == NULL)
		desc = "";
	if ((why = valid_group_description(desc, strlen(desc))) != NULL) {
		create_refused(r, 422, why, "description");
		return;
	}
	struct buf list = BUF_INIT;
	bool listed = member_list(r, &list);
	const char *members = arena_strdup(&r->arena, list.data ? list.data : "{}");
	buf_free(&list);
	if (!listed) {
		create_refused(r, 422, "err.group.members", "members");
		return;
	}
	const char *params[] = {me_id(r), name, desc, members};
	PGresult *res;
	if (!view_run(r, STMT_GROUP_CREATE, params, 4, &res))
		return;
	if (PQgetisnull(res, 0, 0) && !PQgetisnull(res, 0, 15)) {
		create_refused(r, 403, "err.group.blocked", "members"); /* someone blocked the creator */
		return;
	}
	if (PQgetisnull(res, 0, 0)) {
		create_refused(r, 422, "err.group.unknown_members", "members");
		return;
	}
	long long chat = db_int(res, 0, 0);
	struct json_object *msg = message_from_row(res, 0, 3, chat);
	if (msg) {
		publish_chat_message(r, msg, db_text(res, 0, 2));
		json_object_put(msg);
	}
	if (!r->want_json) {
		resp_redirect(r, arena_printf(&r->arena, "/chats/%lld", chat));
		return;
	}
	struct json_object *c = group_chat(r, chat);
	if (c == NULL)
		return;
	struct json_object *m = view_object(r);
	jset(m, "chat", c);
	view_json(r, 201, m);
}

/* ------------------------------------------------------------ changes */

void h_group_edit(struct req *r)
{
	long long chat = r->ids[0];
	const char *name = trimmed(r, req_field(r, "name"));
	const char *desc = trimmed(r, req_field(r, "description"));
	const char *why;
	if (name == NULL && desc == NULL) {
		view_error(r, 422, "err.group.name_empty", "name");
		return;
	}
	struct roles ro;
	if (!load_roles(r, chat, NULL, &ro) || (name && !allowed(r, GA_RENAME, ro.me)) ||
	    (desc && !allowed(r, GA_DESCRIBE, ro.me)))
		return;
	if (name && (why = valid_group_name(name, strlen(name))) != NULL) {
		refuse(r, 422, why, "name");
		return;
	}
	if (desc && (why = valid_group_description(desc, strlen(desc))) != NULL) {
		refuse(r, 422, why, "description");
		return;
	}
	const char *params[] = {me_id(r), num(r, chat), group_role_name(ro.me), name, desc};
	PGresult *res;
	if (!view_run(r, STMT_GROUP_EDIT, params, 5, &res))
		return;
	if (!publish_change(r, res, chat)) {
		refuse(r, 409, "err.conflict", NULL);
		return;
	}
	view_done(r, info_path(r, chat));
}

void h_group_add(struct req *r)
{
	long long chat = r->ids[0];
	const char *raw = req_field(r, "nickname");
	struct roles ro;
	const char *nick = nickname_normalize(&r->arena, raw ? trimmed(r, raw) : NULL);
	if (!load_roles(r, chat, nick, &ro) || !allowed(r, GA_ADD, ro.me))
		return;
	if (nick == NULL || valid_nickname(nick, strlen(nick)) != NULL) {
		refuse(r, 422, "err.nickname.format", "nickname");
		return;
	}
	if (ro.target_id == 0) {
		refuse(r, 422, "err.user.not_found", "nickname");
		return;
	}
	if (ro.target != ROLE_NONE) {
		refuse(r, 409, "err.group.already_member", "nickname");
		return;
	}
	if (ro.blocked_me) {
		refuse(r, 403, "err.group.blocked", "nickname");
		return;
	}
	const char *params[] = {me_id(r), num(r, chat), group_role_name(ro.me), num(r, ro.target_id)};
	PGresult *res;
	if (!view_run(r, STMT_GROUP_ADD, params, 4, &res))
		return;
	if (!publish_change(r, res, chat)) {
		refuse(r, 409, "err.conflict", NULL);
		return;
	}
	view_done(r, info_path(r, chat));
}

void h_group_remove(struct req *r)
{
	long long chat = r->ids[0];
	const char *nick = nick_arg(r, r->word);
	struct roles ro;
	if (nick == NULL || !load_roles(r, chat, nick, &ro) || !target_ok(r, GA_REMOVE, &ro))
		return;
	const char *params[] = {me_id(r), num(r, chat), group_role_name(ro.me),
				num(r, ro.target_id), group_role_name(ro.target)};
	PGresult *res;
	if (!view_run(r, STMT_GROUP_REMOVE, params, 5, &res))
		return;
	if (!publish_change(r, res, chat)) {
		refuse(r, 409, "err.conflict", NULL);
		return;
	}
	view_done(r, info_path(r, chat));
}

void h_group_set_role(struct req *r)
{
	long long chat = r->ids[0];
	const char *nick = nick_arg(r, r->word);
	struct roles ro;
	if (nick == NULL || !load_roles(r, chat, nick, &ro) || !target_ok(r, GA_SET_ROLE, &ro))
		return;
	enum group_role want = group_role_parse(req_field(r, "role"));
	if (want != ROLE_ADMIN && want != ROLE_MEMBER) {
		refuse(r, 422, "err.group.role", "role");
		return;
	}
	if (want == ro.target) {
		view_done(r, info_path(r, chat)); /* already so: nothing changes */
		return;
	}
	const char *params[] = {me_id(r), num(r, chat), num(r, ro.target_id),
				group_role_name(want), group_role_name(ro.target)};
	PGresult *res;
	if (!view_run(r, STMT_GROUP_SET_ROLE, params, 5, &res))
		return;
	if (!publish_change(r, res, chat)) {
		refuse(r, 409, "err.conflict", NULL);
		return;
	}
	view_done(r, info_path(r, chat));
}

void h_group_transfer(struct req *r)
{
	long long chat = r->ids[0];
	const char *raw = req_field(r, "nickname");
	struct roles ro;
	const char *nick = nickname_normalize(&r->arena, raw ? trimmed(r, raw) : NULL);
	if (!load_roles(r, chat, nick, &ro) || !allowed(r, GA_TRANSFER, ro.me))
		return;
	if (nick == NULL || valid_nickname(nick, strlen(nick)) != NULL) {
		refuse(r, 422, "err.nickname.format", "nickname");
		return;
	}
	if (!target_ok(r, GA_TRANSFER, &ro))
		return;
	const char *params[] = {me_id(r), num(r, chat), num(r, ro.target_id),
				group_role_name(ro.target)};
	PGresult *res;
	if (!view_run(r, STMT_GROUP_TRANSFER, params, 4, &res))
		return;
	if (!publish_change(r, res, chat)) {
		refuse(r, 409, "err.conflict", NULL);
		return;
	}
	view_done(r, info_path(r, chat));
}

void h_group_leave(struct req *r)
{
	long long chat = r->ids[0];
	struct roles ro;
	if (!load_roles(r, chat, NULL, &ro) || !allowed(r, GA_LEAVE, ro.me))
		return;
	const char *params[] = {me_id(r), num(r, chat), group_role_name(ro.me)};
	PGresult *res;
	if (!view_run(r, STMT_GROUP_LEAVE, params, 3, &res))
		return;
	if (PQntuples(res) < 1 || !db_bool(res, 0, 0)) {
		refuse(r, 409, "err.conflict", NULL);
		return;
	}
	publish_change(r, res, chat);
	view_done(r, "/chats");
}

void h_group_delete(struct req *r)
{
	long long chat = r->ids[0];
	struct roles ro;
	if (!load_roles(r, chat, NULL, &ro) || !allowed(r, GA_DELETE, ro.me))
		return;
	const char *params[] = {me_id(r), num(r, chat)};
	PGresult *res;
	if (!view_run(r, STMT_GROUP_DELETE, params, 2, &res))
		return;
	if (PQgetisnull(res, 0, 0)) {
		refuse(r, 409, "err.conflict", NULL);
		return;
	}
	publish_chat_deleted(r, chat, db_text(res, 0, 1));
	view_done(r, "/chats");
}

/* ------------------------------------------------------------ invites */

/* An optional integer field in [min, max]; absent or "" -> *out = -1.
 * False after answering 422. */
static bool opt_int(struct req *r, const char *name, long long min, long long max, long long *out)
{
	const char *v = req_field(r, name);
	const struct input_pair *p = req_field_pair(r, name);
	*out = -1;
	if (p == NULL || p->kind == IK_NULL || (v && *v == '\0'))
		return true;
	int64_t n;
	if (v == NULL || !parse_int_range(v, min, max, &n)) {
		refuse(r, 422, "err.invite.limits", name);
		return false;
	}
	*out = n;
	return true;
}

void h_invite_create(struct req *r)
{
	long long chat = r->ids[0], expires, uses;
	struct roles ro;
	if (!load_roles(r, chat, NULL, &ro) || !allowed(r, GA_INVITE, ro.me))
		return;
	if (!opt_int(r, "expires_in", INVITE_EXPIRES_MIN, INVITE_EXPIRES_MAX, &expires) ||
	    !opt_int(r, "max_uses", 1, INVITE_USES_MAX, &uses))
		return;
	char code[INVITE_CODE_LEN + 1];
	uint8_t raw[16];
	if (random_bytes_hex(raw, code) != 0) {
		view_error(r, 500, "err.internal", NULL);
		return;
	}
	const char *params[] = {me_id(r), num(r, chat), code, expires < 0 ? NULL : num(r, expires),
				uses < 0 ? NULL : num(r, uses)};
	PGresult *res;
	if (!view_run(r, STMT_INVITE_CREATE, params, 5, &res))
		return;
	if (PQntuples(res) != 1) {
		refuse(r, 409, "err.conflict", NULL);
		return;
	}
	if (!r->want_json) {
		resp_redirect(r, arena_printf(&r->arena, "/chats/%lld/info#invites", chat));
		return;
	}
	const char *url = arena_printf(&r->arena, "%s/invites/%s", http_origin(r), code);
	struct json_object *m = view_object(r), *inv = json_object_new_object();
	jset_str(m, "code", code);
	jset_str(m, "url", url);
	jset_str(inv, "code", code);
	jset_str(inv, "url", url);
	jset_str(inv, "created_at", db_text(res, 0, 1));
	jset_str(inv, "expires_at", db_text(res, 0, 2));
	if (uses < 0)
		jset(inv, "max_uses", NULL);
	else
		jset_int(inv, "max_uses", uses);
	jset_int(inv, "uses", 0);
	jset_bool(inv, "valid", 1);
	jset(m, "invite", inv);
	view_json(r, 201, m);
}

void h_invites_list(struct req *r)
{
	long long chat = r->ids[0];
	struct roles ro;
	if (!load_roles(r, chat, NULL, &ro) || !allowed(r, GA_INVITE, ro.me))
		return;
	if (!r->want_json) {
		info_page(r, 200, chat, NULL);
		return;
	}
	struct json_object *inv = load_invites(r, chat);
	if (inv == NULL)
		return;
	struct json_object *m = view_object(r);
	jset(m, "invites", inv);
	view_json(r, 200, m);
}

/* An invite code from the path: 32 lower-case hex; NULL after 404. */
static const char *code_arg(struct req *r)
{
	const char *c = r->word;
	bool ok = c && strlen(c) == INVITE_CODE_LEN;
	for (size_t i = 0; ok && i < INVITE_CODE_LEN; i++)
		ok = (c[i] >= '0' && c[i] <= '9') || (c[i] >= 'a' && c[i] <= 'f');
	if (!ok) {
		view_error(r, 404, "err.invite.not_found", NULL);
		return NULL;
	}
	return c;
}

void h_invite_revoke(struct req *r)
{
	const char *code = code_arg(r);
	if (code == NULL)
		return;
	const char *params[] = {me_id(r), code};
	PGresult *res = view_run_one(r, STMT_INVITE_REVOKE, params, 2, "err.invite.not_found");
	if (res == NULL)
		return;
	if (!allowed(r, GA_INVITE, group_role_parse(db_text(res, 0, 0))))
		return;
	view_done(r, arena_printf(&r->arena, "/chats/%lld/info#invites", db_int(res, 0, 1)));
}

struct invite_state {
	long long chat;
	const char *title, *description, *state; /* state: valid|revoked|expired|used_up */
	long long members;
	bool member; /* the viewer is already in the group */
};

/* Look up a link; false after answering 404. */
static bool load_invite(struct req *r, const char *code, struct invite_state *s)
{
	const char *params[] = {code, me_id(r)};
	PGresult *res = view_run_one(r, STMT_INVITE_GET, params, 2, "err.invite.not_found");
	if (res == NULL)
		return false;
	s->chat = db_int(res, 0, 0);
	s->title = db_text(res, 0, 1);
	s->members = db_int(res, 0, 2);
	s->state = db_bool(res, 0, 3) ? "revoked" : db_bool(res, 0, 4) ? "expired"
					     : db_bool(res, 0, 5) ? "used_up" : "valid";
	s->member = db_bool(res, 0, 6);
	s->description = db_text(res, 0, 7);
	return true;
}

static const char *state_key(const char *state)
{
	return strcmp(state, "revoked") == 0   ? "err.invite.revoked"
	       : strcmp(state, "expired") == 0 ? "err.invite.expired"
					       : "err.invite.used_up";
}

void h_invite_show(struct req *r)
{
	struct invite_state s;
	const char *code = code_arg(r);
	if (code == NULL || !load_invite(r, code, &s))
		return;
	bool valid = strcmp(s.state, "valid") == 0;
	struct json_object *m = view_object(r), *inv = json_object_new_object();
	jset_str(inv, "code", code);
	jset_str(inv, "state", s.state);
	jset_bool(inv, "valid", valid);
	jset_bool(inv, "member", s.member);
	if (valid || s.member) { /* a dead link does not show whose it was */
		struct json_object *c = json_object_new_object();
		jset_int(c, "id", s.chat);
		jset_str(c, "title", s.title);
		jset_str(c, "description", s.description);
		jset_int(c, "member_count", s.members);
		jset(inv, "chat", c);
	}
	jset(m, "invite", inv);
	if (!valid && !s.member)
		jset_str(m, "error", i18n_get(r->app->tpl, r->lang, state_key(s.state)));
	view_render(r, 200, "invite", "title.invite", m);
}

void h_invite_join(struct req *r)
{
	struct invite_state s;
	const char *code = code_arg(r);
	if (code == NULL || !load_invite(r, code, &s))
		return;
	if (!s.member) {
		if (strcmp(s.state, "valid") != 0) {
			view_error(r, 409, state_key(s.state), "code");
			return;
		}
		const char *params[] = {me_id(r), num(r, s.chat), code};
		PGresult *res;
		if (!view_run(r, STMT_INVITE_JOIN, params, 3, &res))
			return;
		if (!publish_change(r, res, s.chat)) {
			view_error(r, 409, "err.invite.used_up", "code");
			return;
		}
	}
	if (!r->want_json) {
		resp_redirect(r, arena_printf(&r->arena, "/chats/%lld", s.chat));
		return;
	}
	struct json_object *c = group_chat(r, s.chat);
	if (c == NULL)
		return;
	struct json_object *m = view_object(r);
	jset(m, "chat", c);
	view_json(r, 200, m);
}
