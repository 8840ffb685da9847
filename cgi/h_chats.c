/* h_chats.c: the chat list, opening direct chats, reading history, sending
 * messages (idempotent by client_id, gapless seq, published after commit),
 * catch-up events and the read position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "blocks.h"
#include "buf.h"
#include "crypto.h"
#include "db.h"
#include "fault.h"
#include "files.h"
#include "handlers.h"
#include "http.h"
#include "ratelimit.h"
#include "log.h"
#include "markdown.h"
#include "model.h"
#include "msglist.h"
#include "presence.h"
#include "publish.h"
#include "readstate.h"
#include "router.h"
#include "service.h"
#include "settings.h"
#include "template.h"
#include "view.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 100
#define EVENTS_MAX 500
#define SEQ_MAX 9007199254740991LL
#define AROUND_HALF 25 /* messages before and after the seq of ?around= */

static const char *id_str(struct req *r, long long v)
{
	return arena_printf(&r->arena, "%lld", v);
}

static const char *me_id(struct req *r) { return id_str(r, r->me->id); }

/* The viewer's chats (a STMT_CHATS_LIST result) as a JSON array. */
static struct json_object *chats_from(struct req *r, const PGresult *res, long long active)
{
	struct json_object *arr = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *c = chat_from_row(res, i);
		chat_localize(r->app->tpl, c, r->lang);
		if (!r->want_json)
			chat_decorate(c, active);
		json_object_array_add(arr, c);
	}
	return arr;
}

/* The viewer's chats as a JSON array, or NULL after answering an error. */
static struct json_object *load_chats(struct req *r, long long active)
{
	const char *params[] = {me_id(r)};
	PGresult *res;
	if (!view_run(r, STMT_CHATS_LIST, params, 1, &res))
		return NULL;
	return chats_from(r, res, active);
}

/* The chat of a STMT_CHAT_GET result; NULL after answering 404. */
static struct json_object *chat_from(struct req *r, const PGresult *res)
{
	if (PQntuples(res) != 1) {
		view_error(r, 404, "err.not_found", NULL);
		return NULL;
	}
	struct json_object *chat = chat_from_row(res, 0);
	chat_localize(r->app->tpl, chat, r->lang);
	return chat;
}

/* One chat the viewer is a member of; NULL after answering (404 etc.). */
static struct json_object *load_chat(struct req *r, long long chat_id)
{
	const char *params[] = {me_id(r), id_str(r, chat_id)};
	PGresult *res;
	if (!view_run(r, STMT_CHAT_GET, params, 2, &res))
		return NULL;
	return chat_from(r, res);
}

void h_chats_list(struct req *r)
{
	struct json_object *chats = load_chats(r, 0);
	if (chats == NULL)
		return;
	struct json_object *m = view_object(r);
	jset(m, "chats", chats);
	view_render(r, 200, "chats", "title.chats", m);
}

/* Run STMT_DIRECT_OPEN; retried once when a concurrent request created the
 * same chat between our snapshot and our insert. */
static void direct_open(struct req *r, const char *nickname)
{
	const char *params[] = {me_id(r), nickname};
	PGresult *res = NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		enum db_status st = db_run(r, STMT_DIRECT_OPEN, params, 2, &res);
		if (st == DB_CONFLICT)
			continue;
		if (st != DB_OK) {
			view_db_error(r, st);
			return;
		}
		if (PQgetisnull(res, 0, 0)) {
			view_error(r, 404, "err.user.not_found", "nickname");
			return;
		}
		if (db_int(res, 0, 0) == r->me->id) {
			view_error(r, 422, "err.self_chat", "nickname");
			return;
		}
		if (db_bool(res, 0, 3)) { /* the peer blocked the viewer */
			view_error(r, 403, "err.blocked.by_peer", "nickname");
			return;
		}
		bool created = !PQgetisnull(res, 0, 1);
		if (created || !PQgetisnull(res, 0, 2)) {
			long long id = db_int(res, 0, created ? 1 : 2);
			if (!r->want_json) {
				resp_redirect(r, arena_printf(&r->arena, "/chats/%lld", id));
				return;
			}
			struct json_object *chat = load_chat(r, id);
			if (chat == NULL)
				return;
			struct json_object *m = view_object(r);
			jset(m, "chat", chat);
			view_json(r, created ? 201 : 200, m);
			return;
		}
	}
	view_error(r, 409, "err.conflict", NULL);
}

