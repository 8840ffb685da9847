/* auth.c: passwords, sessions, bearer tokens, CSRF and channel ids (see auth.h). */
#include "auth.h"

#include <libscrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "model.h"

static const char *bearer_token(const struct req *r)
{
	const char *h = req_param(r, "HTTP_AUTHORIZATION");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	return h + 7;
}

static bool token_format_ok(const char *t)
{
	if (t == NULL || strlen(t) != TOKEN_HEX_LEN)
		return false;
	for (const char *p = t; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static void hash_literal(const char *token, char out[2 + 64 + 1], uint8_t raw[32])
{
	sha256(token, strlen(token), raw);
	out[0] = '\\';
	out[1] = 'x';
	hex_encode(raw, 32, out + 2);
}

/* The request's token (bearer first, then the cookie) and its kind; NULL
 * when there is none of the right form. */
static const char *request_token(const struct req *r, enum auth_kind *kind)
{
	const char *token = bearer_token(r);
	*kind = AUTH_BEARER;
	if (token == NULL) {
		token = req_cookie(r, SESSION_COOKIE);
		*kind = AUTH_COOKIE;
	}
	return token_format_ok(token) ? token : NULL;
}

void auth_adopt(struct req *r, const PGresult *res, int row, int col)
{
	struct user *u = user_from_row_at(&r->arena, res, row, col);
	r->session_id = db_int(res, row, col + ME_NCOLS);
	u->avatar_id = db_int(res, row, col + ME_NCOLS + 1);
	r->me = u;
	r->auth_pending = false;
}

int auth_identify(struct req *r)
{
	enum auth_kind kind;
	const char *token = request_token(r, &kind);
	if (token == NULL)
		return 0;
	char lit[67];
	uint8_t raw[32];
	hash_literal(token, lit, raw);
	const char *params[] = {lit, auth_client_ip(r)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_SESSION_USER, params, 2, &res);
	if (st == DB_UNAVAILABLE)
		return 503;
	if (st != DB_OK)
		return 500;
	if (PQntuples(res) != 1)
		return 0;
	auth_adopt(r, res, 0, 0);
	r->auth = kind;
	memcpy(r->session_hash, raw, 32);
	return 0;
}

bool auth_defer(struct req *r)
{
	enum auth_kind kind;
	const char *token = request_token(r, &kind);
	if (token == NULL)
		return false;
	char lit[67];
	hash_literal(token, lit, r->session_hash);
	r->auth = kind; /* what the CSRF check needs; the session is checked later */
	r->auth_pending = true;
	return true;
}

const char *auth_hash_param(struct req *r)
{
	char *lit = arena_alloc(&r->arena, 2 + 64 + 1);
	lit[0] = '\\';
	lit[1] = 'x';
	hex_encode(r->session_hash, 32, lit + 2);
	return lit;
}

static const char *csrf_for(struct req *r, const char *basis)
{
	uint8_t mac[32];
	char *msg = arena_printf(&r->arena, "csrf:%s", basis);
	hmac_sha256_keyed(&r->app->secret_key, msg, strlen(msg), mac);
	char *hex = arena_alloc(&r->arena, 65);
	hex_encode(mac, 32, hex);
	return hex;
}

const char *auth_csrf_token(struct req *r)
{
	if (r->csrf)
		return r->csrf;
	const char *basis = NULL;
	if (r->auth == AUTH_COOKIE)
		basis = req_cookie(r, SESSION_COOKIE);
	if (basis == NULL) {
		basis = req_cookie(r, PRESESSION_COOKIE);
		if (!token_format_ok(basis)) {
			char token[TOKEN_HEX_LEN + 1], lit[67];
			if (auth_new_token(token, lit) != 0)
				return "";
			basis = arena_strdup(&r->arena, token);
			resp_cookie(r, PRESESSION_COOKIE, basis, -1);
		}
	}
	r->csrf = csrf_for(r, basis);
	return r->csrf;
}

static bool same_origin(struct req *r)
{
	const char *own = http_origin(r);
	const char *origin = req_param(r, "HTTP_ORIGIN");
	if (origin && *origin)
		return strcmp(origin, own) == 0;
	const char *ref = req_param(r, "HTTP_REFERER");
	if (ref == NULL)
		return false;
	size_t n = strlen(own);
	return strncmp(ref, own, n) == 0 && (ref[n] == '/' || ref[n] == '\0');
}

bool auth_csrf_ok(struct req *r)
{
	if (r->auth == AUTH_BEARER)
		return true;
	bool json = r->content_type && strncasecmp(r->content_type, "application/json", 16) == 0;
	if (r->auth == AUTH_NONE && json && req_cookie(r, SESSION_COOKIE) == NULL &&
	    req_cookie(r, PRESESSION_COOKIE) == NULL)
		return true; /* a cross-site page cannot send JSON without CORS */
	if (!same_origin(r))
		return false;
	const char *sent = req_param(r, "HTTP_X_CSRF_TOKEN");
	if (sent == NULL)
		sent = req_field(r, "csrf");
	if (sent == NULL || strlen(sent) != 64)
		return false;
	const char *basis = NULL;
	if (r->auth == AUTH_COOKIE)
		basis = req_cookie(r, SESSION_COOKIE);
	else
		basis = req_cookie(r, PRESESSION_COOKIE);
	if (!token_format_ok(basis))
		return false;
	const char *want = csrf_for(r, basis);
	return ct_equal(sent, want, 64);
}

int auth_hash_password(const struct app *app, const char *password, char out[128])
{
	return libscrypt_hash(out, password, app->cfg.scrypt_n, 8, 1) == 1 ? 0 : -1;
}

bool auth_check_password(const char *hash, const char *password)
{
	char copy[SCRYPT_MCF_LEN + 1];
	if (hash == NULL || strlen(hash) >= sizeof(copy))
		return false;
	strncpy(copy, hash, sizeof(copy));
	return libscrypt_check(copy, password) > 0;
}

void auth_dummy_check(const struct app *app, const char *password)
{
	char hash[SCRYPT_MCF_LEN];
	if (auth_hash_password(app, password, hash) == 0)
		(void)auth_check_password(hash, "-");
}

int auth_new_token(char token[TOKEN_HEX_LEN + 1], char hash_lit[2 + 64 + 1])
{
	uint8_t raw[32], h[32];
	if (random_bytes(raw, sizeof(raw)) != 0)
		return -1;
	hex_encode(raw, 32, token);
	hash_literal(token, hash_lit, h);
	return 0;
}

void auth_set_cookie(struct req *r, const char *token)
{
	resp_cookie(r, SESSION_COOKIE, token, (long)r->app->cfg.session_days * 86400);
	resp_cookie(r, PRESESSION_COOKIE, "", 0);
}

int auth_logout(struct req *r)
{
	char lit[67];
	lit[0] = '\\';
	lit[1] = 'x';
	hex_encode(r->session_hash, 32, lit + 2);
	const char *params[] = {lit};
	PGresult *res;
	enum db_status st = db_run(r, STMT_SESSION_DELETE, params, 1, &res);
	if (st == DB_UNAVAILABLE)
		return 503;
	if (st != DB_OK)
		return 500;
	if (r->auth == AUTH_COOKIE)
		resp_cookie(r, SESSION_COOKIE, "", 0);
	return 0;
}

const char *auth_client_ip(const struct req *r)
{
	const char *ip = req_param(r, "REMOTE_ADDR");
	if (ip == NULL || *ip == '\0' || strlen(ip) > 45)
		return NULL;
	for (const char *p = ip; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		      (*p >= 'A' && *p <= 'F') || *p == '.' || *p == ':'))
			return NULL;
	return ip;
}

static void channel_of(const struct app *app, const char *msg, char out[CHANNEL_ID_LEN + 1])
{
	uint8_t mac[32];
	hmac_sha256_keyed(&app->secret_key, msg, strlen(msg), mac);
	hex_encode(mac, CHANNEL_ID_LEN / 2, out);
}

void auth_channel_id(const struct app *app, int64_t user_id, char out[CHANNEL_ID_LEN + 1])
{
	char msg[32];
	snprintf(msg, sizeof(msg), "user:%lld", (long long)user_id);
	channel_of(app, msg, out);
}

void auth_session_channel_id(const struct app *app, const uint8_t session_hash[32],
			     char out[CHANNEL_ID_LEN + 1])
{
	char msg[8 + 64 + 1] = "session:";
	hex_encode(session_hash, 32, msg + 8);
	channel_of(app, msg, out);
}
