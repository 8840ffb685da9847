/* router.h: the route table with declarative preconditions, and the one
 * function (router_dispatch) that enforces them before any handler runs. */
#ifndef MESSLY_ROUTER_H
#define MESSLY_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"

enum route_flag {
	R_SESSION = 1 << 0, /* a logged-in user is required */
	R_NO_CSRF = 1 << 1, /* a write that needs no CSRF token (none so far) */
	R_ADMIN = 1 << 2,   /* admins only; others get 404 */
	R_API = 1 << 3,     /* only under /api/ */
	R_HTML = 1 << 4,    /* only without /api/ */
};

struct route {
	const char *method;  /* "GET", "POST" or "PUT" (GET also answers HEAD) */
	const char *pattern; /* segments; "#" matches a positive id */
	void (*handler)(struct req *r);
	unsigned flags;
};

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Match a path (without /api) and method against the table. ids receives
 * up to two "#" segments. */
enum route_match router_match(const char *method, const char *path, bool api,
			      int64_t ids[2], const struct route **out);

/* Route, authenticate, check preconditions, parse the body, run the handler. */
void router_dispatch(struct req *r);

#endif