void h_chat_open(struct req *r)
{
	const char *kind = req_field(r, "kind");
	if (kind != NULL && strcmp(kind, "group") == 0) {
		h_group_create(r);
		return;
	}
	if (kind == NULL || strcmp(kind, "direct") != 0) {
		view_error(r, 422, "err.chat.kind", "kind");
		return;
	}
	const char *nick = nickname_normalize(&r->arena, req_field(r, "nickname"));
	if (nick == NULL || *nick == '\0') {
		view_error(r, 422, "err.nickname.format", "nickname");
		return;
	}
	if (valid_nickname(nick, strlen(nick)) != NULL) {
		view_error(r, 404, "err.user.not_found", "nickname");
		return;
	}
	direct_open(r, nick);
}

/* Parse an optional numeric query argument; false after answering 400. */
static bool arg_int(struct req *r, const char *name, long long min, long long max,
		    long long dflt, long long *out)
{
	const char *v = req_arg(r, name);
	if (v == NULL || *v == '\0') {
		*out = dflt;
		return true;
	}
	int64_t n;
	if (!parse_int_range(v, min, max, &n)) {
		if (router_settle(r)) /* R_SELF_AUTH: no answer before the session's */
			view_error(r, 400, "err.bad_request", name);
		return false;
	}
	*out = n;
	return true;
}

/* The messages of a history result (STMT_MESSAGES_BEFORE, _AROUND or
 * _BEFORE_ME, self: the viewer found by the statement) into messages
 * (array, oldest first); returns the chat's last_seq, or -1 after answering
 * an error. */
static long long history_from(struct req *r, PGresult *res, bool self, long long chat,
			      struct json_object *messages, bool *has_older)
{
	if (PQntuples(res) == 0) {
		if (router_settle(r)) /* a session, but not a member */
			view_error(r, 404, "err.not_found", NULL);
		return -1;
	}
	if (self)
		router_adopt(r, res, 0, PQnfields(res) - AUTH_ME_COLS);
	*has_older = false;
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *msg = r->want_json ? message_from_row(res, i, 1, chat)
						       : message_from_row_page(res, i, 1, chat);
		if (msg == NULL)
			continue;
		if (i == 0)
			*has_older = db_int(res, i, 2) > db_int(res, i, 13);
		service_localize(r->app->tpl, msg, r->lang);
		if (db_bool(res, i, 14))
			jset_bool(msg, "collapsed", 1); /* the viewer blocked the sender */
		if (!r->want_json)
			message_decorate(msg, r->me);
		else
			message_set_mentions_me(msg, r->me);
		json_object_array_add(messages, msg);
	}
	return db_int(res, 0, 0);
}

/* History before a seq for GET /api/chats/ID/messages: fills messages
 * (array, oldest first); returns the chat's last_seq, or -1 after answering
 * an error. */
static long long load_history(struct req *r, long long chat, long long before, long long limit,
			      struct json_object *messages, bool *has_older)
{
	/* R_SELF_AUTH: the statement finds the viewer from the session itself,
	 * one round trip */
	bool self = r->auth_pending;
	const char *params[] = {self ? auth_hash_param(r) : me_id(r), id_str(r, chat),
				id_str(r, before), id_str(r, limit), auth_client_ip(r)};
	PGresult *res;
	enum db_status st = self ? db_run(r, STMT_MESSAGES_BEFORE_ME, params, 5, &res)
				 : db_run(r, STMT_MESSAGES_BEFORE, params, 4, &res);
	if (st != DB_OK) {
		view_db_error(r, st);
		return -1;
	}
	return history_from(r, res, self, chat, messages, has_older);
}

/* ?html=1 (static/chatux.js loading older messages): each message's
 * row_html, the <li> of the chat page (templates/partials/message), made
 * as a live event's html is. */
