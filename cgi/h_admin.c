/* h_admin.c: the admin panel (routes flagged R_ADMIN: everyone else gets
 * 404): the dashboard with its 30-day chart drawn here as inline SVG, the
 * users list and a user's page, the actions on a user (deactivate,
 * reactivate, promote, demote, end sessions, set a password, delete; each
 * re-asks the admin's password and writes its audit row in the same
 * statement), the chats list and a chat's page (members and roles, never
 * message content) with rename, remove a member, transfer the ownership
 * and delete (shown in the chat as service messages by "An
 * administrator", published live), the audit log, and the server
 * settings kept in the database (registration open or by sign-up links,
 * the upload cap, the welcome text per language). */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "model.h"
#include "publish.h"
#include "service.h"
#include "settings.h"
#include "template.h"
#include "view.h"

#define PAGE_SIZE 50
#define OFFSET_MAX 1000000
#define QUERY_MAX 100

/* ------------------------------------------------------------ helpers */

/* A query argument that must be one of the words in list (NULL ended);
 * the first when absent or anything else. */
static const char *arg_choice(struct req *r, const char *name, const char *const *list)
{
	const char *v = req_arg(r, name);
	for (size_t i = 0; v && list[i]; i++)
		if (strcmp(v, list[i]) == 0)
			return list[i];
	return list[0];
}

static long long arg_offset(struct req *r)
{
	int64_t v;
	const char *s = req_arg(r, "offset");
	return s && parse_int_range(s, 0, OFFSET_MAX, &v) ? v : 0;
}

/* A short text query argument, "" when absent or too long. */
static const char *arg_text(struct req *r, const char *name)
{
	const char *v = text_trim(r, req_arg(r, name));
	return v && strlen(v) <= QUERY_MAX ? v : "";
}

static const char *url_encoded(struct req *r, const char *s)
{
	struct buf enc = BUF_INIT;
	buf_url_encode(&enc, s, strlen(s));
	const char *out = arena_strdup(&r->arena, enc.data ? enc.data : "");
	buf_free(&enc);
	return out;
}

/* Pagination keys of a list page. */
static void set_pages(struct json_object *m, long long total, long long offset, int shown)
{
	jset_int(m, "total", total);
	jset_int(m, "offset", offset);
	jset_bool(m, "has_more", offset + shown < total);
	jset_int(m, "next_offset", offset + PAGE_SIZE);
	jset_bool(m, "has_prev", offset > 0);
	jset_int(m, "prev_offset", offset > PAGE_SIZE ? offset - PAGE_SIZE : 0);
}

/* A flag per choice ("filter_active": true) for the page's selected options. */
static void set_choice(struct req *r, struct json_object *m, const char *name, const char *v)
{
	jset_str(m, name, v);
	jset_bool(m, arena_printf(&r->arena, "%s_%s", name, v), 1);
}

/* done_VALUE from ?done=VALUE: the notice after a redirected action. */
static void set_done(struct req *r, struct json_object *m)
{
	const char *done = req_arg(r, "done");
	if (done && strlen(done) < 32)
		jset_bool(m, arena_printf(&r->arena, "done_%s", done), 1);
}

/* ------------------------------------------------------------ dashboard */

#define CHART_W 600
#define CHART_H 160
#define CHART_DAYS 30

/* The 30-day chart: a bar per day for messages, a line for active users,
 * each on its own scale; numbers only, so nothing needs escaping. */
