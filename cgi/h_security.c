/* h_security.c: the account's secrets and sessions: changing the password
 * (which ends every other session) and the email, the list of sessions
 * and ending them (their live connections close), deleting the account,
 * and the settings pages "account" and "sessions". */
#include <libscrypt.h>
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "model.h"
#include "publish.h"
#include "settings.h"
#include "template.h"
#include "useragent.h"
#include "view.h"

/* The current session's token hash as a bytea literal. */
static const char *session_literal(struct req *r)
{
	char *lit = arena_alloc(&r->arena, 2 + 64 + 1);
	lit[0] = '\\';
	lit[1] = 'x';
	hex_encode(r->session_hash, 32, lit + 2);
	return lit;
}

/* ------------------------------------------------------------ account page */

static void account_page(struct req *r, int status, struct json_object *errors)
{
	struct json_object *m = view_object(r);
	const char *email = errors ? req_field(r, "email") : NULL;
	jset_str(m, "email", email ? email : r->me->email);
	if (errors)
		jset(m, "errors", json_object_get(errors));
	settings_render(r, status, "account", m);
}

void h_settings_account(struct req *r) { account_page(r, 200, NULL); }

/* ------------------------------------------------------------ password */

void h_password_change(struct req *r)
{
	bool bad = false;
	const char *current = field_str(r, "current_password", &bad);
	const char *next = field_str(r, "new_password", &bad);
	const char *why = bad ? "err.bad_request"
		: next ? valid_password(next, strlen(next)) : "err.password.short";
	if (why) {
		settings_refuse(r, 422, why, "new_password", account_page);
		return;
	}
	const char *old_hash = settings_check_password(r, current, "current_password", account_page);
	if (old_hash == NULL)
		return;
	char hash[SCRYPT_MCF_LEN];
	if (auth_hash_password(r->app, next, hash) != 0) {
		view_error(r, 500, "err.internal", NULL);
		return;
	}
	const char *params[] = {id_text(r, r->me->id), hash, session_literal(r), old_hash};
	PGresult *res;
	enum db_status st = db_run(r, STMT_PASSWORD_SET, params, 4, &res);
	if (st != DB_OK) {
		view_db_error(r, st);
		return;
	}
	if (PQntuples(res) == 0) { /* changed meanwhile by another request */
		view_error(r, 409, "err.conflict", NULL);
		return;
	}
	settings_close_sessions(r, res, 1);
	view_done(r, "/settings/account?saved=password");
}

/* ------------------------------------------------------------ email */

void h_email_change(struct req *r)
{
	bool bad = false;
	const char *email = text_trim(r, field_str(r, "email", &bad));
	const char *password = field_str(r, "password", &bad);
	const char *why = bad ? "err.bad_request"
		: email ? valid_email(email, strlen(email)) : "err.email.format";
	if (why) {
		settings_refuse(r, 422, why, "email", account_page);
		return;
	}
	const char *old_hash = settings_check_password(r, password, "password", account_page);
	if (old_hash == NULL)
		return;
	const char *params[] = {id_text(r, r->me->id), email, old_hash};
	PGresult *res;
	enum db_status st = db_run(r, STMT_EMAIL_SET, params, 3, &res);
	if (st == DB_CONFLICT) {
		settings_refuse(r, 409, "err.email.taken", "email", account_page);
		return;
	}
	if (st != DB_OK) {
		view_db_error(r, st);
		return;
	}
	if (PQntuples(res) != 1) {
		view_error(r, 409, "err.conflict", NULL);
		return;
	}
	if (!r->want_json) {
		resp_redirect(r, "/settings/account?saved=email");
		return;
	}
	struct json_object *m = view_object(r);
	jset(m, "user", user_me_json(user_from_row(&r->arena, res, 0)));
	view_json(r, 200, m);
}

/* ------------------------------------------------------------ sessions */

