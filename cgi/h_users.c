/* h_users.c: finding people: by nickname prefix and by the prefix of any
 * word of the display name (ignoring case, ё as е), ranked exact nickname,
 * nickname prefix, then name matches; paginated. Deactivated and deleted
 * accounts, and people who blocked the searcher, are not found
 * (STMT_USERS_SEARCH). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "model.h"
#include "view.h"

#define QUERY_MAX_CHARS 64
#define PAGE_DEFAULT 20
#define PAGE_MAX 50
#define OFFSET_MAX 1000

/* q lower-cased when it can be the start of a nickname, else NULL. */
static const char *nickname_prefix(struct req *r, const char *q)
{
	size_t n = strlen(q);
	if (n == 0 || n > 32)
		return NULL;
	char *out = arena_strndup(&r->arena, q, n);
	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)out[i]);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return NULL;
		out[i] = c;
	}
	return out;
}

/* A numeric query argument in [min, max]; dflt when absent or invalid. */
static long long arg_num(struct req *r, const char *name, long long min, long long max,
			 long long dflt)
{
	int64_t v;
	const char *s = req_arg(r, name);
	return s && parse_int_range(s, min, max, &v) ? v : dflt;
}

/* The search text: spaces around and a leading '@' dropped. */
static const char *query_text(struct req *r, const char *raw)
{
	if (raw == NULL)
		return "";
	while (*raw == ' ' || *raw == '\t')
		raw++;
	if (*raw == '@')
		raw++;
	size_t n = strlen(raw);
	while (n > 0 && (raw[n - 1] == ' ' || raw[n - 1] == '\t'))
		n--;
	return arena_strndup(&r->arena, raw, n);
}

void h_users_search(struct req *r)
{
	const char *raw = req_arg(r, "q");
	const char *q = query_text(r, raw);
	long long limit = arg_num(r, "limit", 1, PAGE_MAX, PAGE_DEFAULT);
	long long offset = arg_num(r, "offset", 0, OFFSET_MAX, 0);
	struct json_object *m = view_object(r);
	struct json_object *users = json_object_new_array();
	jset(m, "users", users);
	jset_str(m, "q", raw ? raw : "");
	if (!r->want_json && raw) { /* for the page links */
		struct buf enc = BUF_INIT;
		buf_url_encode(&enc, raw, strlen(raw));
		jset_str(m, "q_url", enc.data ? enc.data : "");
		buf_free(&enc);
	}
	jset_bool(m, "searched", raw != NULL && *raw);
	bool more = false;
	size_t chars = utf8_count(q, strlen(q));
	if (chars > 0 && chars <= QUERY_MAX_CHARS) {
		char lim[24], off[24], id[24];
		snprintf(lim, sizeof(lim), "%lld", limit + 1); /* one more: is there a next page? */
		snprintf(off, sizeof(off), "%lld", offset);
		snprintf(id, sizeof(id), "%lld", (long long)r->me->id);
		const char *params[] = {id, nickname_prefix(r, q), q, lim, off};
		PGresult *res;
		enum db_status st = db_run(r, STMT_USERS_SEARCH, params, 5, &res);
		if (st != DB_OK) {
			view_db_error(r, st);
			return;
		}
		int n = PQntuples(res);
		more = n > limit && offset + limit <= OFFSET_MAX;
		for (int i = 0; i < n && i < limit; i++) {
			struct json_object *u = user_public_json(db_int(res, i, 0), db_text(res, i, 1),
								 db_text(res, i, 2));
			jset(u, "avatar", avatar_json(db_int(res, i, 3)));
			json_object_array_add(users, u);
		}
	}
	jset_bool(m, "has_more", more);
	if (more)
		jset_int(m, "next_offset", offset + limit);
	if (offset > 0 && !r->want_json) {
		jset_bool(m, "has_prev", 1);
		jset_int(m, "prev_offset", offset > limit ? offset - limit : 0);
	}
	jset_int(m, "offset", offset);
	view_render(r, 200, "users", "title.users", m);
}