static const char *activity_svg(struct req *r, const PGresult *res)
{
	int n = PQntuples(res);
	long long max_m = 1, max_u = 1;
	for (int i = 0; i < n; i++) {
		if (db_int(res, i, 1) > max_m)
			max_m = db_int(res, i, 1);
		if (db_int(res, i, 2) > max_u)
			max_u = db_int(res, i, 2);
	}
	struct buf b = BUF_INIT;
	buf_printf(&b, "<svg class=\"admin-chart\" viewBox=\"0 0 %d %d\" role=\"img\""
		   " aria-labelledby=\"chart-title\" preserveAspectRatio=\"none\">",
		   CHART_W, CHART_H + 20);
	const char *title = i18n_get(r->app->tpl, r->lang, "admin.chart.title");
	buf_puts(&b, "<title id=\"chart-title\">");
	buf_html_escape(&b, title, strlen(title));
	buf_puts(&b, "</title>");
	double step = (double)CHART_W / CHART_DAYS;
	for (int i = 0; i < n && i < CHART_DAYS; i++) {
		double h = (double)db_int(res, i, 1) * CHART_H / (double)max_m;
		buf_printf(&b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
			   "<title>%s: %lld</title></rect>",
			   i * step + 1, CHART_H - h, step - 2, h, db_text(res, i, 0), db_int(res, i, 1));
	}
	buf_puts(&b, "<polyline class=\"line\" fill=\"none\" points=\"");
	for (int i = 0; i < n && i < CHART_DAYS; i++)
		buf_printf(&b, "%.1f,%.1f ", i * step + step / 2,
			   CHART_H - (double)db_int(res, i, 2) * CHART_H / (double)max_u);
	buf_puts(&b, "\"/>");
	if (n > 0)
		buf_printf(&b, "<text x=\"0\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\""
			   " text-anchor=\"end\">%s</text>",
			   CHART_H + 16, db_text(res, 0, 0), CHART_W, CHART_H + 16,
			   db_text(res, n - 1, 0));
	buf_puts(&b, "</svg>");
	const char *out = arena_strdup(&r->arena, b.data);
	buf_free(&b);
	return out;
}

static struct json_object *activity_json(const PGresult *res)
{
	struct json_object *days = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *d = json_object_new_object();
		jset_str(d, "day", db_text(res, i, 0));
		jset_int(d, "messages", db_int(res, i, 1));
		jset_int(d, "active_users", db_int(res, i, 2));
		json_object_array_add(days, d);
	}
	return days;
}

void h_admin_dashboard(struct req *r)
{
	const char *params[] = {id_text(r, r->app->cfg.presence_ttl)};
	PGresult *res, *act;
	enum db_status st = db_run(r, STMT_ADMIN_DASHBOARD, params, 1, &res);
	if (st == DB_OK)
		st = db_run(r, STMT_ADMIN_ACTIVITY, NULL, 0, &act);
	if (st != DB_OK) {
		view_db_error(r, st);
		return;
	}
	static const char *const keys[] = {
		"users", "active_today", "active_week", "messages_today", "messages_week",
		"online_now", "chats", "groups", "files_bytes", "files", "database_bytes",
		"deactivated"};
	struct json_object *m = view_object(r), *s = json_object_new_object();
	for (int i = 0; i < 12; i++)
		jset_int(s, keys[i], db_int(res, 0, i));
	jset(m, "stats", s);
	jset(m, "activity", activity_json(act));
	if (!r->want_json) {
		jset_str(m, "chart_html", activity_svg(r, act));
		jset_str(m, "files_size", arena_printf(&r->arena, "%.1f MB", db_int(res, 0, 8) / 1048576.0));
		jset_str(m, "database_size", arena_printf(&r->arena, "%.1f MB", db_int(res, 0, 10) / 1048576.0));
		jset_bool(m, "nav_dashboard", 1);
	}
	view_render(r, 200, "admin", "admin.title", m);
}

/* ------------------------------------------------------------ users */

static struct json_object *user_row_json(const PGresult *res, int i)
{
	struct json_object *u = json_object_new_object();
	jset_int(u, "id", db_int(res, i, 0));
	jset_str(u, "nickname", db_text(res, i, 1));
	jset_str(u, "name", db_text(res, i, 2));
	jset_str(u, "email", db_text(res, i, 3));
	jset_bool(u, "is_admin", db_bool(res, i, 4));
	jset_bool(u, "deactivated", db_bool(res, i, 5));
	jset_str(u, "created_at", db_text(res, i, 6));
	jset_str(u, "last_seen_at", db_text(res, i, 7));
	return u;
}

/* What differs between the admin's list pages (users, chats). */
struct admin_list {
	enum stmt stmt;
	struct json_object *(*row)(const PGresult *res, int i);
	const char *key, *nav, *tpl, *title;
	int total_col; /* the column carrying the count of all matches */
};

/* A list page: params[0] is the search text, params[np - 2..np - 1] are
 * filled here with the page size and offset; choices (name, value pairs,
 * NULL-terminated) are echoed so the form keeps them. */
