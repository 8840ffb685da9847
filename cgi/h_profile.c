/* h_profile.c: the public profile (/u/NICKNAME, GET /api/users/NICKNAME),
 * editing one's profile and preferences (PATCH /api/me, the settings pages
 * "profile" and "preferences"), and the helpers of settings.h. */
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "linkify.h"
#include "log.h"
#include "model.h"
#include "presence.h"
#include "publish.h"
#include "router.h"
#include "settings.h"
#include "template.h"
#include "view.h"

/* ------------------------------------------------------------ helpers */

const char *id_text(struct req *r, long long v) { return arena_printf(&r->arena, "%lld", v); }

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

char *text_trim(struct req *r, const char *s)
{
	if (s == NULL)
		return NULL;
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return arena_strndup(&r->arena, s, n);
}

char *text_normalize(struct req *r, const char *s)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s), o = 0;
	char *out = arena_alloc(&r->arena, n + 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			out[o++] = '\n';
			if (s[i + 1] == '\n')
				i++;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return text_trim(r, out);
}

const char *field_str(struct req *r, const char *name, bool *bad)
{
	const struct input_pair *p = req_field_pair(r, name);
	if (p == NULL || p->kind == IK_NULL)
		return NULL;
	if (p->kind != IK_STRING) {
		*bad = true;
		return NULL;
	}
	return p->value;
}

