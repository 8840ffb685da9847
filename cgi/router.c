/* router.c: the route table and process_request-style dispatch (see router.h). */
#include "router.h"

#include <string.h>

#include "auth.h"
#include "handlers.h"
#include "http.h"
#include "view.h"

static const struct route routes[] = {
	{"GET", "/", h_home, R_HTML},
	{"GET", "/register", h_register_form, R_HTML},
	{"POST", "/register", h_register, 0},
	{"GET", "/login", h_login_form, R_HTML},
	{"POST", "/login", h_login, 0},
	{"POST", "/logout", h_logout, R_SESSION},
	{"GET", "/me", h_me, R_SESSION},
	{"POST", "/lang", h_set_lang, 0},
	{"GET", "/users", h_users_search, R_SESSION},
	{"GET", "/chats", h_chats_list, R_SESSION},
	{"POST", "/chats", h_chat_open, R_SESSION},
	{"GET", "/chats/#", h_chat_get, R_SESSION},
	{"GET", "/chats/#/messages", h_messages_list, R_SESSION | R_SELF_AUTH},
	{"POST", "/chats/#/messages", h_message_send, R_SESSION | R_SELF_AUTH},
	{"GET", "/chats/#/events", h_events, R_SESSION},
	{"POST", "/chats/#/read", h_read, R_SESSION},
	{"GET", "/connect", h_connect, R_HTML},
	/* group chats (h_groups.c); HTML forms cannot send PATCH/PUT/DELETE,
	 * so each such action also has a POST route calling the same handler */
	{"GET", "/chats/new", h_group_new_form, R_SESSION | R_HTML},
	{"GET", "/chats/#/info", h_group_info, R_SESSION},
	{"PATCH", "/chats/#", h_group_edit, R_SESSION | R_API},
	{"POST", "/chats/#/edit", h_group_edit, R_SESSION},
	{"GET", "/chats/#/members", h_group_info, R_SESSION},
	{"POST", "/chats/#/members", h_group_add, R_SESSION},
	{"DELETE", "/chats/#/members/*", h_group_remove, R_SESSION | R_API},
	{"POST", "/chats/#/members/*/remove", h_group_remove, R_SESSION},
	{"PUT", "/chats/#/members/*/role", h_group_set_role, R_SESSION | R_API},
	{"POST", "/chats/#/members/*/role", h_group_set_role, R_SESSION},
	{"POST", "/chats/#/owner", h_group_transfer, R_SESSION},
	{"POST", "/chats/#/leave", h_group_leave, R_SESSION},
	{"DELETE", "/chats/#", h_group_delete, R_SESSION | R_API},
	{"POST", "/chats/#/delete", h_group_delete, R_SESSION},
	{"GET", "/chats/#/invites", h_invites_list, R_SESSION},
	{"POST", "/chats/#/invites", h_invite_create, R_SESSION},
	{"GET", "/invites/*", h_invite_show, R_SESSION},
	{"DELETE", "/invites/*", h_invite_revoke, R_SESSION | R_API},
	{"POST", "/invites/*/revoke", h_invite_revoke, R_SESSION},
	{"POST", "/invites/*/join", h_invite_join, R_SESSION},
	/* profiles, settings, blocking, export (h_profile.c, h_security.c,
	 * h_blocks.c, h_export.c): the JSON API ... */
	{"GET", "/users/*", h_profile, R_API | R_SESSION},
	{"PATCH", "/me", h_me_update, R_API | R_SESSION},
	{"DELETE", "/me", h_account_delete, R_API | R_SESSION},
	{"PUT", "/me/password", h_password_change, R_API | R_SESSION},
	{"PUT", "/me/email", h_email_change, R_API | R_SESSION},
	{"GET", "/me/sessions", h_sessions, R_API | R_SESSION},
	{"DELETE", "/me/sessions", h_sessions_end_others, R_API | R_SESSION},
	{"DELETE", "/me/sessions/#", h_session_end, R_API | R_SESSION},
	{"POST", "/users/*/block", h_block, R_API | R_SESSION},
	{"DELETE", "/users/*/block", h_unblock, R_API | R_SESSION},
	{"GET", "/me/blocks", h_blocks_list, R_API | R_SESSION},
	{"GET", "/me/export", h_export, R_API | R_SESSION},
	/* ... and the same actions as pages and forms */
	{"GET", "/u/*", h_profile, R_HTML | R_SESSION},
	{"POST", "/u/*/block", h_block, R_HTML | R_SESSION},
	{"POST", "/u/*/unblock", h_unblock, R_HTML | R_SESSION},
	{"GET", "/settings", h_settings, R_HTML | R_SESSION},
	{"GET", "/settings/profile", h_settings_profile, R_HTML | R_SESSION},
	{"POST", "/settings/profile", h_me_update, R_HTML | R_SESSION},
	{"GET", "/settings/preferences", h_settings_preferences, R_HTML | R_SESSION},
	{"POST", "/settings/preferences", h_me_update, R_HTML | R_SESSION},
	{"GET", "/settings/account", h_settings_account, R_HTML | R_SESSION},
	{"POST", "/settings/password", h_password_change, R_HTML | R_SESSION},
	{"POST", "/settings/email", h_email_change, R_HTML | R_SESSION},
	{"POST", "/settings/delete", h_account_delete, R_HTML | R_SESSION},
	{"GET", "/settings/export", h_export, R_HTML | R_SESSION},
	{"GET", "/settings/sessions", h_sessions, R_HTML | R_SESSION},
	{"POST", "/settings/sessions/#/end", h_session_end, R_HTML | R_SESSION},
	{"POST", "/settings/sessions/end-others", h_sessions_end_others, R_HTML | R_SESSION},
	{"GET", "/settings/blocked", h_blocks_list, R_HTML | R_SESSION},
	/* files and avatars (h_files.c, h_avatars.c) */
	{"POST", "/chats/#/files", h_files_upload, R_SESSION | R_STREAM},
	{"GET", "/chats/#/files", h_files_list, R_SESSION},
	{"GET", "/files/#", h_file_page, 0},
	{"GET", "/files/#/thumb", h_file_thumb, R_HTML},
	{"GET", "/files/#/view", h_file_view, R_HTML},
	{"GET", "/files/#/*", h_file_original, R_HTML},
	{"PUT", "/me/avatar", h_avatar_put, R_SESSION | R_API | R_STREAM},
	{"DELETE", "/me/avatar", h_avatar_delete, R_SESSION | R_API},
	{"GET", "/settings/avatar", h_avatar_page, R_SESSION | R_HTML},
	{"POST", "/settings/avatar", h_avatar_put, R_SESSION | R_HTML | R_STREAM},
	{"POST", "/settings/avatar/delete", h_avatar_delete, R_SESSION | R_HTML},
	{"PUT", "/chats/#/avatar", h_chat_avatar_put, R_SESSION | R_API | R_STREAM},
	{"POST", "/chats/#/avatar", h_chat_avatar_put, R_SESSION | R_HTML | R_STREAM},
	{"GET", "/avatars/#/#", h_avatar_get, R_HTML},
	/* read state, typing, presence, notifications, search */
	{"POST", "/chats/#/typing", h_typing, R_SESSION},
	{"GET", "/messages/#/readers", h_readers, R_SESSION},
	{"PUT", "/chats/#/notifications", h_notify, R_SESSION},
	{"POST", "/chats/#/notifications", h_notify, R_SESSION},
	{"GET", "/settings/privacy", h_privacy_get, R_SESSION},
	{"PUT", "/settings/privacy", h_privacy_set, R_SESSION},
	{"POST", "/settings/privacy", h_privacy_set, R_SESSION},
	{"POST", "/presence", h_presence_ping, R_SESSION},
	{"GET", "/_presence/sub", h_presence_sub, R_HTML},   /* nginx's nchan hook only */
	{"GET", "/_presence/unsub", h_presence_unsub, R_HTML},
	{"GET", "/search", h_search, R_SESSION},
	/* operations (h_ops.c): for monitoring, no session */
	{"GET", "/healthz", h_healthz, R_HTML},
	{"GET", "/metrics", h_metrics, R_HTML},
	/* admin panel (h_admin.c): R_ADMIN answers 404 to everyone else */
	{"GET", "/admin", h_admin_dashboard, R_ADMIN | R_SESSION},
	{"GET", "/admin/users", h_admin_users, R_ADMIN | R_SESSION},
	{"GET", "/admin/users/#", h_admin_user, R_ADMIN | R_SESSION},
	{"POST", "/admin/users/#/deactivate", h_admin_deactivate, R_ADMIN | R_SESSION},
	{"POST", "/admin/users/#/reactivate", h_admin_reactivate, R_ADMIN | R_SESSION},
	{"POST", "/admin/users/#/promote", h_admin_promote, R_ADMIN | R_SESSION},
	{"POST", "/admin/users/#/demote", h_admin_demote, R_ADMIN | R_SESSION},
	{"POST", "/admin/users/#/end-sessions", h_admin_sessions_end, R_ADMIN | R_SESSION},
	{"POST", "/admin/users/#/password", h_admin_password, R_ADMIN | R_SESSION},
	{"POST", "/admin/users/#/delete", h_admin_delete, R_ADMIN | R_SESSION},
	{"GET", "/admin/audit", h_admin_audit, R_ADMIN | R_SESSION},
	{"GET", "/admin/chats", h_admin_chats, R_ADMIN | R_SESSION},
	{"GET", "/admin/chats/#", h_admin_chat, R_ADMIN | R_SESSION},
	{"POST", "/admin/chats/#/rename", h_admin_chat_rename, R_ADMIN | R_SESSION},
	{"POST", "/admin/chats/#/remove", h_admin_chat_remove, R_ADMIN | R_SESSION},
	{"POST", "/admin/chats/#/owner", h_admin_chat_transfer, R_ADMIN | R_SESSION},
	{"POST", "/admin/chats/#/delete", h_admin_chat_delete, R_ADMIN | R_SESSION},
	{"GET", "/admin/settings", h_admin_settings, R_ADMIN | R_SESSION},
	{"POST", "/admin/settings", h_admin_settings_set, R_ADMIN | R_SESSION},
	{"POST", "/admin/signup-links", h_admin_signup_link, R_ADMIN | R_SESSION},
	/* message actions (h_messages.c) */
	{"GET", "/messages/#", h_message_page, R_SESSION},
	{"PATCH", "/messages/#", h_message_edit, R_SESSION | R_API},
	{"POST", "/messages/#/edit", h_message_edit, R_SESSION | R_HTML},
	{"DELETE", "/messages/#", h_message_delete, R_SESSION | R_API},
	{"POST", "/messages/#/delete", h_message_delete, R_SESSION | R_HTML},
	{"GET", "/messages/#/reactions", h_reactions_list, R_SESSION},
	{"PUT", "/messages/#/reactions/*", h_reaction_put, R_SESSION | R_API},
	{"DELETE", "/messages/#/reactions/*", h_reaction_delete, R_SESSION | R_API},
	{"POST", "/messages/#/react", h_reaction_toggle, R_SESSION},
	{"POST", "/messages/#/forward", h_message_forward, R_SESSION},
	{"POST", "/messages/#/pin", h_pin, R_SESSION},
	{"DELETE", "/messages/#/pin", h_unpin, R_SESSION | R_API},
	{"POST", "/messages/#/unpin", h_unpin, R_SESSION | R_HTML},
	{"GET", "/chats/#/pins", h_pins, R_SESSION},
	/* mentions (h_mentions.c) */
	{"GET", "/chats/#/mentionable", h_mention_candidates, R_SESSION | R_API},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

size_t router_count(void) { return N_ROUTES; }

size_t router_index(const struct route *rt)
{
	return rt ? (size_t)(rt - routes) : N_ROUTES;
}

void router_label(size_t i, const char **method, const char **pattern)
{
	*method = i < N_ROUTES ? routes[i].method : "";
	*pattern = i < N_ROUTES ? routes[i].pattern : "unmatched";
}

/* Under /admin: every route there is R_ADMIN, so for anyone else even a
 * wrong method answers 404, not 405 (the panel's paths stay unrevealed). */
static bool admin_path(const char *path)
{
	return strncmp(path, "/admin", 6) == 0 && (path[6] == '\0' || path[6] == '/');
}

/* A "*" segment: a nickname, an invite code or a file name. */
#define SEGMENT_MAX 255

/* Does path match pattern? Fills ids for "#" segments. */
static bool path_matches(const char *pattern, const char *path, int64_t ids[2])
{
	int nid = 0;
	while (*pattern && *path) {
		if (*pattern == '#') {
			const char *end = strchr(path, '/');
			size_t n = end ? (size_t)(end - path) : strlen(path);
			char seg[24];
			if (n == 0 || n >= sizeof(seg) || nid >= 2)
				return false;
			memcpy(seg, path, n);
			seg[n] = '\0';
			if (!parse_id(seg, &ids[nid++]))
				return false;
			path += n;
			pattern++;
			continue;
		}
		if (*pattern == '*') {
			/* any one segment (a nickname, an invite code, a file
			 * name); the handler validates it */
			size_t n = strcspn(path, "/");
			if (n == 0 || n > SEGMENT_MAX)
				return false;
			path += n;
			pattern++;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

/* The "*" segment of a path that matched pattern, copied into the arena. */
static const char *path_word(struct arena *a, const char *pattern, const char *path)
{
	while (*pattern && *path) {
		if (*pattern == '#' || *pattern == '*') {
			size_t n = strcspn(path, "/");
			if (*pattern == '*')
				return arena_strndup(a, path, n);
			path += n;
			pattern++;
			continue;
		}
		pattern++;
		path++;
	}
	return NULL;
}

enum route_match router_match(const char *method, const char *path, bool api,
			      int64_t ids[2], const struct route **out)
{
	bool path_found = false;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];
		if ((api && (rt->flags & R_HTML)) || (!api && (rt->flags & R_API)))
			continue;
		if (!path_matches(rt->pattern, path, ids))
			continue;
		path_found = true;
		if (strcmp(rt->method, method) == 0) {
			*out = rt;
			return ROUTE_FOUND;
		}
	}
	return path_found ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

/* The Allow header for a path that exists: its routes' methods. */
static const char *allowed_methods(struct req *r)
{
	static const char *const methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE"};
	bool has[5] = {false};
	int64_t ids[2];
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];
		if ((r->api && (rt->flags & R_HTML)) || (!r->api && (rt->flags & R_API)))
			continue;
		if (!path_matches(rt->pattern, r->path, ids))
			continue;
		for (int m = 0; m < 5; m++)
			if (strcmp(rt->method, methods[m]) == 0)
				has[m] = true;
	}
	struct buf out = BUF_INIT;
	for (int m = 0; m < 5; m++) {
		if (!has[m])
			continue;
		if (out.len)
			buf_puts(&out, ", ");
		buf_puts(&out, methods[m]);
		if (m == 0)
			buf_puts(&out, ", HEAD");
	}
	const char *allow = arena_strdup(&r->arena, out.data ? out.data : "");
	buf_free(&out);
	return allow;
}

const char *route_segment(struct req *r, int n)
{
	const char *p = r->path;
	for (int i = 0; i <= n; i++) {
		if (*p != '/')
			return NULL;
		p++;
		if (i < n)
			p += strcspn(p, "/");
	}
	return arena_strndup(&r->arena, p, strcspn(p, "/"));
}

static const char *lang_from_header(const char *h)
{
	if (h == NULL)
		return "en";
	/* The first of ru/en named wins; browsers list preferred first. */
	const char *ru = strcasestr(h, "ru"), *en = strcasestr(h, "en");
	if (ru && (!en || ru < en))
		return "ru";
	return "en";
}

static void choose_lang(struct req *r)
{
	const char *c = req_cookie(r, "messly_lang");
	if (c && (strcmp(c, "en") == 0 || strcmp(c, "ru") == 0))
		r->lang = c;
	else if (r->me && r->me->lang)
		r->lang = r->me->lang;
	else
		r->lang = lang_from_header(req_param(r, "HTTP_ACCEPT_LANGUAGE"));
}

static void require_login(struct req *r)
{
	if (r->want_json) {
		view_error(r, 401, "err.unauthorized", NULL);
		return;
	}
	r->status = 303;
	const char *q = req_param(r, "QUERY_STRING");
	struct buf next = BUF_INIT;
	buf_puts(&next, "/login?next=");
	buf_url_encode(&next, r->uri_path, strlen(r->uri_path));
	if (q && *q) {
		buf_url_encode(&next, "?", 1);
		buf_url_encode(&next, q, strlen(q));
	}
	resp_redirect(r, arena_strdup(&r->arena, next.data));
	buf_free(&next);
}

bool router_settle(struct req *r)
{
	if (!r->auth_pending)
		return true;
	r->auth_pending = false;
	r->auth = AUTH_NONE;
	int st = auth_identify(r);
	choose_lang(r);
	if (st) {
		view_error(r, st, st == 503 ? "err.unavailable" : "err.internal", NULL);
		return false;
	}
	if (r->me == NULL) {
		require_login(r);
		return false;
	}
	return true;
}

void router_adopt(struct req *r, const PGresult *res, int row, int col)
{
	auth_adopt(r, res, row, col);
	choose_lang(r);
}

void router_dispatch(struct req *r)
{
	r->lang = "en";
	int st = http_read_head(r);
	if (st) {
		view_error(r, st, "err.bad_request", NULL);
		return;
	}
	const struct route *rt = NULL;
	enum route_match m = router_match(r->method, r->path, r->api, r->ids, &rt);
	bool deferred = m == ROUTE_FOUND && (rt->flags & R_SELF_AUTH) && auth_defer(r);
	st = deferred ? 0 : auth_identify(r);
	choose_lang(r);
	if (st) {
		view_error(r, st, st == 503 ? "err.unavailable" : "err.internal", NULL);
		return;
	}
	bool admin = r->me && r->me->is_admin;
	if (m == ROUTE_NOT_FOUND || (rt && (rt->flags & R_ADMIN) && !admin) ||
	    (m == ROUTE_BAD_METHOD && admin_path(r->path) && !admin)) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	if (m == ROUTE_BAD_METHOD) {
		resp_header(r, "Allow", allowed_methods(r));
		view_error(r, 405, "err.method", NULL);
		return;
	}
	r->route = rt;
	r->word = path_word(&r->arena, rt->pattern, r->path);
	if ((rt->flags & R_SESSION) && r->me == NULL && !r->auth_pending) {
		require_login(r);
		return;
	}
	if (strcmp(rt->method, "GET") != 0 && !(rt->flags & R_STREAM)) {
		st = http_read_body(r);
		if (st) {
			if (router_settle(r))
				view_error(r, st, st == 413 ? "err.too_large" : "err.bad_request", NULL);
			return;
		}
		if (!(rt->flags & R_NO_CSRF) && !auth_csrf_ok(r)) {
			if (router_settle(r))
				view_error(r, 403, "err.csrf", NULL);
			return;
		}
	}
	rt->handler(r);
}
