/* auth.h: who is asking. Passwords (libscrypt), sessions (random 256-bit
 * tokens stored as SHA-256), bearer tokens, CSRF tokens with the Origin
 * check, and each user's private live channel id. */
#ifndef MESSLY_AUTH_H
#define MESSLY_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "app.h"
#include "db.h"

#define SESSION_COOKIE "messly_session"
#define PRESESSION_COOKIE "messly_pre"
#define TOKEN_HEX_LEN 64
#define CHANNEL_ID_LEN 32

/* Find the user behind the session cookie or bearer token. Sets r->me and
 * r->auth. Returns 0, or 503 when the database is unavailable. */
int auth_identify(struct req *r);

/* Routes that identify the viewer inside their own first statement
 * (R_SELF_AUTH, one round trip instead of two): when the request carries a
 * well-formed token, note its kind and hash without a query, set
 * r->auth_pending and return true (false: nothing to look up). The
 * statement takes auth_hash_param() and auth_client_ip() and ends its rows
 * with the viewer's AUTH_ME_COLS columns (SESSION_ME in db.c), which
 * auth_adopt() reads. router_settle() looks the session up the usual way
 * when a handler must answer before (or without) such a statement. */
bool auth_defer(struct req *r);
const char *auth_hash_param(struct req *r);
#define AUTH_ME_COLS (ME_NCOLS + 2) /* ME_COLS, the session id, the avatar */
void auth_adopt(struct req *r, const PGresult *res, int row, int col);

/* The CSRF token for this browser (derived from its session cookie, or from
 * a pre-session cookie that is set here when missing). */
const char *auth_csrf_token(struct req *r);
/* A state-changing request passes when it is bearer-authenticated, or an
 * anonymous JSON request without cookies, or carries the right token (form
 * field "csrf" or header X-CSRF-Token) and a same-origin Origin/Referer. */
bool auth_csrf_ok(struct req *r);

/* scrypt with the configured N, r=8, p=1 into out (SCRYPT_MCF_LEN bytes). */
int auth_hash_password(const struct app *app, const char *password, char out[128]);
/* True only when libscrypt_check() > 0 (on a copy of the hash). */
bool auth_check_password(const char *hash, const char *password);
/* Spend the same time as a real check (for unknown logins). */
void auth_dummy_check(const struct app *app, const char *password);

/* A new session: token (64 hex chars + NUL) and its hash as a bytea
 * literal ("\\x" + 64 hex chars + NUL). */
int auth_new_token(char token[TOKEN_HEX_LEN + 1], char hash_lit[2 + 64 + 1]);
/* Set the session cookie (HTML logins). */
void auth_set_cookie(struct req *r, const char *token);
/* End the current session (cookie or bearer). 0, or 503. */
int auth_logout(struct req *r);

/* The client's address (REMOTE_ADDR) when it looks like an IPv4/IPv6
 * address, else NULL. Stored with sessions. */
const char *auth_client_ip(const struct req *r);

/* The user's private nchan channel id: hex HMAC(secret, "user:ID"), 32 chars.
 * Events for the user are published here. */
void auth_channel_id(const struct app *app, int64_t user_id, char out[CHANNEL_ID_LEN + 1]);
/* A session's own channel: nothing is published to it; deleting it closes
 * the sockets of that session only. */
void auth_session_channel_id(const struct app *app, const uint8_t session_hash[32],
			     char out[CHANNEL_ID_LEN + 1]);

#endif
