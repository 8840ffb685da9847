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
	{"GET", "/chats/#/messages", h_messages_list, R_SESSION},
	{"POST", "/chats/#/messages", h_message_send, R_SESSION},
	{"GET", "/chats/#/events", h_events, R_SESSION},
	{"POST", "/chats/#/read", h_read, R_SESSION},
	{"GET", "/connect", h_connect, R_HTML},
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
};

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
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
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
static const char *allowed_methods(const char *path, bool api)
{
	bool get = false, post = false, put = false;
	int64_t ids[2];
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];
		if ((api && (rt->flags & R_HTML)) || (!api && (rt->flags & R_API)))
			continue;
		if (!path_matches(rt->pattern, path, ids))
			continue;
		if (strcmp(rt->method, "GET") == 0)
			get = true;
		else if (strcmp(rt->method, "PUT") == 0)
			put = true;
		else
			post = true;
	}
	const char *all[] = {"POST", "PUT", "POST, PUT", "GET, HEAD", "GET, HEAD, POST",
			     "GET, HEAD, PUT", "GET, HEAD, POST, PUT"};
	int k = (get ? 4 : 0) + (put ? 2 : 0) + (post ? 1 : 0);
	return k == 0 ? "GET, HEAD" : all[k - 1];
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
	st = auth_identify(r);
	choose_lang(r);
	if (st) {
		view_error(r, st, st == 503 ? "err.unavailable" : "err.internal", NULL);
		return;
	}
	if (m == ROUTE_NOT_FOUND || (rt && (rt->flags & R_ADMIN) && !(r->me && r->me->is_admin))) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	if (m == ROUTE_BAD_METHOD) {
		resp_header(r, "Allow", allowed_methods(r->path, r->api));
		view_error(r, 405, "err.method", NULL);
		return;
	}
	r->route = rt;
	if ((rt->flags & R_SESSION) && r->me == NULL) {
		require_login(r);
		return;
	}
	if (strcmp(rt->method, "GET") != 0) { /* POST, PUT */
		st = http_read_body(r);
		if (st) {
			view_error(r, st, st == 413 ? "err.too_large" : "err.bad_request", NULL);
			return;
		}
		if (!(rt->flags & R_NO_CSRF) && !auth_csrf_ok(r)) {
			view_error(r, 403, "err.csrf", NULL);
			return;
		}
	}
	rt->handler(r);
}