static void admin_list_page(struct req *r, const struct admin_list *l, const char **params, int np,
			    const char *const *choices)
{
	long long offset = arg_offset(r);
	params[np - 2] = id_text(r, PAGE_SIZE);
	params[np - 1] = id_text(r, offset);
	PGresult *res;
	if (!view_run(r, l->stmt, params, np, &res))
		return;
	struct json_object *m = view_object(r), *list = json_object_new_array();
	int n = PQntuples(res);
	for (int i = 0; i < n; i++)
		json_object_array_add(list, l->row(res, i));
	jset(m, l->key, list);
	jset_str(m, "q", params[0]);
	for (int i = 0; choices[i]; i += 2)
		set_choice(r, m, choices[i], choices[i + 1]);
	set_pages(m, n ? db_int(res, 0, l->total_col) : 0, offset, n);
	if (!r->want_json) {
		jset_str(m, "q_url", url_encoded(r, params[0]));
		jset_bool(m, l->nav, 1);
		set_done(r, m);
	}
	view_render(r, 200, l->tpl, l->title, m);
}

void h_admin_users(struct req *r)
{
	static const char *const filters[] = {"all", "active", "deactivated", "admins", NULL};
	static const char *const sorts[] = {"newest", "oldest", "nickname", "last_seen", NULL};
	static const struct admin_list list = {STMT_ADMIN_USERS, user_row_json, "users", "nav_users",
					       "admin_users", "admin.users.title", 8};
	const char *filter = arg_choice(r, "filter", filters);
	const char *sort = arg_choice(r, "sort", sorts);
	const char *params[] = {arg_text(r, "q"), filter, sort, NULL, NULL};
	const char *const choices[] = {"filter", filter, "sort", sort, NULL};
	admin_list_page(r, &list, params, 5, choices);
}

static struct json_object *sessions_json(const PGresult *res)
{
	struct json_object *list = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *s = json_object_new_object();
		jset_int(s, "id", db_int(res, i, 0));
		jset_str(s, "kind", db_text(res, i, 1));
		jset_str(s, "user_agent", db_text(res, i, 2));
		jset_str(s, "ip", db_text(res, i, 3));
		jset_str(s, "created_at", db_text(res, i, 4));
		jset_str(s, "last_active_at", db_text(res, i, 5));
		json_object_array_add(list, s);
	}
	return list;
}

/* The user page; errors (field -> message) after a refused action. */
static void user_page(struct req *r, int status, struct json_object *errors)
{
	const char *params[] = {id_text(r, r->ids[0])};
	PGresult *res, *ses;
	enum db_status st = db_run(r, STMT_ADMIN_USER, params, 1, &res);
	if (st == DB_OK && PQntuples(res) == 1)
		st = db_run(r, STMT_ADMIN_USER_SESSIONS, params, 1, &ses);
	if (st != DB_OK) {
		view_db_error(r, st);
		return;
	}
	if (PQntuples(res) != 1) {
		view_error(r, 404, "err.user.not_found", NULL);
		return;
	}
	struct json_object *m = view_object(r), *u = user_row_json(res, 0);
	jset_str(u, "about", db_text(res, 0, 8));
	jset_str(u, "lang", db_text(res, 0, 9));
	jset_int(u, "chats", db_int(res, 0, 10));
	jset_int(u, "files", db_int(res, 0, 11));
	jset_int(u, "files_bytes", db_int(res, 0, 12));
	jset_int(u, "messages", db_int(res, 0, 13));
	jset_bool(u, "is_me", db_int(res, 0, 0) == r->me->id);
	jset(m, "user", u);
	jset(m, "sessions", sessions_json(ses));
	if (!r->want_json) {
		jset_bool(m, "nav_users", 1);
		if (status == 200)
			set_done(r, m);
	}
	if (errors)
		jset(m, "errors", json_object_get(errors));
	view_render(r, status, "admin_user", "admin.user.title", m);
}

void h_admin_user(struct req *r) { user_page(r, 200, NULL); }

/* ------------------------------------------------------------ user actions */

/* Re-ask the admin's password (field "password"). False after answering. */
static bool recheck_password(struct req *r)
{
	bool bad = false;
	const char *pw = field_str(r, "password", &bad);
	return settings_check_password(r, bad ? NULL : pw, "password", user_page) != NULL;
}

/* Run an action statement ($1 admin, $2 user, $3 address, $4 extra).
 * Zero rows: the action does not apply (409). Then the user's live
 * connections close when close_live, and 204 / 303 to the user page. */
