/* h_account.c: registration (with the welcome chat), login, logout, the
 * current user, and the interface language. */
#include <libscrypt.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "fault.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "ratelimit.h"
#include "markdown.h"
#include "model.h"
#include "publish.h"
#include "template.h"
#include "useragent.h"
#include "view.h"

/* A copy with leading/trailing ASCII whitespace removed. */
static char *trimmed(struct req *r, const char *s)
{
	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return arena_strndup(&r->arena, s, n);
}

/* The answer to a successful login or registration. */
static void signed_in(struct req *r, int status, struct user *u, const char *token,
		      const char *next)
{
	if (r->want_json) {
		struct json_object *m = view_object(r);
		jset(m, "user", user_me_json(u));
		jset_str(m, "token", token);
		view_json(r, status, m);
		return;
	}
	auth_set_cookie(r, token);
	resp_redirect(r, next && next[0] == '/' ? next : "/chats");
}

void h_home(struct req *r) { resp_redirect(r, r->me ? "/chats" : "/login"); }

static void register_page(struct req *r, int status, struct json_object *m)
{
	view_render(r, status, "register", "title.register", m);
}

void h_register_form(struct req *r)
{
	if (r->me) {
		resp_redirect(r, "/chats");
		return;
	}
	struct json_object *m = view_object(r);
	const char *invite = req_arg(r, "invite");
	if (invite && strlen(invite) <= 64)
		jset_str(m, "invite", invite);
	/* registration closed by an admin (h_admin.c): said at once, the
	 * form stays for whoever holds a sign-up link */
	PGresult *res;
	if (db_run(r, STMT_SERVER_SETTINGS, NULL, 0, &res) == DB_OK)
		for (int i = 0; i < PQntuples(res); i++)
			if (strcmp(db_text(res, i, 0), "registration_open") == 0 &&
			    strcmp(db_text(res, i, 1), "true") != 0 && !(invite && *invite))
				jset_str(m, "error", i18n_get(r->app->tpl, r->lang, "err.register.closed"));
	register_page(r, 200, m);
}

struct reg_fields {
	char *email, *password, *nickname, *name;
};

/* Validate every field; per-field messages go into errors (catalog keys
 * translated). Returns the first failing field or NULL. */
static const char *register_validate(struct req *r, struct reg_fields *f, struct json_object *errors)
{
	const char *first = NULL;
	const char *why[4];
	why[0] = f->email ? valid_email(f->email, strlen(f->email)) : "err.email.format";
	why[1] = f->password ? valid_password(f->password, strlen(f->password)) : "err.password.short";
	why[2] = f->nickname ? valid_nickname(f->nickname, strlen(f->nickname)) : "err.nickname.format";
	if (why[2] == NULL && nickname_reserved(f->nickname))
		why[2] = "err.nickname.reserved";
	why[3] = f->name ? valid_display_name(f->name, strlen(f->name)) : "err.name.empty";
	static const char *const names[4] = {"email", "password", "nickname", "name"};
	for (int i = 0; i < 4; i++) {
		if (why[i] == NULL)
			continue;
		jset_str(errors, names[i], i18n_get(r->app->tpl, r->lang, why[i]));
		if (first == NULL)
			first = names[i];
	}
	return first;
}

static void register_refused(struct req *r, struct reg_fields *f, struct json_object *errors,
			     int status, const char *field)
{
	if (r->want_json) {
		struct json_object *msg = json_object_object_get(errors, field);
		struct json_object *m = view_object(r);
		struct json_object *e = json_object_new_object();
		jset_str(e, "code", status == 409 ? "conflict" : "invalid");
		jset(e, "message", json_object_get(msg));
		jset_str(e, "field", field);
		jset(m, "error", e);
		view_json(r, status, m);
		return;
	}
	struct json_object *m = view_object(r);
	jset_str(m, "email", f->email);
	jset_str(m, "nickname", f->nickname);
	jset_str(m, "name", f->name);
	jset(m, "errors", json_object_get(errors));
	register_page(r, status, m);
}

static void put_cb(void *o) { json_object_put(o); }

/* Registration closed by an admin and no valid sign-up link: 403. */
static void register_closed(struct req *r, const struct reg_fields *f)
{
	if (r->want_json) {
		view_error(r, 403, "err.register.closed", "invite");
		return;
	}
	struct json_object *m = view_object(r);
	jset_str(m, "email", f->email);
	jset_str(m, "nickname", f->nickname);
	jset_str(m, "name", f->name);
	jset_str(m, "error", i18n_get(r->app->tpl, r->lang, "err.register.closed"));
	register_page(r, 403, m);
}

