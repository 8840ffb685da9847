/* ratelimit.h: the application's rate limits, counted in PostgreSQL
 * (schema/006_limits.sql) so that every worker and every node agrees:
 *   - failed logins per account (default 100 an hour) and per address,
 *     checked in the same statement that looks the login up (STMT_LOGIN_LOOKUP)
 *     and recorded only on failure: the success path costs no extra round trip;
 *   - registrations per address (STMT_AUTH_TAKE, before the password is hashed);
 *   - messages per user: a token bucket taken inside STMT_SEND (h_chats.c).
 * A refused request gets 429 with Retry-After. Addresses listed in
 * MESSLY_LIMIT_EXEMPT skip the per-address limits (never the per-account
 * or per-user ones).
 *
 * Password hashing is bounded by the process model, not by a counter: a
 * worker handles one request at a time, so at most MESSLY_WORKERS hashes run
 * at once (each 128 * r * N bytes: 32 MiB at the default N = 32768), and a
 * burst of logins waits in the FastCGI listen queue instead of piling up. */
#ifndef MESSLY_RATELIMIT_H
#define MESSLY_RATELIMIT_H

#include <stdbool.h>

#include "app.h"

/* The key of the client's address for a limit of kind 'a' (failed logins)
 * or 'r' (registrations): "a:192.0.2.1", IPv6 reduced to its /64. NULL when
 * the address is exempt or unknown. */
const char *limit_addr_key(struct req *r, char kind);

/* Set Retry-After (seconds, at least 1) on the response. */
void limit_retry_after(struct req *r, long long seconds);

/* Take one registration from the address's hourly budget. True: go on.
 * False: the request was answered (429 with Retry-After, or 503). */
bool limit_take_register(struct req *r);

/* Record a failed login against the account key (from STMT_LOGIN_LOOKUP)
 * and the address key (may be NULL). Failures to record are logged only. */
void limit_login_failed(struct req *r, const char *account_key, const char *addr_key);

/* Parameters as text for the statements: the hourly budgets and the send
 * bucket (burst, tokens per second). */
const char *limit_param(struct req *r, int value);
const char *limit_send_rate(struct req *r);

#endif