static void user_action(struct req *r, enum stmt s, const char *extra, bool close_live,
			const char *done)
{
	const char *params[] = {id_text(r, r->me->id), id_text(r, r->ids[0]), auth_client_ip(r),
				extra};
	PGresult *res;
	if (!view_run(r, s, params, extra ? 4 : 3, &res))
		return;
	if (PQntuples(res) == 0) {
		settings_refuse(r, 409, "err.admin.not_applicable", "form", user_page);
		return;
	}
	if (close_live && publish_close_user(r->w, r->ids[0]) != 0)
		log_error("admin: could not close a user's live connections");
	if (s == STMT_ADMIN_DELETE) {
		view_done(r, "/admin/users?done=deleted");
		return;
	}
	view_done(r, arena_printf(&r->arena, "/admin/users/%lld?done=%s", (long long)r->ids[0], done));
}

void h_admin_deactivate(struct req *r)
{
	if (recheck_password(r))
		user_action(r, STMT_ADMIN_DEACTIVATE, NULL, true, "deactivated");
}

void h_admin_reactivate(struct req *r)
{
	if (recheck_password(r))
		user_action(r, STMT_ADMIN_REACTIVATE, NULL, false, "reactivated");
}

void h_admin_promote(struct req *r)
{
	if (recheck_password(r))
		user_action(r, STMT_ADMIN_ROLE, "true", false, "promoted");
}

void h_admin_demote(struct req *r)
{
	if (recheck_password(r))
		user_action(r, STMT_ADMIN_ROLE, "false", false, "demoted");
}

void h_admin_sessions_end(struct req *r)
{
	if (recheck_password(r))
		user_action(r, STMT_ADMIN_SESSIONS_END, NULL, true, "sessions");
}

void h_admin_delete(struct req *r)
{
	if (!r->want_json && field_bool(r, "confirm") != 1) {
		settings_refuse(r, 422, "err.delete.confirm", "confirm", user_page);
		return;
	}
	/* "delete their messages too": each becomes a "message deleted" placeholder */
	bool with_messages = field_bool(r, "delete_messages") == 1;
	if (recheck_password(r))
		user_action(r, STMT_ADMIN_DELETE, with_messages ? "true" : "false", true, "deleted");
}

void h_admin_password(struct req *r)
{
	bool bad = false;
	const char *next = field_str(r, "new_password", &bad);
	const char *why = bad ? "err.bad_request"
		: next ? valid_password(next, strlen(next)) : "err.password.short";
	if (why) {
		settings_refuse(r, 422, why, "new_password", user_page);
		return;
	}
	if (!recheck_password(r))
		return;
	char hash[128];
	if (auth_hash_password(r->app, next, hash) != 0) {
		view_error(r, 500, "err.internal", NULL);
		return;
	}
	user_action(r, STMT_ADMIN_PASSWORD, hash, true, "password");
}

/* ------------------------------------------------------------ audit log */

/* A date argument YYYY-MM-DD, else NULL. */
static const char *arg_date(struct req *r, const char *name)
{
	const char *v = req_arg(r, name);
	if (v == NULL || strlen(v) != 10)
		return NULL;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? v[i] != '-' : (v[i] < '0' || v[i] > '9'))
			return NULL;
	int mo = (v[5] - '0') * 10 + (v[6] - '0'), d = (v[8] - '0') * 10 + (v[9] - '0');
	return mo >= 1 && mo <= 12 && d >= 1 && d <= 28 + 3 ? v : NULL;
}

