/* router.h: the route table with declarative preconditions, and the one
 * function (router_dispatch) that enforces them before any handler runs. */
#ifndef MESSLY_ROUTER_H
#define MESSLY_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "app.h"

enum route_flag {
	R_SESSION = 1 << 0, /* a logged-in user is required */
	R_NO_CSRF = 1 << 1, /* a write that needs no CSRF token (none so far) */
	R_ADMIN = 1 << 2,   /* admins only; others get 404 */
	R_API = 1 << 3,     /* only under /api/ */
	R_HTML = 1 << 4,    /* only without /api/ */
	R_STREAM = 1 << 5,  /* a multipart upload: the body is not read here; the
			     * handler streams it through upload_read(), which
			     * enforces the CSRF check before any file part */
	R_SELF_AUTH = 1 << 6, /* with R_SESSION, for the hottest routes: the
			       * handler's first statement looks the session up
			       * itself (auth_defer in auth.h) and the handler
			       * calls router_adopt() with its row; anything it
			       * answers before that goes through router_settle() */
};

struct route {
	const char *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" (GET also answers HEAD) */
	const char *pattern; /* segments; "#" matches a positive id, "*" any one
				segment of 1..255 bytes, put in r->word (the handler
				validates it); route_segment() reads any by position */
	void (*handler)(struct req *r);
	unsigned flags;
};

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Match a path (without /api) and method against the table. ids receives
 * up to two "#" segments. */
enum route_match router_match(const char *method, const char *path, bool api,
			      int64_t ids[2], const struct route **out);

/* The n-th segment (from 0) of the request's path without /api, e.g. for
 * "/users/anna/block" segment 1 is "anna"; NULL when there is none. In the
 * arena, not decoded. */
const char *route_segment(struct req *r, int n);

/* The route table's size, a route's index (the size for NULL), and its
 * method and pattern: for metrics. */
size_t router_count(void);
size_t router_index(const struct route *rt);
void router_label(size_t i, const char **method, const char **pattern);

/* Route, authenticate, check preconditions, parse the body, run the handler. */
void router_dispatch(struct req *r);

/* R_SELF_AUTH: who is asking, looked up now if it was deferred (a no-op
 * otherwise). False after answering as R_SESSION does without a session
 * (401, or 303 to the login page) or with 503/500; every answer a handler
 * gives before its identifying statement calls this first, so that it is
 * what the route would answer with the lookup done up front. */
bool router_settle(struct req *r);
/* R_SELF_AUTH: the viewer as the handler's statement found them (the
 * AUTH_ME_COLS columns from col of row); the language chosen again. */
void router_adopt(struct req *r, const PGresult *res, int row, int col);

#endif