static struct json_object *session_json(struct req *r, const PGresult *res, int i)
{
	struct json_object *s = json_object_new_object();
	const char *ua = db_text(res, i, 2), *browser, *os;
	ua_describe(&r->arena, ua, &browser, &os);
	jset_int(s, "id", db_int(res, i, 0));
	jset_bool(s, "current", db_bool(res, i, 7));
	jset_str(s, "kind", db_text(res, i, 1));
	jset_str(s, "browser", browser);
	jset_str(s, "os", os);
	jset_str(s, "user_agent", ua);
	jset_str(s, "ip", db_text(res, i, 3));
	jset_str(s, "created_at", db_text(res, i, 4));
	jset_str(s, "last_active_at", db_text(res, i, 5));
	jset_str(s, "expires_at", db_text(res, i, 6));
	const char *last = db_text(res, i, 5);
	if (!r->want_json && last && strlen(last) >= 16) /* "YYYY-MM-DD HH:MM UTC" */
		jset_str(s, "last_active_text", arena_printf(&r->arena, "%.10s %.5s UTC", last, last + 11));
	return s;
}

struct json_object *sessions_load(struct req *r)
{
	const char *params[] = {id_text(r, r->me->id), session_literal(r)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_SESSIONS_LIST, params, 2, &res);
	if (st != DB_OK) {
		view_db_error(r, st);
		return NULL;
	}
	struct json_object *list = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_object_array_add(list, session_json(r, res, i));
	return list;
}

void h_sessions(struct req *r)
{
	struct json_object *list = sessions_load(r);
	if (list == NULL)
		return;
	struct json_object *m = view_object(r);
	jset(m, "sessions", list);
	jset_bool(m, "has_others", json_object_array_length(list) > 1);
	settings_render(r, 200, "sessions", m);
}

void h_session_end(struct req *r)
{
	const char *params[] = {id_text(r, r->me->id), id_text(r, r->ids[0])};
	PGresult *res = view_run_one(r, STMT_SESSION_END, params, 2, NULL);
	if (res == NULL)
		return;
	settings_close_sessions(r, res, 0);
	if (r->ids[0] == r->session_id) { /* ended its own session: logged out */
		if (r->auth == AUTH_COOKIE)
			resp_cookie(r, SESSION_COOKIE, "", 0);
		view_done(r, "/login");
		return;
	}
	view_done(r, "/settings/sessions?saved=1");
}

void h_sessions_end_others(struct req *r)
{
	const char *params[] = {id_text(r, r->me->id), session_literal(r)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_SESSIONS_END_OTHERS, params, 2, &res);
	if (st != DB_OK) {
		view_db_error(r, st);
		return;
	}
	settings_close_sessions(r, res, 0);
	if (!r->want_json) {
		resp_redirect(r, "/settings/sessions?saved=1");
		return;
	}
	struct json_object *m = view_object(r);
	jset_int(m, "ended", PQntuples(res));
	view_json(r, 200, m);
}

/* ------------------------------------------------------------ deletion */

void h_account_delete(struct req *r)
{
	bool bad = false;
	const char *password = field_str(r, "password", &bad);
	if (!r->want_json && field_bool(r, "confirm") != 1) {
		settings_refuse(r, 422, "err.delete.confirm", "confirm", account_page);
		return;
	}
	const char *old_hash = settings_check_password(
		r, bad ? NULL : password, r->want_json ? "password" : "delete_password", account_page);
	if (old_hash == NULL)
		return;
	const char *params[] = {id_text(r, r->me->id), old_hash};
	PGresult *res;
	enum db_status st = db_run(r, STMT_ACCOUNT_DELETE, params, 2, &res);
	if (st != DB_OK) {
		view_db_error(r, st);
		return;
	}
	if (PQntuples(res) != 1) {
		view_error(r, 409, "err.conflict", NULL);
		return;
	}
	if (publish_close_user(r->w, r->me->id) != 0)
		log_error("could not close the live connections of a deleted account");
	if (r->auth == AUTH_COOKIE)
		resp_cookie(r, SESSION_COOKIE, "", 0);
	view_done(r, "/login");
}