static void add_row_html(struct req *r, struct json_object *messages)
{
	for (size_t i = 0; i < json_object_array_length(messages); i++) {
		struct json_object *msg = json_object_array_get_idx(messages, i), *html;
		struct json_object *ev = message_event(r, msg);
		if (json_object_object_get_ex(ev, "html", &html))
			jset(msg, "row_html", json_object_get(html));
		json_object_put(ev);
	}
}

void h_messages_list(struct req *r)
{
	long long chat = r->ids[0], before, limit;
	if (!arg_int(r, "before", 1, SEQ_MAX, SEQ_MAX, &before) ||
	    !arg_int(r, "limit", 1, PAGE_MAX, PAGE_DEFAULT, &limit))
		return;
	if (!r->want_json) {
		if (!router_settle(r))
			return;
		const char *b = req_arg(r, "before");
		resp_redirect(r, b ? arena_printf(&r->arena, "/chats/%lld?before=%lld", chat, before)
				   : arena_printf(&r->arena, "/chats/%lld", chat));
		return;
	}
	const char *with_html = req_arg(r, "html");
	if (with_html && strcmp(with_html, "1") != 0 && strcmp(with_html, "0") != 0) {
		view_error(r, 400, "err.bad_request", "html");
		return;
	}
	struct json_object *m = view_object(r);
	struct json_object *messages = json_object_new_array();
	jset(m, "messages", messages);
	bool has_older;
	if (load_history(r, chat, before, limit, messages, &has_older) < 0)
		return;
	jset_bool(m, "has_older", has_older);
	if (with_html && strcmp(with_html, "1") == 0)
		add_row_html(r, messages);
	view_json(r, 200, m);
}

/* Move the viewer's read position (and tell their devices, see
 * readstate.h); returns false after answering an error. */
static bool mark_read(struct req *r, long long chat, long long seq, bool *found)
{
	return readstate_mark(r, chat, seq, found);
}

/* ?around=SEQ: the "newer" link when the page stops before the newest. */
static void around_links(struct json_object *m, struct json_object *messages, long long around)
{
	size_t n = json_object_array_length(messages), after = 0;
	long long last = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *seq;
		if (!json_object_object_get_ex(json_object_array_get_idx(messages, i), "seq", &seq))
			continue;
		last = json_object_get_int64(seq);
		after += last >= around;
	}
	if (after == AROUND_HALF) {
		jset_bool(m, "has_newer", true);
		jset_int(m, "newer_around", last + 1);
	}
}

/* A group's page: "blocked_ids" ("1,2,3"), the people the viewer blocked,
 * whose live messages the script collapses as the server does on load.
 * False after answering an error. */
static bool blocked_ids(struct req *r, struct json_object *m, struct json_object *chat)
{
	struct json_object *kind, *v;
	if (!json_object_object_get_ex(chat, "kind", &kind) ||
	    strcmp(json_object_get_string(kind), "group") != 0)
		return true;
	struct json_object *users = blocks_load(r);
	if (users == NULL)
		return false;
	struct buf ids = BUF_INIT;
	for (size_t i = 0; i < json_object_array_length(users); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(users, i), "id", &v))
			buf_printf(&ids, "%s%lld", ids.len ? "," : "", (long long)json_object_get_int64(v));
	json_object_put(users);
	if (ids.len)
		jset_str(m, "blocked_ids", arena_strdup(&r->arena, ids.data));
	buf_free(&ids);
	return true;
}

/* The chat page's reads after the session: each needs only the viewer and
 * the chat (and the page's place in the history), so they go to PostgreSQL
 * together in one round trip (db_batch_run), in the order the page uses
 * them. The chat itself is its row in the sidebar's list (page_chat_row). */
enum page_read {
	PAGE_BLOCK,    /* STMT_BLOCK_STATE (no row but for direct chats) */
	PAGE_CHATS,    /* STMT_CHATS_LIST, the sidebar */
	PAGE_PINS,     /* STMT_PINS */
	PAGE_HISTORY,  /* STMT_MESSAGES_BEFORE or _AROUND */
	PAGE_PRESENCE, /* STMT_PRESENCE_PEER (no row but for direct chats) */
	PAGE_RECEIPTS, /* STMT_RECEIPTS */
	PAGE__N
};

