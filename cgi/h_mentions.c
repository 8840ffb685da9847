/* h_mentions.c: who to suggest after "@" in the composer (GET
 * /api/chats/ID/mentionable?q=): members of the chat, not the viewer,
 * whose nickname or a word of whose name starts with q. Storing and
 * showing mentions is mentions.c, the send and edit statements and
 * model.c (message_set_mentions). */
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "model.h"
#include "view.h"

#define Q_MAX_BYTES 64
#define SUGGEST_MAX "8"

/* q without a leading "@"; NULL when too long or holding a control byte. */
static const char *mention_query(const char *raw)
{
	const char *q = raw ? raw : "";
	if (*q == '@')
		q++;
	size_t n = strlen(q);
	if (n > Q_MAX_BYTES)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)q[i] < 0x20 || q[i] == 0x7f)
			return NULL;
	return q;
}

void h_mention_candidates(struct req *r)
{
	const char *q = mention_query(req_arg(r, "q"));
	if (q == NULL) {
		view_error(r, 422, "err.bad_request", "q");
		return;
	}
	const char *params[] = {arena_printf(&r->arena, "%lld", (long long)r->me->id),
				arena_printf(&r->arena, "%lld", (long long)r->ids[0]), q, SUGGEST_MAX};
	PGresult *res;
	if (!view_run(r, STMT_MENTION_CANDIDATES, params, 4, &res))
		return;
	if (PQntuples(res) == 0) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	struct json_object *m = view_object(r), *users = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 1))
			continue;
		struct json_object *u = user_public_json(db_int(res, i, 1), db_text(res, i, 2),
							 db_text(res, i, 3));
		jset(u, "avatar", avatar_json(db_int(res, i, 4)));
		json_object_array_add(users, u);
	}
	jset(m, "users", users);
	view_json(r, 200, m);
}
