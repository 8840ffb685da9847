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
#include "crypto.h"
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
	const char *socket_group;   /* group given the FastCGI socket; "": unchanged */
	const char *files_dir;      /* uploaded files (MESSLY_FILES_DIR) */
	const char *file;           /* the configuration file read; "" when none */
	const char *values[32];     /* every setting's effective value as text (config.c) */
	int lines[32];              /* the file's line of each value; 0 default, -1 env */
	char *file_text;            /* the file's text, which values[] point into */
	/* rate limits (cgi/ratelimit.c) */
	int login_account_max;      /* failed logins per account an hour */
	int login_addr_max;         /* failed logins per address an hour */
	int register_addr_max;      /* registrations per address an hour */
	int send_burst;             /* messages a user may send at once */
	int send_per_minute;        /* ... and then this many a minute */
	const char *limit_exempt;   /* addresses exempt from per-address limits */
	size_t max_upload;          /* bytes of one upload request (MESSLY_MAX_UPLOAD) */
	bool log_requests;          /* one log line per request (MESSLY_LOG_REQUESTS) */
	int presence_ttl;           /* seconds a connection counts as online without a heartbeat (MESSLY_PRESENCE_TTL) */
	/* the auth pool (server.c): workers of their own for /login and /register */
	const char *auth_socket;    /* its FastCGI socket (MESSLY_AUTH_SOCKET; derived from socket) */
	int auth_workers;           /* its processes (MESSLY_AUTH_WORKERS) */
	char auth_socket_buf[256];  /* the derived path */
};

struct app {
	struct config cfg;
	struct templates *tpl;
	uint8_t secret[32];
	struct hmac_key secret_key; /* secret's HMAC state (config_load_secret) */
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
	/* profile and preferences (schema/004_profiles.sql) */
	const char *about;
	const char *theme;   /* "system" | "light" | "dark" */
	const char *privacy; /* who sees my presence: "everyone" | "contacts" | "nobody" */
	bool notify, notify_preview;
	const char *send_key; /* composer: "enter" | "ctrl_enter" (schema/011_chatux.sql) */
	int64_t avatar_id; /* 0: none (the initials badge) */
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
	const char *word;      /* the "*" path segment matched by the route, or NULL */
	const struct route *route;

	/* who is asking */
	enum auth_kind auth;
	struct user *me;
	uint8_t session_hash[32]; /* when authenticated */
	int64_t session_id;       /* sessions.id of that session */
	bool auth_pending;        /* R_SELF_AUTH: token seen, not looked up yet (auth_defer) */
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