/* Send the page's reads; false after answering an error. */
static bool page_reads(struct req *r, struct db_batch *b, long long chat_id, long long before,
		       long long around)
{
	const char *me = me_id(r), *chat = id_str(r, chat_id);
	const char *pair[] = {me, chat};
	const char *history[] = {me, chat, id_str(r, around ? around : before),
				 id_str(r, around ? AROUND_HALF : PAGE_DEFAULT)};
	db_batch_add(r, b, STMT_BLOCK_STATE, pair, 2);
	db_batch_add(r, b, STMT_CHATS_LIST, pair, 1);
	db_batch_add(r, b, STMT_PINS, pair, 2);
	db_batch_add(r, b, around ? STMT_MESSAGES_AROUND : STMT_MESSAGES_BEFORE, history, 4);
	presence_queue_peer(r, b, chat_id);
	db_batch_add(r, b, STMT_RECEIPTS, pair, 2);
	fault_hold("page.reads"); /* tests/api/zz_process.test.mjs: the connection lost here */
	enum db_status st = b->n == PAGE__N ? db_batch_run(r, b) : DB_ERROR;
	if (st != DB_OK) {
		view_db_error(r, st);
		return false;
	}
	return true;
}

/* Read i's result; NULL after answering its error. */
static PGresult *page_result(struct req *r, const struct db_batch *b, enum page_read i)
{
	if (b->calls[i].st != DB_OK) {
		view_db_error(r, b->calls[i].st);
		return NULL;
	}
	return b->calls[i].res;
}

/* The page's chat from its row in the sidebar's list (STMT_CHATS_LIST has
 * the same columns as STMT_CHAT_GET, and lists only the viewer's chats, so
 * a row there is the membership check): one statement fewer on nearly every
 * page. A chat too old to be among the list's first 500 is read on its own
 * (STMT_CHAT_GET, which also answers 404 to a stranger). NULL after
 * answering an error. */
static struct json_object *page_chat_row(struct req *r, const PGresult *list, long long chat_id)
{
	for (int i = 0; i < PQntuples(list); i++) {
		if (db_int(list, i, 0) != chat_id)
			continue;
		struct json_object *chat = chat_from_row(list, i);
		chat_localize(r->app->tpl, chat, r->lang);
		return chat;
	}
	return load_chat(r, chat_id);
}

/* The chat, the sidebar, the block state and the pins into m from the
 * page's reads; the chat, or NULL after answering an error. */
static struct json_object *page_chat(struct req *r, struct json_object *m,
				     const struct db_batch *b, long long chat_id)
{
	PGresult *res = page_result(r, b, PAGE_CHATS);
	struct json_object *chat = res ? page_chat_row(r, res, chat_id) : NULL;
	if (chat == NULL)
		return NULL;
	chat_decorate(chat, chat_id);
	jset(m, "chat", chat);
	/* direct chats only; none shown after an error (logged) */
	jset(m, "block", blocks_chat_state(b->calls[PAGE_BLOCK].res));
	if (!blocked_ids(r, m, chat))
		return NULL;
	jset(m, "chats", chats_from(r, res, chat_id));
	if ((res = page_result(r, b, PAGE_PINS)) == NULL)
		return NULL;
	pins_add(r, m, chat_id, res); /* the pinned bar (h_messages.c) */
	return chat;
}

