/* h_search.c: GET /search - full-text search across the viewer's chats (the
 * ones they are a member of at the time of the search) or within one, with
 * filters (from, chat, has=file, after, before), ranked by relevance and
 * date, with safe highlighted snippets linking to the chat at the message. */
#include <string.h>

#include "buf.h"
#include "db.h"
#include "handlers.h"
#include "input.h"
#include "model.h"
#include "search.h"
#include "view.h"

#define RESULTS_PER_PAGE 20
#define PAGES_MAX 20

struct search_args {
	const char *q, *words, *chat, *from, *after, *before;
	bool file, prefix;
	int nwords;
	long long page, chat_id;
};

/* Read and check the query arguments; false after answering 422. */
static bool search_args(struct req *r, struct search_args *a)
{
	memset(a, 0, sizeof(*a));
	const char *v;
	a->q = req_arg(r, "q") ? req_arg(r, "q") : "";
	if (strlen(a->q) > SEARCH_QUERY_MAX) {
		view_error(r, 422, "err.search.too_long", "q");
		return false;
	}
	a->words = search_words(&r->arena, a->q, &a->nwords, &a->prefix);
	if ((v = req_arg(r, "chat")) && *v) {
		int64_t id;
		if (!parse_id(v, &id)) {
			view_error(r, 422, "err.bad_request", "chat");
			return false;
		}
		a->chat_id = id;
		a->chat = v;
	}
	if ((v = req_arg(r, "from")) && *v) {
		char *nick = nickname_normalize(&r->arena, v);
		if (valid_nickname(nick, strlen(nick)) != NULL) {
			view_error(r, 422, "err.nickname.format", "from");
			return false;
		}
		a->from = nick;
	}
	if ((v = req_arg(r, "has")) && *v) {
		if (strcmp(v, "file") != 0) {
			view_error(r, 422, "err.bad_request", "has");
			return false;
		}
		a->file = true;
	}
	const char *names[] = {"after", "before"};
	const char **dst[] = {&a->after, &a->before};
	for (int i = 0; i < 2; i++) {
		if ((v = req_arg(r, names[i])) && *v) {
			if (!search_date_ok(v)) {
				view_error(r, 422, "err.search.date", names[i]);
				return false;
			}
			*dst[i] = v;
		}
	}
	a->page = 1;
	if ((v = req_arg(r, "page")) && *v) {
		int64_t p;
		if (!parse_int_range(v, 1, PAGES_MAX, &p)) {
			view_error(r, 422, "err.bad_request", "page");
			return false;
		}
		a->page = p;
	}
	return true;
}

/* One result row as the API's search hit. */
static struct json_object *hit_from_row(struct req *r, const PGresult *res, int i)
{
	struct json_object *h = json_object_new_object();
	long long id = db_int(res, i, 0), chat = db_int(res, i, 1), seq = db_int(res, i, 2);
	jset_int(h, "id", id);
	jset_int(h, "seq", seq);
	jset_str(h, "kind", db_text(res, i, 3));
	jset_str(h, "created_at", db_text(res, i, 4));
	jset(h, "sender", PQgetisnull(res, i, 5) ? NULL
			  : user_public_json(db_int(res, i, 5), db_text(res, i, 6),
					     db_text(res, i, 7)));
	struct json_object *c = json_object_new_object();
	jset_int(c, "id", chat);
	jset_str(c, "kind", db_text(res, i, 8));
	jset_str(c, "title", db_text(res, i, 9));
	jset(h, "chat", c);
	jset_str(h, "snippet_html", search_snippet_html(&r->arena, db_text(res, i, 10)));
	jset_str(h, "url", arena_printf(&r->arena, "/chats/%lld?around=%lld#m-%lld", chat, seq, id));
	if (!r->want_json)
		message_decorate(h, r->me);
	return h;
}

/* Run the search into results; false after answering an error. */
static bool run_search(struct req *r, const struct search_args *a, struct json_object *results,
		       bool *more)
{
	const char *params[] = {
		arena_printf(&r->arena, "%lld", (long long)r->me->id), a->words,
		a->prefix ? "true" : "false", a->chat, a->from, a->file ? "true" : "false",
		a->after, a->before, arena_printf(&r->arena, "%d", RESULTS_PER_PAGE + 1),
		arena_printf(&r->arena, "%lld", (a->page - 1) * RESULTS_PER_PAGE)};
	PGresult *res;
	if (!view_run(r, STMT_SEARCH, params, 10, &res))
		return false;
	int n = PQntuples(res);
	*more = n > RESULTS_PER_PAGE;
	for (int i = 0; i < n && i < RESULTS_PER_PAGE; i++)
		json_object_array_add(results, hit_from_row(r, res, i));
	return true;
}

/* The viewer's chats for the "in chat" filter, the chosen one selected. */
static bool chat_choices(struct req *r, long long chosen, struct json_object *m)
{
	const char *params[] = {arena_printf(&r->arena, "%lld", (long long)r->me->id)};
	PGresult *res;
	if (!view_run(r, STMT_CHATS_LIST, params, 1, &res))
		return false;
	struct json_object *chats = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *c = json_object_new_object();
		jset_int(c, "id", db_int(res, i, 0));
		const char *title = db_text(res, i, 2);
		jset_str(c, "title", title ? title : db_text(res, i, 8));
		jset_bool(c, "selected", db_int(res, i, 0) == chosen);
		json_object_array_add(chats, c);
	}
	jset(m, "chats", chats);
	return true;
}

/* The form's values, kept for the page and the "more" link. */
static void echo_args(const struct search_args *a, struct json_object *m)
{
	jset_str(m, "q", a->q);
	jset_str(m, "from", a->from ? a->from : "");
	jset_str(m, "after", a->after ? a->after : "");
	jset_str(m, "before", a->before ? a->before : "");
	jset_bool(m, "file", a->file);
	if (a->chat)
		jset_int(m, "chat", a->chat_id);
	struct buf next = BUF_INIT;
	const char *keys[] = {"q", "from", "after", "before"};
	const char *vals[] = {a->q, a->from, a->after, a->before};
	buf_puts(&next, "/search?");
	for (int i = 0; i < 4; i++) {
		if (vals[i] == NULL)
			continue;
		buf_printf(&next, "%s=", keys[i]);
		buf_url_encode(&next, vals[i], strlen(vals[i]));
		buf_putc(&next, '&');
	}
	if (a->chat)
		buf_printf(&next, "chat=%lld&", a->chat_id);
	if (a->file)
		buf_puts(&next, "has=file&");
	buf_printf(&next, "page=%lld", a->page + 1);
	jset_str(m, "next_url", next.data);
	buf_free(&next);
}

void h_search(struct req *r)
{
	struct search_args a;
	if (!search_args(r, &a))
		return;
	struct json_object *m = view_object(r);
	struct json_object *results = json_object_new_array();
	jset(m, "results", results);
	bool more = false;
	if (a.nwords > 0 && !run_search(r, &a, results, &more))
		return;
	jset_bool(m, "more", more);
	if (!r->want_json) {
		jset_bool(m, "searched", a.nwords > 0);
		jset_int(m, "page", a.page);
		jset_int(m, "results_count", (long long)json_object_array_length(results));
		echo_args(&a, m);
		if (!chat_choices(r, a.chat_id, m))
			return;
	}
	view_render(r, 200, "search", "title.search", m);
}