void h_admin_audit(struct req *r)
{
	const char *admin = arg_text(r, "admin"), *action = arg_text(r, "action");
	const char *from = arg_date(r, "from"), *to = arg_date(r, "to");
	long long offset = arg_offset(r);
	const char *params[] = {admin, action, from, to, id_text(r, PAGE_SIZE), id_text(r, offset)};
	PGresult *res;
	if (!view_run(r, STMT_ADMIN_AUDIT, params, 6, &res))
		return;
	struct json_object *m = view_object(r), *list = json_object_new_array();
	int n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		struct json_object *e = json_object_new_object();
		jset_int(e, "id", db_int(res, i, 0));
		jset_str(e, "at", db_text(res, i, 1));
		jset_str(e, "admin", db_text(res, i, 2));
		jset_str(e, "action", db_text(res, i, 3));
		jset_str(e, "target", db_text(res, i, 4));
		jset_str(e, "ip", db_text(res, i, 5));
		struct json_object *detail = json_tokener_parse(db_text(res, i, 6));
		jset(e, "detail", detail ? detail : json_object_new_object());
		json_object_array_add(list, e);
	}
	jset(m, "entries", list);
	jset_str(m, "admin", admin);
	jset_str(m, "action", action);
	jset_str(m, "from", from ? from : "");
	jset_str(m, "to", to ? to : "");
	set_pages(m, n ? db_int(res, 0, 7) : 0, offset, n);
	if (!r->want_json) {
		jset_str(m, "filter_url", arena_printf(&r->arena, "admin=%s&action=%s&from=%s&to=%s",
						       url_encoded(r, admin), url_encoded(r, action),
						       from ? from : "", to ? to : ""));
		jset_bool(m, "nav_audit", 1);
	}
	view_render(r, 200, "admin_audit", "admin.audit.title", m);
}

/* ------------------------------------------------------------ chats */

static struct json_object *chat_row_json(const PGresult *res, int i)
{
	struct json_object *c = json_object_new_object();
	jset_int(c, "id", db_int(res, i, 0));
	jset_str(c, "kind", db_text(res, i, 1));
	jset_bool(c, "is_group", strcmp(db_text(res, i, 1), "group") == 0);
	jset_str(c, "title", db_text(res, i, 2));
	jset_str(c, "members_text", db_text(res, i, 3));
	jset_int(c, "member_count", db_int(res, i, 4));
	jset_int(c, "message_count", db_int(res, i, 5));
	jset_str(c, "last_activity_at", db_text(res, i, 6));
	jset_str(c, "created_at", db_text(res, i, 7));
	return c;
}

void h_admin_chats(struct req *r)
{
	static const char *const filters[] = {"all", "direct", "group", NULL};
	static const struct admin_list list = {STMT_ADMIN_CHATS, chat_row_json, "chats", "nav_chats",
					       "admin_chats", "admin.chats.title", 8};
	const char *filter = arg_choice(r, "filter", filters);
	const char *params[] = {arg_text(r, "q"), filter, NULL, NULL};
	const char *const choices[] = {"filter", filter, NULL};
	admin_list_page(r, &list, params, 4, choices);
}

static struct json_object *members_json(const PGresult *res)
{
	struct json_object *list = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *u = json_object_new_object();
		jset_int(u, "id", db_int(res, i, 0));
		jset_str(u, "nickname", db_text(res, i, 1));
		jset_str(u, "name", db_text(res, i, 2));
		jset_str(u, "role", db_text(res, i, 3));
		jset_bool(u, "is_owner", strcmp(db_text(res, i, 3), "owner") == 0);
		jset_str(u, "joined_at", db_text(res, i, 4));
		json_object_array_add(list, u);
	}
	return list;
}

/* The chat page; errors after a refused action. */
static void chat_page(struct req *r, int status, struct json_object *errors)
{
	const char *params[] = {id_text(r, r->ids[0])};
	PGresult *res, *mem;
	enum db_status st = db_run(r, STMT_ADMIN_CHAT, params, 1, &res);
	if (st == DB_OK && PQntuples(res) == 1)
		st = db_run(r, STMT_ADMIN_CHAT_MEMBERS, params, 1, &mem);
	if (st != DB_OK) {
		view_db_error(r, st);
		return;
	}
	if (PQntuples(res) != 1) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	struct json_object *m = view_object(r), *c = chat_row_json(res, 0);
	jset_str(c, "description", db_text(res, 0, 8));
	jset(c, "members", members_json(mem));
	jset(m, "chat", c);
	if (!r->want_json) {
		jset_bool(m, "nav_chats", 1);
		if (status == 200)
			set_done(r, m);
	}
	if (errors)
		jset(m, "errors", json_object_get(errors));
	view_render(r, status, "admin_chat", "admin.chat.title", m);
}

void h_admin_chat(struct req *r) { chat_page(r, 200, NULL); }

static bool chat_password(struct req *r)
{
	bool bad = false;
	const char *pw = field_str(r, "password", &bad);
	return settings_check_password(r, bad ? NULL : pw, "password", chat_page) != NULL;
}