/* The chat page (HTML), also used to re-show the composer after an error. */
static void chat_page(struct req *r, int status, long long chat_id, const char *error,
		      const char *text)
{
	long long before, around;
	if (!arg_int(r, "before", 1, SEQ_MAX, SEQ_MAX, &before) ||
	    !arg_int(r, "around", 1, SEQ_MAX, 0, &around))
		return;
	struct db_batch b = {0};
	if (!page_reads(r, &b, chat_id, before, around))
		return;
	struct json_object *m = view_object(r);
	struct json_object *chat = page_chat(r, m, &b, chat_id);
	PGresult *res;
	if (chat == NULL || (res = page_result(r, &b, PAGE_HISTORY)) == NULL)
		return;
	struct json_object *messages = json_object_new_array();
	jset(m, "messages", messages);
	bool has_older, found;
	long long last_seq = history_from(r, res, false, chat_id, messages, &has_older);
	if (last_seq < 0)
		return;
	bool history = before != SEQ_MAX || around != 0; /* not the newest page */
	jset_bool(m, "has_older", has_older);
	jset_bool(m, "history", history);
	if (around)
		around_links(m, messages, around);
	struct json_object *read_seq;
	PGresult *presence = page_result(r, &b, PAGE_PRESENCE), *receipts;
	if (presence == NULL || (receipts = page_result(r, &b, PAGE_RECEIPTS)) == NULL ||
	    !json_object_object_get_ex(chat, "last_read_seq", &read_seq))
		return;
	readstate_decorate_page(r, m, chat, messages, json_object_get_int64(read_seq), presence,
				receipts);
	msglist_decorate(r->app->tpl, r->lang, messages, time(NULL)); /* groups, days */
	size_t n = json_object_array_length(messages);
	if (n > 0) {
		struct json_object *first = json_object_array_get_idx(messages, 0), *seq;
		if (json_object_object_get_ex(first, "seq", &seq))
			jset_int(m, "older_before", json_object_get_int64(seq));
	}
	jset_str(m, "error", error);
	jset_str(m, "text", text);
	char cid[33];
	uint8_t raw[16];
	if (random_bytes_hex(raw, cid) == 0)
		jset_str(m, "client_id", cid);
	/* the file form (h_files.c): its own client id, the upload cap */
	if (random_bytes_hex(raw, cid) == 0)
		jset_str(m, "file_client_id", cid);
	jset_int(m, "max_upload", (long long)r->app->cfg.max_upload);
	jset_str(m, "too_large", files_limit_text(r, "err.files.too_large"));
	/* STMT_READ moves nothing when the position is already at the end:
	 * skip its round trip then (the usual repeated view) */
	bool behind = json_object_get_int64(read_seq) < last_seq;
	if (!history && behind && !mark_read(r, chat_id, last_seq, &found))
		return;
	view_render(r, status, "chat", "title.chats", m);
}

void h_chat_get(struct req *r)
{
	if (r->want_json) {
		struct json_object *chat = load_chat(r, r->ids[0]), *peer;
		if (chat == NULL)
			return;
		if (json_object_object_get_ex(chat, "peer", &peer) && peer) {
			struct json_object *id;
			json_object_object_get_ex(peer, "id", &id);
			if (presence_add(r, peer, json_object_get_int64(id)) != 0)
				return;
		}
		struct json_object *m = view_object(r);
		jset(m, "chat", chat);
		if (!group_add_info(r, r->ids[0], chat))
			return;
		view_json(r, 200, m);
		return;
	}
	chat_page(r, 200, r->ids[0], NULL, NULL);
}

/* \r\n and lone \r become \n; surrounding whitespace is dropped. */
char *normalize_text(struct req *r, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(&r->arena, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			out[o++] = '\n';
			if (s[i + 1] == '\n')
				i++;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	char *start = out;
	while (*start == ' ' || *start == '\n' || *start == '\t')
		start++;
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\n' || out[o - 1] == '\t') &&
	       out + o > start)
		out[--o] = '\0';
	return start;
}

static void send_refused(struct req *r, int status, const char *key, const char *text)
{
	if (r->want_json)
		view_error(r, status, key, "text");
	else
		chat_page(r, status, r->ids[0], i18n_get(r->app->tpl, r->lang, key), text);
}