int field_bool(struct req *r, const char *name)
{
	const struct input_pair *p = req_field_pair(r, name);
	if (p == NULL || p->kind == IK_NULL)
		return -1;
	if (p->kind != IK_BOOL && p->kind != IK_STRING)
		return -2;
	const char *v = p->value;
	if (strcmp(v, "true") == 0 || strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcmp(v, "false") == 0 || strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		return 0;
	return -2;
}

void settings_render(struct req *r, int status, const char *section, struct json_object *m)
{
	if (r->want_json) {
		view_json(r, status, m);
		return;
	}
	jset_bool(m, arena_printf(&r->arena, "section_%s", section), 1);
	const char *saved = req_arg(r, "saved"); /* "1", "password", "email" */
	if (saved && (strcmp(saved, "1") == 0 || strcmp(saved, "password") == 0 ||
		      strcmp(saved, "email") == 0))
		jset_str(m, arena_printf(&r->arena, "saved_%s", saved), "1");
	view_render(r, status, arena_printf(&r->arena, "settings_%s", section),
		    arena_printf(&r->arena, "title.settings.%s", section), m);
}

void settings_refuse(struct req *r, int status, const char *key, const char *field,
		     void (*page)(struct req *r, int status, struct json_object *errors))
{
	if (r->want_json || page == NULL) {
		view_error(r, status, key, field);
		return;
	}
	struct json_object *errors = view_object(r);
	jset_str(errors, field ? field : "form", i18n_get(r->app->tpl, r->lang, key));
	page(r, status, errors);
}

const char *settings_check_password(struct req *r, const char *password, const char *field,
				    void (*page)(struct req *r, int status,
						 struct json_object *errors))
{
	const char *params[] = {id_text(r, r->me->id)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_ME_SECRET, params, 1, &res);
	if (st != DB_OK) {
		view_db_error(r, st);
		return NULL;
	}
	if (PQntuples(res) != 1 || password == NULL || strlen(password) > 1024 ||
	    !auth_check_password(db_text(res, 0, 0), password)) {
		settings_refuse(r, 403, "err.password.wrong", field, page);
		return NULL;
	}
	return db_text(res, 0, 0);
}

void settings_close_sessions(struct req *r, const PGresult *res, int col)
{
	for (int i = 0; i < PQntuples(res); i++) {
		const char *hex = db_text(res, i, col);
		uint8_t hash[32];
		if (hex == NULL || strlen(hex) != 64 || hex_decode(hex, hash, 32) != 0)
			continue;
		if (publish_close_session(r->w, hash) != 0)
			log_error("could not close the live connection of an ended session");
	}
}

const char *settings_back(struct req *r, const char *fallback)
{
	const char *b = req_field(r, "back");
	if (b && b[0] == '/' && b[1] != '/' && b[1] != '\\' && strlen(b) < 512)
		return b;
	return fallback;
}

/* ------------------------------------------------------------ profile */

void h_profile(struct req *r)
{
	const char *nick = nickname_normalize(&r->arena, route_segment(r, 1));
	if (nick == NULL || valid_nickname(nick, strlen(nick)) != NULL) {
		view_error(r, 404, "err.user.not_found", NULL);
		return;
	}
	const char *params[] = {id_text(r, r->me->id), nick};
	PGresult *res = view_run_one(r, STMT_USER_PROFILE, params, 2, "err.user.not_found");
	if (res == NULL)
		return;
	struct json_object *u = user_public_json(db_int(res, 0, 0), db_text(res, 0, 1),
						 db_text(res, 0, 2));
	jset_str(u, "about", db_text(res, 0, 3));
	jset_str(u, "created_at", db_text(res, 0, 4));
	jset_bool(u, "deactivated", db_bool(res, 0, 5));
	jset_bool(u, "blocked", db_bool(res, 0, 6)); /* by the viewer */
	jset_bool(u, "self", db_int(res, 0, 0) == r->me->id);
	jset_bool(u, "system", db_bool(res, 0, 7));
	jset(u, "avatar", avatar_json(db_int(res, 0, 8)));
	struct json_object *m = view_object(r);
	jset(m, "user", u);
	if (presence_add(r, u, db_int(res, 0, 0)) != 0)
		return; /* online / last_seen, as the user's privacy allows */
	if (!r->want_json) {
		jset_str(u, "about_html", linkify(&r->arena, db_text(res, 0, 3)));
		jset_str(u, "since", arena_strndup(&r->arena, db_text(res, 0, 4), 10));
		jset_bool(u, "can_message", !db_bool(res, 0, 5) && db_int(res, 0, 0) != r->me->id);
	}
	view_render(r, 200, "profile", "title.profile", m);
}

/* ----------------------------------------------- editing profile/preferences */

enum { F_NAME, F_ABOUT, F_NICKNAME, F_LANG, F_THEME, F_PRIVACY, F_NOTIFY, F_PREVIEW, F_SEND_KEY,
       F__MAX };

struct me_edit {
	const char *v[F__MAX]; /* NULL: unchanged */
	const char *bad_field, *bad_key;
	int bad_status;
};

static void refuse_field(struct me_edit *e, const char *field, const char *key, int status)
{
	if (e->bad_field)
		return;
	e->bad_field = field;
	e->bad_key = key;
	e->bad_status = status;
}

static const char *one_of(const char *v, const char *const *allowed)
{
	for (int i = 0; v && allowed[i]; i++)
		if (strcmp(v, allowed[i]) == 0)
			return allowed[i];
	return NULL;
}

static void read_profile_fields(struct req *r, struct me_edit *e)
{
	bool bad = false;
	const char *name = text_trim(r, field_str(r, "name", &bad));
	const char *why = bad ? "err.bad_request" : name ? valid_display_name(name, strlen(name)) : NULL;
	if (why)
		refuse_field(e, "name", why, 422);
	e->v[F_NAME] = name;
	bad = false;
	const char *about = text_normalize(r, field_str(r, "about", &bad));
	why = bad ? "err.bad_request" : about ? valid_about(about, strlen(about)) : NULL;
	if (why)
		refuse_field(e, "about", why, 422);
	e->v[F_ABOUT] = about;
	bad = false;
	const char *nick = nickname_normalize(&r->arena, text_trim(r, field_str(r, "nickname", &bad)));
	if (nick && strcmp(nick, r->me->nickname) == 0)
		nick = NULL; /* unchanged, even when a newer rule reserves it */
	if (bad || (nick && valid_nickname(nick, strlen(nick))))
		refuse_field(e, "nickname", "err.nickname.format", 422);
	else if (nick && nickname_reserved(nick))
		refuse_field(e, "nickname", "err.nickname.reserved", 409);
	e->v[F_NICKNAME] = nick;
}

static void read_preference_fields(struct req *r, struct me_edit *e, bool form)
{
	static const char *const langs[] = {"en", "ru", NULL};
	static const char *const themes[] = {"system", "light", "dark", NULL};
	static const char *const privacies[] = {"everyone", "contacts", "nobody", NULL};
	const char *const *sets[] = {langs, themes, privacies};
	const char *names[] = {"language", "theme", "privacy"};
	for (int i = 0; i < 3; i++) {
		bool bad = false;
		const char *v = field_str(r, names[i], &bad);
		if (i == 0 && v == NULL && !bad)
			v = field_str(r, "lang", &bad);
		e->v[F_LANG + i] = one_of(v, sets[i]);
		if (bad || (v && e->v[F_LANG + i] == NULL))
			refuse_field(e, names[i], "err.choice", 422);
	}
	const char *flags[] = {"notify", "notify_preview"};
	for (int i = 0; i < 2; i++) {
		int b = field_bool(r, flags[i]);
		if (b == -1 && form)
			b = 0; /* an unticked box is not sent */
		if (b == -2)
			refuse_field(e, flags[i], "err.choice", 422);
		e->v[F_NOTIFY + i] = b == 1 ? "true" : b == 0 ? "false" : NULL;
	}
	static const char *const send_keys[] = {"enter", "ctrl_enter", NULL};
	bool bad = false;
	const char *v = field_str(r, "send_key", &bad);
	e->v[F_SEND_KEY] = one_of(v, send_keys);
	if (bad || (v && e->v[F_SEND_KEY] == NULL))
		refuse_field(e, "send_key", "err.choice", 422);
}

static void profile_page(struct req *r, int status, struct json_object *errors);
static void preferences_page(struct req *r, int status, struct json_object *errors);

void h_me_update(struct req *r)
{
	bool profile_form = !r->want_json && strcmp(r->path, "/settings/profile") == 0;
	bool prefs_form = !r->want_json && strcmp(r->path, "/settings/preferences") == 0;
	struct me_edit e = {0};
	if (!prefs_form)
		read_profile_fields(r, &e);
	if (!profile_form)
		read_preference_fields(r, &e, prefs_form);
	void (*page)(struct req *, int, struct json_object *) =
		profile_form ? profile_page : prefs_form ? preferences_page : NULL;
	if (e.bad_field) {
		settings_refuse(r, e.bad_status, e.bad_key, e.bad_field, page);
		return;
	}
	const char *params[] = {id_text(r, r->me->id), e.v[F_NAME], e.v[F_ABOUT], e.v[F_NICKNAME],
				e.v[F_LANG], e.v[F_THEME], e.v[F_PRIVACY], e.v[F_NOTIFY],
				e.v[F_PREVIEW], e.v[F_SEND_KEY]};
	PGresult *res;
	enum db_status st = db_run(r, STMT_ME_UPDATE, params, 10, &res);
	if (st == DB_CONFLICT) {
		settings_refuse(r, 409, "err.nickname.taken", "nickname", page);
		return;
	}
	if (st != DB_OK || PQntuples(res) != 1) {
		view_db_error(r, st);
		return;
	}
	r->me = user_from_row(&r->arena, res, 0);
	if (e.v[F_LANG] && r->auth == AUTH_COOKIE)
		resp_cookie(r, "messly_lang", e.v[F_LANG], 365L * 86400);
	if (r->want_json) {
		struct json_object *m = view_object(r);
		jset(m, "user", user_me_json(r->me));
		view_json(r, 200, m);
		return;
	}
	resp_redirect(r, prefs_form ? "/settings/preferences?saved=1" : "/settings/profile?saved=1");
}

/* ------------------------------------------------------------ pages */

void h_settings(struct req *r) { resp_redirect(r, "/settings/profile"); }

/* The profile form: the typed values after an error, else the stored ones. */
static void profile_page(struct req *r, int status, struct json_object *errors)
{
	struct json_object *m = view_object(r);
	const char *keys[] = {"name", "about", "nickname"};
	const char *stored[] = {r->me->name, r->me->about, r->me->nickname};
	for (int i = 0; i < 3; i++) {
		const char *typed = errors ? req_field(r, keys[i]) : NULL;
		jset_str(m, keys[i], typed ? typed : stored[i]);
	}
	if (errors)
		jset(m, "errors", json_object_get(errors));
	settings_render(r, status, "profile", m);
}

static void preferences_page(struct req *r, int status, struct json_object *errors)
{
	struct json_object *m = view_object(r);
	const struct user *u = r->me;
	/* one flag per choice, for checked / selected */
	const char *lang = u->lang ? u->lang : "en";
	jset_bool(m, arena_printf(&r->arena, "lang_%s", lang), 1);
	jset_bool(m, arena_printf(&r->arena, "theme_%s", u->theme ? u->theme : "system"), 1);
	jset_bool(m, arena_printf(&r->arena, "privacy_%s", u->privacy ? u->privacy : "everyone"), 1);
	jset_bool(m, "notify", u->notify);
	jset_bool(m, "notify_preview", u->notify_preview);
	jset_bool(m, u->send_key && strcmp(u->send_key, "ctrl_enter") == 0 ? "send_ctrl_enter"
									  : "send_enter", 1);
	if (errors)
		jset(m, "errors", json_object_get(errors));
	settings_render(r, status, "preferences", m);
}

void h_settings_profile(struct req *r) { profile_page(r, 200, NULL); }

void h_settings_preferences(struct req *r) { preferences_page(r, 200, NULL); }