void h_register(struct req *r)
{
	struct reg_fields f = {
		trimmed(r, req_field(r, "email")),
		(char *)req_field(r, "password"),
		nickname_normalize(&r->arena, trimmed(r, req_field(r, "nickname"))),
		trimmed(r, req_field(r, "name")),
	};
	struct json_object *errors = json_object_new_object();
	arena_defer(&r->arena, put_cb, errors);
	const char *bad = register_validate(r, &f, errors);
	if (bad) {
		bool reserved = strcmp(bad, "nickname") == 0 && f.nickname &&
				nickname_reserved(f.nickname);
		register_refused(r, &f, errors, reserved ? 409 : 422, bad);
		return;
	}
	if (!limit_take_register(r))
		return;
	char hash[SCRYPT_MCF_LEN], token[TOKEN_HEX_LEN + 1], lit[67];
	if (auth_hash_password(r->app, f.password, hash) != 0 || auth_new_token(token, lit) != 0) {
		view_error(r, 500, "err.internal", NULL);
		return;
	}
	/* the admin's settings: registration open or by a sign-up link, and
	 * the welcome text (schema/008_admin.sql) */
	const char *invite = req_field(r, "invite");
	if (invite && (*invite == '\0' || strlen(invite) > 64))
		invite = NULL;
	const char *gate_params[] = {r->lang, invite};
	PGresult *gate;
	enum db_status gst = db_run(r, STMT_REGISTER_GATE, gate_params, 2, &gate);
	if (gst != DB_OK || PQntuples(gate) != 1) {
		view_db_error(r, gst == DB_OK ? DB_ERROR : gst);
		return;
	}
	bool by_invite = db_bool(gate, 0, 2);
	if (!db_bool(gate, 0, 0) && !by_invite) {
		register_closed(r, &f);
		return;
	}
	const char *welcome = db_text(gate, 0, 1);
	if (welcome == NULL)
		welcome = i18n_get(r->app->tpl, r->lang, "welcome.text");
	const char *welcome_html = markdown_render(r->w->md, &r->arena, welcome, strlen(welcome));
	char days[16];
	snprintf(days, sizeof(days), "%d", r->app->cfg.session_days);
	const char *params[] = {f.email, f.nickname, f.name, hash, r->lang, welcome,
				welcome_html ? welcome_html : "", lit,
				r->want_json ? "bearer" : "cookie", days,
				ua_clean(&r->arena, req_param(r, "HTTP_USER_AGENT")), auth_client_ip(r)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_REGISTER, params, 12, &res);
	if (by_invite) { /* the link is the new user's, or free again */
		const char *done[] = {invite, st == DB_OK && PQntuples(res) == 1 ? db_text(res, 0, 0) : NULL};
		PGresult *dres;
		if (db_run(r, STMT_SIGNUP_INVITE_DONE, done, 2, &dres) != DB_OK)
			log_error("register: could not record the sign-up link's use");
	}
	if (st == DB_CONFLICT) {
		bool nick = strstr(db_conflict(r->w->db), "nickname") != NULL;
		const char *field = nick ? "nickname" : "email";
		jset_str(errors, field, i18n_get(r->app->tpl, r->lang,
						 nick ? "err.nickname.taken" : "err.email.taken"));
		register_refused(r, &f, errors, 409, field);
		return;
	}
	if (st != DB_OK || PQntuples(res) != 1) {
		view_db_error(r, st);
		return;
	}
	signed_in(r, 201, user_from_row(&r->arena, res, 0), token, "/chats");
}

static void login_page(struct req *r, int status, const char *login, const char *error)
{
	struct json_object *m = view_object(r);
	jset_str(m, "login", login);
	jset_str(m, "error", error);
	const char *next = req_arg(r, "next");
	if (next == NULL)
		next = req_field(r, "next");
	if (next && next[0] == '/' && next[1] != '/')
		jset_str(m, "next", next);
	view_render(r, status, "login", "title.login", m);
}

void h_login_form(struct req *r)
{
	if (r->me) {
		resp_redirect(r, "/chats");
		return;
	}
	login_page(r, 200, NULL, NULL);
}