/* A member given by the field "user" (an id). False after answering 422. */
static const char *user_field(struct req *r)
{
	int64_t id;
	const char *v = req_field(r, "user");
	if (v && parse_id(v, &id))
		return id_text(r, id);
	settings_refuse(r, 422, "err.admin.user", "user", chat_page);
	return NULL;
}

/* Run a chat change ($1 admin, $2 chat, $3 address, $4 extra) whose
 * result is service messages (ADMIN_SVC_RESULT), publish them live, and
 * answer 204 / 303 to the chat page. */
static void chat_change(struct req *r, enum stmt s, const char *extra, const char *done)
{
	const char *params[] = {id_text(r, r->me->id), id_text(r, r->ids[0]), auth_client_ip(r),
				extra};
	PGresult *res;
	if (!view_run(r, s, params, 4, &res))
		return;
	if (PQntuples(res) < 1 || !db_bool(res, 0, 0)) {
		settings_refuse(r, 409, "err.admin.not_applicable", "form", chat_page);
		return;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *msg = message_from_row(res, i, 1, r->ids[0]);
		if (msg == NULL)
			continue;
		publish_chat_message(r, msg, db_text(res, i, 13));
		json_object_put(msg);
	}
	view_done(r, arena_printf(&r->arena, "/admin/chats/%lld?done=%s", (long long)r->ids[0], done));
}

void h_admin_chat_rename(struct req *r)
{
	const char *name = text_trim(r, req_field(r, "name"));
	const char *why = name ? valid_group_name(name, strlen(name)) : "err.group.name_empty";
	if (why) {
		settings_refuse(r, 422, why, "name", chat_page);
		return;
	}
	if (chat_password(r))
		chat_change(r, STMT_ADMIN_CHAT_RENAME, name, "renamed");
}

void h_admin_chat_remove(struct req *r)
{
	const char *user = user_field(r);
	if (user && chat_password(r))
		chat_change(r, STMT_ADMIN_CHAT_REMOVE, user, "removed");
}

void h_admin_chat_transfer(struct req *r)
{
	const char *user = user_field(r);
	if (user && chat_password(r))
		chat_change(r, STMT_ADMIN_CHAT_TRANSFER, user, "owner");
}

void h_admin_chat_delete(struct req *r)
{
	if (!r->want_json && field_bool(r, "confirm") != 1) {
		settings_refuse(r, 422, "err.admin.confirm", "confirm", chat_page);
		return;
	}
	if (!chat_password(r))
		return;
	const char *params[] = {id_text(r, r->me->id), id_text(r, r->ids[0]), auth_client_ip(r)};
	PGresult *res;
	if (!view_run(r, STMT_ADMIN_CHAT_DELETE, params, 3, &res))
		return;
	if (PQgetisnull(res, 0, 0)) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	publish_chat_deleted(r, r->ids[0], db_text(res, 0, 1));
	view_done(r, "/admin/chats?done=deleted");
}

/* ------------------------------------------------------------ settings */

static void settings_page(struct req *r, int status, struct json_object *errors);

static bool recheck_settings_password(struct req *r)
{
	bool bad = false;
	const char *pw = field_str(r, "password", &bad);
	return settings_check_password(r, bad ? NULL : pw, "password", settings_page) != NULL;
}

#define WELCOME_MAX 4000
#define SIGNUP_LINK_DAYS 7

/* The settings model: stored values (absent: the defaults). */
static bool settings_model(struct req *r, struct json_object *m)
{
	PGresult *res, *inv;
	enum db_status st = db_run(r, STMT_SERVER_SETTINGS, NULL, 0, &res);
	if (st == DB_OK)
		st = db_run(r, STMT_ADMIN_INVITES, NULL, 0, &inv);
	if (st != DB_OK) {
		view_db_error(r, st);
		return false;
	}
	struct json_object *s = json_object_new_object();
	jset_bool(s, "registration_open", 1);
	jset_int(s, "max_upload", (long long)r->app->cfg.max_upload);
	jset_str(s, "welcome_en", "");
	jset_str(s, "welcome_ru", "");
	for (int i = 0; i < PQntuples(res); i++) {
		const char *k = db_text(res, i, 0), *v = db_text(res, i, 1);
		if (strcmp(k, "registration_open") == 0)
			jset_bool(s, k, strcmp(v, "true") == 0);
		else if (strcmp(k, "max_upload") == 0)
			jset_int(s, k, db_int(res, i, 1));
		else
			jset_str(s, k, v);
	}
	jset(m, "settings", s);
	jset_int(m, "max_upload_limit", (long long)r->app->cfg.max_upload);
	struct json_object *links = json_object_new_array();
	for (int i = 0; i < PQntuples(inv); i++) {
		struct json_object *l = json_object_new_object();
		jset_str(l, "code", db_text(inv, i, 0));
		jset_str(l, "url", arena_printf(&r->arena, "%s/register?invite=%s", http_origin(r),
						db_text(inv, i, 0)));
		jset_str(l, "created_at", db_text(inv, i, 1));
		jset_str(l, "expires_at", db_text(inv, i, 2));
		jset_str(l, "created_by", db_text(inv, i, 3));
		json_object_array_add(links, l);
	}
	jset(m, "signup_links", links);
	return true;
}