/* Publish a new message to every member (after commit). */
static void publish_message(struct req *r, struct json_object *msg, const char *member_list)
{
	size_t cap = 1, n = 0;
	for (const char *p = member_list; p && *p; p++)
		cap += *p == ',';
	int64_t *ids = arena_calloc(&r->arena, cap, sizeof(*ids));
	for (const char *p = member_list; p && *p && n < cap;) {
		char *end;
		ids[n++] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
		if (end == p && *p)
			break;
	}
	struct json_object *ev = message_event(r, msg);
	struct buf json = BUF_INIT; /* what json-c writes, without its print buffers */
	view_json_write(&json, ev);
	publish_to_users(r->w, ids, n, json.data, json.len);
	buf_free(&json);
	json_object_put(ev);
}

/* The sent message re-read with its quote (STMT_MSG_GET); msg itself when
 * that fails (the message is stored; catch-up brings the quote). */
static struct json_object *with_reply(struct req *r, struct json_object *msg)
{
	struct json_object *v;
	long long id = json_object_object_get_ex(msg, "id", &v) ? json_object_get_int64(v) : 0;
	const char *params[] = {me_id(r), id_str(r, id)};
	PGresult *res;
	if (db_run(r, STMT_MSG_GET, params, 2, &res) != DB_OK || PQntuples(res) != 1)
		return msg;
	struct json_object *full = message_from_row(res, 0, 1, db_int(res, 0, 0));
	if (full == NULL)
		return msg;
	json_object_put(msg);
	return full;
}

/* A refusal before STMT_SEND ran: answered as the route would answer with
 * the session looked up first (R_SELF_AUTH). With the composer re-shown
 * (send_refused) when composer, else a plain error. */
static void refuse_early(struct req *r, int status, const char *key, const char *field,
			 bool composer, const char *raw_text)
{
	if (!router_settle(r))
		return;
	if (composer)
		send_refused(r, status, key, raw_text);
	else
		view_error(r, status, key, field);
}

/* The message's validated input (text normalised, client id, HTML);
 * false after answering. */
struct send_input {
	const char *raw, *text, *client_id, *html;
	int64_t reply_id;
	struct mentions mentions; /* the @nicknames written, for STMT_SEND */
};

static bool send_input(struct req *r, struct send_input *in)
{
	in->raw = req_field(r, "text");
	in->text = in->raw ? normalize_text(r, in->raw) : "";
	const char *why = valid_message_text(in->text, strlen(in->text), TEXT_MAX_CHARS);
	if (why) {
		refuse_early(r, 422, why, "text", true, in->raw);
		return false;
	}
	in->client_id = req_field(r, "client_id");
	if (in->client_id == NULL || *in->client_id == '\0') {
		uint8_t rnd[16];
		char *generated = arena_alloc(&r->arena, 33);
		if (random_bytes_hex(rnd, generated) != 0) {
			refuse_early(r, 500, "err.internal", NULL, false, NULL);
			return false;
		}
		in->client_id = generated;
	} else if (!valid_client_id(in->client_id)) {
		refuse_early(r, 422, "err.client_id", "client_id", false, NULL);
		return false;
	}
	in->html = markdown_render_mentions(r->w->md, &r->arena, in->text, strlen(in->text),
					   &in->mentions); /* resolved in STMT_SEND: no extra round trip */
	if (in->html == NULL) {
		refuse_early(r, 500, "err.internal", NULL, false, NULL);
		return false;
	}
	/* a reply quotes a message of the same chat (another chat's: none) */
	const char *reply_to = req_field(r, "reply_to");
	in->reply_id = 0;
	if (reply_to && *reply_to && !parse_id(reply_to, &in->reply_id)) {
		refuse_early(r, 422, "err.bad_request", "reply_to", false, NULL);
		return false;
	}
	return true;
}

/* STMT_SEND finds the sender from the session itself (R_SELF_AUTH): one
 * round trip per message. A route reached with the session already looked
 * up (router_settle) passes the same hash. */