void h_login(struct req *r)
{
	const char *login = trimmed(r, req_field(r, "login"));
	const char *password = req_field(r, "password");
	if (login == NULL || password == NULL || !*login || !*password ||
	    strlen(login) > 254 || strlen(password) > 1024) {
		if (r->want_json)
			view_error(r, 401, "err.login.failed", NULL);
		else
			login_page(r, 401, login, i18n_get(r->app->tpl, r->lang, "err.login.failed"));
		return;
	}
	const char *addr = limit_addr_key(r, 'a');
	const char *params[] = {login, limit_param(r, r->app->cfg.login_account_max), addr,
				limit_param(r, r->app->cfg.login_addr_max)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_LOGIN_LOOKUP, params, 4, &res);
	if (st != DB_OK || PQntuples(res) != 1) {
		view_db_error(r, st);
		return;
	}
	if (db_text(res, 0, ME_NCOLS + 3) != NULL) { /* too many failures: refused before hashing */
		limit_retry_after(r, db_int(res, 0, ME_NCOLS + 3));
		if (r->want_json)
			view_error(r, 429, "err.login.limited", NULL);
		else
			login_page(r, 429, login, i18n_get(r->app->tpl, r->lang, "err.login.limited"));
		return;
	}
	fault_hold("login.hash"); /* tests/api/authpool.test.mjs: a login that stays busy */
	bool ok = false;
	if (db_text(res, 0, 0) != NULL) /* a known login */
		ok = auth_check_password(db_text(res, 0, ME_NCOLS), password);
	else
		auth_dummy_check(r->app, password);
	if (!ok) {
		limit_login_failed(r, db_text(res, 0, ME_NCOLS + 2), addr);
		if (r->want_json)
			view_error(r, 401, "err.login.failed", NULL);
		else
			login_page(r, 401, login, i18n_get(r->app->tpl, r->lang, "err.login.failed"));
		return;
	}
	if (db_bool(res, 0, ME_NCOLS + 1)) { /* told only to whoever knows the password */
		if (r->want_json)
			view_error(r, 403, "err.login.deactivated", NULL);
		else
			login_page(r, 403, login, i18n_get(r->app->tpl, r->lang, "err.login.deactivated"));
		return;
	}
	struct user *u = user_from_row(&r->arena, res, 0);
	char token[TOKEN_HEX_LEN + 1], lit[67], id[24], days[16];
	if (auth_new_token(token, lit) != 0) {
		view_error(r, 500, "err.internal", NULL);
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)u->id);
	snprintf(days, sizeof(days), "%d", r->app->cfg.session_days);
	const char *p2[] = {lit, id, r->want_json ? "bearer" : "cookie", days,
			    ua_clean(&r->arena, req_param(r, "HTTP_USER_AGENT")), auth_client_ip(r)};
	st = db_run(r, STMT_SESSION_CREATE, p2, 6, &res);
	if (st != DB_OK) {
		view_db_error(r, st);
		return;
	}
	const char *next = req_field(r, "next");
	if (next && (next[0] != '/' || next[1] == '/' || next[1] == '\\'))
		next = NULL;
	signed_in(r, 200, u, token, next);
}

void h_logout(struct req *r)
{
	int st = auth_logout(r);
	if (st) {
		view_error(r, st, st == 503 ? "err.unavailable" : "err.internal", NULL);
		return;
	}
	publish_close_session(r->w, r->session_hash);
	view_done(r, "/login");
}

void h_me(struct req *r)
{
	if (!r->want_json) {
		resp_redirect(r, "/chats");
		return;
	}
	struct json_object *m = view_object(r);
	jset(m, "user", user_me_json(r->me));
	view_json(r, 200, m);
}

/* Back to the page the form was on, when it is ours. */
static const char *back_path(struct req *r)
{
	const char *ref = req_param(r, "HTTP_REFERER");
	const char *own = http_origin(r);
	size_t n = strlen(own);
	if (ref && strncmp(ref, own, n) == 0 && ref[n] == '/' && ref[n + 1] != '/')
		return ref + n;
	return "/";
}

void h_set_lang(struct req *r)
{
	const char *lang = req_field(r, "lang");
	if (lang == NULL || (strcmp(lang, "en") != 0 && strcmp(lang, "ru") != 0)) {
		view_error(r, 422, "err.bad_request", "lang");
		return;
	}
	if (r->me) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)r->me->id);
		const char *params[] = {id, lang};
		PGresult *res;
		if (!view_run(r, STMT_SET_LANG, params, 2, &res))
			return;
	}
	resp_cookie(r, "messly_lang", lang, 365L * 86400);
	view_done(r, back_path(r));
}