static void settings_page(struct req *r, int status, struct json_object *errors)
{
	struct json_object *m = view_object(r);
	if (!settings_model(r, m))
		return;
	if (!r->want_json) {
		jset_bool(m, "nav_settings", 1);
		if (status == 200)
			set_done(r, m);
	}
	if (errors)
		jset(m, "errors", json_object_get(errors));
	view_render(r, status, "admin_settings", "admin.settings.title", m);
}

void h_admin_settings(struct req *r) { settings_page(r, 200, NULL); }

/* A welcome text field: "" (the catalog's) or Markdown up to WELCOME_MAX
 * bytes of valid UTF-8 text. NULL after answering 422. */
static const char *welcome_field(struct req *r, const char *name)
{
	bool bad = false;
	const char *v = text_normalize(r, field_str(r, name, &bad));
	if (v == NULL && !bad)
		return "";
	if (bad || strlen(v) > WELCOME_MAX || !utf8_valid(v, strlen(v))) {
		settings_refuse(r, 422, "err.admin.welcome", name, settings_page);
		return NULL;
	}
	return v;
}

void h_admin_settings_set(struct req *r)
{
	int open = field_bool(r, "registration_open");
	if (open == -2) {
		settings_refuse(r, 422, "err.bad_request", "registration_open", settings_page);
		return;
	}
	if (open == -1 && !r->want_json)
		open = 0; /* an unticked checkbox sends nothing */
	int64_t cap = 0;
	const char *cap_s = req_field(r, "max_upload");
	if (cap_s && *cap_s &&
	    !parse_int_range(cap_s, 1024, (int64_t)r->app->cfg.max_upload, &cap)) {
		settings_refuse(r, 422, "err.admin.max_upload", "max_upload", settings_page);
		return;
	}
	const char *wen = welcome_field(r, "welcome_en");
	const char *wru = wen ? welcome_field(r, "welcome_ru") : NULL;
	if (wru == NULL || !recheck_settings_password(r))
		return;
	const char *params[] = {id_text(r, r->me->id), auth_client_ip(r),
				open == -1 ? "" : open ? "true" : "false",
				cap ? id_text(r, cap) : "", wen, wru};
	PGresult *res;
	if (!view_run(r, STMT_ADMIN_SETTINGS_SET, params, 6, &res))
		return;
	view_done(r, "/admin/settings?done=saved");
}

void h_admin_signup_link(struct req *r)
{
	if (!recheck_settings_password(r))
		return;
	char code[33];
	uint8_t raw[16];
	if (random_bytes_hex(raw, code) != 0) {
		view_error(r, 500, "err.internal", NULL);
		return;
	}
	const char *params[] = {id_text(r, r->me->id), auth_client_ip(r), code,
				id_text(r, SIGNUP_LINK_DAYS * 86400L)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_ADMIN_INVITE_CREATE, params, 4, &res);
	if (st != DB_OK || PQntuples(res) != 1) {
		view_db_error(r, st == DB_OK ? DB_ERROR : st);
		return;
	}
	if (!r->want_json) {
		resp_redirect(r, "/admin/settings?done=link");
		return;
	}
	struct json_object *m = view_object(r);
	jset_str(m, "code", code);
	jset_str(m, "url", arena_printf(&r->arena, "%s/register?invite=%s", http_origin(r), code));
	jset_str(m, "expires_at", db_text(res, 0, 1));
	view_json(r, 201, m);
}