void h_message_send(struct req *r)
{
	long long chat = r->ids[0];
	struct send_input in = {0};
	if (!send_input(r, &in))
		return;
	const struct config *cfg = &r->app->cfg;
	const char *params[] = {id_str(r, chat), auth_hash_param(r), in.client_id, in.text, in.html,
				limit_param(r, cfg->send_burst), limit_send_rate(r),
				in.reply_id ? id_str(r, in.reply_id) : NULL, auth_client_ip(r),
				mentions_param(&r->arena, &in.mentions)};
	PGresult *res = NULL;
	enum db_status st = DB_CONFLICT;
	fault_point("send.before-commit"); /* STMT_SEND is the whole transaction */
	/* A concurrent retry with the same client_id loses the unique index
	 * race; running again finds the first message. */
	for (int attempt = 0; attempt < 3 && st == DB_CONFLICT; attempt++)
		st = db_run(r, STMT_SEND, params, 10, &res);
	if (st != DB_OK) {
		if (router_settle(r))
			view_db_error(r, st);
		return;
	}
	if (PQntuples(res) != 1) { /* no session, or not a member, or blocked */
		if (!router_settle(r))
			return;
		const char *blocked = blocks_send_refusal(r, chat);
		if (blocked)
			send_refused(r, 403, blocked, in.raw);
		else
			view_error(r, 404, "err.not_found", NULL);
		return;
	}
	router_adopt(r, res, 0, PQnfields(res) - AUTH_ME_COLS);
	if (db_text(res, 0, 9) != NULL) { /* the sender's budget is spent */
		limit_retry_after(r, db_int(res, 0, 9));
		send_refused(r, 429, "err.rate_limited", in.raw);
		return;
	}
	fault_point("send.after-commit");
	bool created = db_bool(res, 0, 0);
	struct json_object *msg = message_from_sent(res, r->me, chat, NULL);
	if (in.reply_id) /* the quote comes from the stored row */
		msg = with_reply(r, msg);
	struct json_object *m = view_object(r);
	jset(m, "message", msg);
	/* A retry republishes too: its first attempt may have died between the
	 * commit and the publish; members drop what they already have by seq. */
	publish_message(r, msg, db_text(res, 0, 8));
	message_set_mentions_me(msg, r->me); /* after the publish: for the sender only */
	readstate_sent(r, chat, db_int(res, 0, 2), db_text(res, 0, 10));
	fault_point("send.after-publish");
	if (r->want_json) {
		view_json(r, created ? 201 : 200, m);
		return;
	}
	resp_redirect(r, arena_printf(&r->arena, "/chats/%lld#m-%lld", chat, db_int(res, 0, 1)));
}

void h_events(struct req *r)
{
	long long chat = r->ids[0], after;
	if (!arg_int(r, "after", 0, SEQ_MAX, 0, &after))
		return;
	const char *params[] = {me_id(r), id_str(r, chat), id_str(r, after), id_str(r, EVENTS_MAX)};
	PGresult *res;
	if (!view_run(r, STMT_EVENTS_AFTER, params, 4, &res))
		return;
	if (PQntuples(res) == 0) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	struct json_object *m = view_object(r);
	struct json_object *events = json_object_new_array();
	jset(m, "events", events);
	int n = PQntuples(res);
	/* A full page: the client asks again after the last change it got. */
	bool more = n == EVENTS_MAX;
	jset_int(m, "last_seq", more ? db_int(res, n - 1, 11) : db_int(res, 0, 0));
	jset_bool(m, "more", more);
	for (int i = 0; i < n; i++) {
		struct json_object *msg = message_from_row(res, i, 1, chat);
		if (msg == NULL)
			continue;
		service_localize(r->app->tpl, msg, r->lang);
		if (db_bool(res, i, 14))
			jset_bool(msg, "collapsed", 1); /* the viewer blocked the sender */
		json_object_array_add(events, message_event(r, msg));
		json_object_put(msg);
	}
	view_json(r, 200, m);
}

void h_read(struct req *r)
{
	long long chat = r->ids[0];
	const char *s = req_field(r, "seq");
	int64_t seq;
	if (s == NULL || !parse_int_range(s, 0, SEQ_MAX, &seq)) {
		view_error(r, 422, "err.bad_request", "seq");
		return;
	}
	bool found;
	if (!mark_read(r, chat, seq, &found))
		return;
	if (!found) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	view_done(r, arena_printf(&r->arena, "/chats/%lld", chat));
}
