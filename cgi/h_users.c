/* h_users.c: finding people by nickname prefix. */
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "model.h"
#include "view.h"

#define QUERY_MAX 32

/* A nickname prefix as a LIKE pattern ('_' escaped); NULL when q cannot
 * be the start of any nickname. */
static char *prefix_pattern(struct req *r, const char *q)
{
	size_t n = strlen(q);
	if (n == 0 || n > QUERY_MAX)
		return NULL;
	char *out = arena_alloc(&r->arena, 2 * n + 2);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = q[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return NULL;
		if (c == '_')
			out[o++] = '\\';
		out[o++] = c;
	}
	out[o++] = '%';
	out[o] = '\0';
	return out;
}

void h_users_search(struct req *r)
{
	const char *raw = req_arg(r, "q");
	char *q = nickname_normalize(&r->arena, raw ? raw : "");
	while (*q == ' ')
		q++;
	struct json_object *m = view_object(r);
	struct json_object *users = json_object_new_array();
	jset(m, "users", users);
	jset_str(m, "q", raw ? raw : "");
	jset_bool(m, "searched", raw != NULL && *raw);
	char *pattern = prefix_pattern(r, q);
	if (pattern) {
		const char *params[] = {pattern, q};
		PGresult *res;
		enum db_status st = db_run(r, STMT_USERS_SEARCH, params, 2, &res);
		if (st != DB_OK) {
			view_db_error(r, st);
			return;
		}
		for (int i = 0; i < PQntuples(res); i++)
			json_object_array_add(users, user_public_json(db_int(res, i, 0),
								      db_text(res, i, 1),
								      db_text(res, i, 2)));
	}
	view_render(r, 200, "users", "title.users", m);
}
