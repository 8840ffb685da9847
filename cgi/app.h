/* app.h: the three lifetimes of Messly's state.
 *   struct app    - process-wide, read-only once the workers run (config,
 *                   templates, secret).
 *   struct worker - one per worker process (database connection, publisher).
 *   struct req    - one per request, everything in its arena, freed at once.
 */
#ifndef MESSLY_APP_H
#define MESSLY_APP_H

#include <fcgiapp.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "input.h"

struct templates;
struct db;
struct publisher;
struct markdown;

struct config {
	const char *db;             /* libpq conninfo (MESSLY_DB) */
	const char *socket;         /* FastCGI unix socket (MESSLY_SOCKET) */
	const char *publish_socket; /* nchan publisher socket (MESSLY_PUBLISH_SOCKET) */
	const char *secret_file;    /* MESSLY_SECRET_FILE */
	const char *home;           /* templates/, schema/ live here (MESSLY_HOME) */
	const char *origin;         /* "http://host:port"; empty: from Host header */
	uint32_t scrypt_n;          /* MESSLY_SCRYPT_N, a power of two */
	int workers;                /* MESSLY_WORKERS or --workers */
	size_t max_body;            /* bytes accepted in a form/JSON body */
	int session_days;           /* session lifetime */
	int presence_ttl;           /* seconds a connection counts as online without a heartbeat (MESSLY_PRESENCE_TTL) */
};

struct app {
	struct config cfg;
	struct templates *tpl;
	uint8_t secret[32];
};

struct worker {
	const struct app *app;
	struct db *db;
	struct publisher *pub;
	struct markdown *md;
};

enum auth_kind { AUTH_NONE, AUTH_COOKIE, AUTH_BEARER };

struct user {
	int64_t id;
	const char *nickname, *name, *email, *lang;
	bool is_admin;
};

struct route;

struct req {
	struct arena arena;
	struct worker *w;
	const struct app *app;
	FCGX_Request *fcgi;

	/* request line and headers */
	const char *method;
	const char *uri_path;  /* as sent, e.g. /api/chats/5 */
	const char *path;      /* without the /api prefix */
	bool api;              /* under /api/ */
	bool want_json;        /* /api/ or Accept: application/json */
	struct input query;
	struct input cookies;
	struct input form;     /* body: form or JSON members */
	bool has_body;
	const char *content_type;
	int64_t ids[2];        /* numeric path segments matched by the route */
	const struct route *route;

	/* who is asking */
	enum auth_kind auth;
	struct user *me;
	uint8_t session_hash[32]; /* when authenticated */
	const char *csrf;         /* token for forms on this page */
	const char *lang;         /* "en" or "ru" */

	/* response */
	int status;
	struct buf headers;
	struct buf body;
	bool responded;
};

/* Request accessors (http.c). */
const char *req_param(const struct req *r, const char *name); /* FastCGI/CGI variable */
const char *req_arg(const struct req *r, const char *name);   /* query string */
const char *req_field(const struct req *r, const char *name); /* body (form or JSON) */
const struct input_pair *req_field_pair(const struct req *r, const char *name);
const char *req_cookie(const struct req *r, const char *name);

#endif
