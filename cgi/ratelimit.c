/* ratelimit.c: rate limits kept in PostgreSQL, the client address key and the
 * 429 answer (see ratelimit.h). */
#include "ratelimit.h"

#include <arpa/inet.h>
#include <string.h>

#include "db.h"
#include "http.h"
#include "log.h"
#include "view.h"

/* Is addr one of the comma-separated addresses in list? */
static bool listed(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == n && strncmp(p, addr, n) == 0)
			return true;
		p = end ? end + 1 : p + len;
	}
	return false;
}

/* The canonical text of an address; IPv6 keeps its first 64 bits, since one
 * host usually holds a whole /64. NULL when it is not an address. */
static const char *canonical_addr(struct req *r, const char *addr)
{
	struct in_addr v4;
	struct in6_addr v6;
	char out[INET6_ADDRSTRLEN];
	if (inet_pton(AF_INET, addr, &v4) == 1)
		return inet_ntop(AF_INET, &v4, out, sizeof(out)) ? arena_strdup(&r->arena, out) : NULL;
	if (inet_pton(AF_INET6, addr, &v6) != 1)
		return NULL;
	memset(v6.s6_addr + 8, 0, 8);
	if (inet_ntop(AF_INET6, &v6, out, sizeof(out)) == NULL)
		return NULL;
	return arena_printf(&r->arena, "%s/64", out);
}

const char *limit_addr_key(struct req *r, char kind)
{
	const char *addr = req_param(r, "REMOTE_ADDR");
	if (addr == NULL || *addr == '\0' || listed(r->app->cfg.limit_exempt, addr))
		return NULL;
	const char *canon = canonical_addr(r, addr);
	if (canon == NULL)
		return NULL;
	return arena_printf(&r->arena, "%c:%s", kind, canon);
}

void limit_retry_after(struct req *r, long long seconds)
{
	if (seconds < 1)
		seconds = 1;
	resp_header(r, "Retry-After", arena_printf(&r->arena, "%lld", seconds));
}

const char *limit_param(struct req *r, int value)
{
	return arena_printf(&r->arena, "%d", value);
}

const char *limit_send_rate(struct req *r)
{
	return arena_printf(&r->arena, "%.6f", r->app->cfg.send_per_minute / 60.0);
}

bool limit_take_register(struct req *r)
{
	const char *key = limit_addr_key(r, 'r');
	if (key == NULL)
		return true;
	const char *params[] = {key, limit_param(r, r->app->cfg.register_addr_max)};
	PGresult *res;
	enum db_status st = db_run(r, STMT_AUTH_TAKE, params, 2, &res);
	if (st != DB_OK || PQntuples(res) != 1) {
		view_db_error(r, st);
		return false;
	}
	if (db_text(res, 0, 0) == NULL)
		return true;
	limit_retry_after(r, db_int(res, 0, 0));
	view_error(r, 429, "err.rate_limited", NULL);
	return false;
}

void limit_login_failed(struct req *r, const char *account_key, const char *addr_key)
{
	if (account_key == NULL)
		return;
	const char *params[] = {account_key, addr_key};
	PGresult *res;
	if (db_run(r, STMT_AUTH_FAILED, params, 2, &res) != DB_OK)
		log_error("could not record a failed login");
}
