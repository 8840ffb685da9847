/* model.c: JSON objects of the API built from rows (see model.h). */
#include "model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "filemeta.h"
#include "mentions.h"
#include "template.h"
#include "view.h"

/* Keys set here are string literals ("" k "" compiles for nothing else):
 * json-c keeps them without a copy (see jsetk in view.h). A key from a
 * table goes through the copying function, called as (jset)(...). */
#define jset(o, k, v) jsetk((o), "" k "", (v))
#define jset_str(o, k, v) jsetk_str((o), "" k "", (v))
#define jset_int(o, k, v) jsetk_int((o), "" k "", (v))
#define jset_bool(o, k, v) jsetk_bool((o), "" k "", (v))

/* Table slots (object_sized()): a message as the API writes it (about 20
 * keys), one a page decorates (message_decorate(): up to about 30), a chat.
 * 32 slots are 1 KB, which glibc's malloc serves from its per-thread cache;
 * 64 are not, so they are only worth it where 32 would be outgrown. */
#define MESSAGE_SLOTS 32
#define MESSAGE_PAGE_SLOTS 64
#define CHAT_SLOTS 32

/* A deleted account's row (see STMT_ACCOUNT_DELETE): name "Deleted account"
 * and nickname "deleted_<id>". */
static bool deleted_account(long long id, const char *nickname, const char *name)
{
	char nick[40];
	snprintf(nick, sizeof(nick), "deleted_%lld", id);
	return nickname && name && strcmp(nickname, nick) == 0 &&
	       strcmp(name, "Deleted account") == 0;
}

/* A json-c object whose key table has `slots` slots from the start: json-c
 * starts a table at 16 and doubles it, rehashing every key, once two thirds are
 * taken; messages and chats outgrow 16, a decorated message 32 too, and the
 * rehashing was a tenth of a chat page's worker instructions. */
static struct json_object *object_sized(int slots)
{
	struct json_object *o = json_object_new_object();
	if (o == NULL || lh_table_resize(json_object_get_object(o), slots) != 0)
		abort();
	return o;
}

struct json_object *user_public_json(long long id, const char *nickname, const char *name)
{
	struct json_object *o = json_object_new_object();
	jset_int(o, "id", id);
	jset_str(o, "nickname", nickname);
	jset_str(o, "name", name);
	if (deleted_account(id, nickname, name))
		jset_bool(o, "deleted", 1); /* pages show it translated (user.deleted) */
	return o;
}

struct user *user_from_row(struct arena *a, const PGresult *res, int row)
{
	return user_from_row_at(a, res, row, 0);
}

struct user *user_from_row_at(struct arena *a, const PGresult *res, int row, int c)
{
	struct user *u = arena_alloc(a, sizeof(*u));
	u->id = db_int(res, row, c);
	u->nickname = db_text(res, row, c + 1);
	u->name = db_text(res, row, c + 2);
	u->email = db_text(res, row, c + 3);
	u->lang = db_text(res, row, c + 4);
	u->is_admin = db_bool(res, row, c + 5);
	u->about = db_text(res, row, c + 6);
	u->theme = db_text(res, row, c + 7);
	u->privacy = db_text(res, row, c + 8);
	u->notify = db_bool(res, row, c + 9);
	u->notify_preview = db_bool(res, row, c + 10);
	u->send_key = db_text(res, row, c + 11);
	return u;
}

struct json_object *user_me_json(const struct user *u)
{
	struct json_object *o = user_public_json(u->id, u->nickname, u->name);
	jset_str(o, "email", u->email);
	jset_str(o, "lang", u->lang);
	jset_bool(o, "is_admin", u->is_admin);
	jset_str(o, "about", u->about);
	jset_str(o, "theme", u->theme);
	jset_str(o, "privacy", u->privacy);
	jset_bool(o, "notify", u->notify);
	jset_bool(o, "notify_preview", u->notify_preview);
	jset_str(o, "send_key", u->send_key ? u->send_key : "enter");
	jset(o, "avatar", avatar_json(u->avatar_id));
	return o;
}

/* Plain one-line text for lists and notifications: Markdown marks and
 * line breaks dropped, cut at PREVIEW_CHARS code points. */
#define PREVIEW_CHARS 140

/* The preview of text written to out, which has room for strlen(text) + 4 bytes:
 * every byte written is one of text's, a space only for a run of blanks it
 * stands for, then at most "…" and the NUL. Returns the length. Written into
 * one array rather than byte by byte into a buf: it runs for every message. */
static size_t preview_text(const char *p, char *out)
{
	size_t n = 0, chars = 0;
	bool space = false, line_start = true;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n' || c == ' ' || c == '\t') {
			space = n > 0;
			line_start = line_start || c == '\n';
			continue;
		}
		if (c == '*' || c == '_' || c == '~' || c == '`' ||
		    (line_start && (c == '#' || c == '>')))
			continue;
		bool lead = (c & 0xC0) != 0x80;
		if (lead && chars == PREVIEW_CHARS)
			break; /* stop on a lead byte: never inside a character */
		if (space) {
			out[n++] = ' ';
			space = false;
		}
		line_start = false;
		out[n++] = (char)c;
		chars += lead;
	}
	if (*p) {
		memcpy(out + n, "\xE2\x80\xA6", 3); /* … */
		n += 3;
	}
	out[n] = '\0';
	return n;
}

void message_add_preview(struct json_object *msg)
{
	struct json_object *v;
	const char *p = json_object_object_get_ex(msg, "text", &v) ? json_object_get_string(v) : "";
	if (p == NULL)
		p = "";
	size_t len = strlen(p);
	char small[512];
	char *text = len + 4 <= sizeof(small) ? small : malloc(len + 4);
	if (text == NULL)
		abort();
	size_t n = preview_text(p, text);
	if (n > 0) {
		jset(msg, "preview", json_object_new_string_len(text, (int)n));
		if (text != small)
			free(text);
		return;
	}
	if (text != small)
		free(text);
	struct buf out = BUF_INIT;
	struct json_object *files;
	if (json_object_object_get_ex(msg, "files", &files) && files) {
		buf_puts(&out, "\xF0\x9F\x93\x8E"); /* 📎 */
		for (size_t i = 0; i < json_object_array_length(files) && i < 3; i++) {
			struct json_object *name;
			if (json_object_object_get_ex(json_object_array_get_idx(files, i), "name", &name))
				buf_printf(&out, "%s%s", i ? ", " : " ", json_object_get_string(name));
		}
	}
	jset_str(msg, "preview", out.data ? out.data : "");
	buf_free(&out);
}

struct json_object *avatar_json(long long id)
{
	if (id <= 0)
		return NULL;
	struct json_object *o = json_object_new_object();
	char url[64];
	jset_int(o, "id", id);
	snprintf(url, sizeof(url), "/avatars/%lld/48", id);
	jset_str(o, "url48", url);
	snprintf(url, sizeof(url), "/avatars/%lld/96", id);
	jset_str(o, "url96", url);
	snprintf(url, sizeof(url), "/avatars/%lld/256", id);
	jset_str(o, "url256", url);
	return o;
}

void file_add_urls(struct json_object *f)
{
	struct json_object *v;
	long long id = json_object_object_get_ex(f, "id", &v) ? json_object_get_int64(v) : 0;
	const char *name = json_object_object_get_ex(f, "name", &v) ? json_object_get_string(v) : "";
	bool image = json_object_object_get_ex(f, "kind", &v) &&
		     strcmp(json_object_get_string(v), "image") == 0;
	struct buf b = BUF_INIT;
	buf_printf(&b, "/files/%lld/", id);
	/* the last segment is only a name for saving; thumb and view are routes */
	if (strcmp(name, "thumb") == 0 || strcmp(name, "view") == 0)
		buf_puts(&b, "file-");
	buf_url_encode(&b, name, strlen(name));
	jset_str(f, "url", b.data);
	buf_free(&b);
	char u[64];
	snprintf(u, sizeof(u), "/files/%lld/thumb", id);
	jset_str(f, "thumb_url", image ? u : NULL);
	snprintf(u, sizeof(u), "/files/%lld/view", id);
	jset_str(f, "view_url", image ? u : NULL);
	snprintf(u, sizeof(u), "/files/%lld", id);
	jset_str(f, "page_url", u);
}

/* The files column of MSG_COLS (JSON made by the database). */
static struct json_object *files_from_text(const char *text)
{
	struct json_object *arr = text ? json_tokener_parse(text) : NULL;
	if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		file_add_urls(json_object_array_get_idx(arr, i));
	return arr;
}

void message_set_files(struct json_object *msg, const char *files_json)
{
	struct json_object *files = files_from_text(files_json);
	if (files)
		jset(msg, "files", files);
}

void message_set_mentions(struct json_object *msg, struct json_object *list)
{
	struct json_object *v, *users = json_object_new_array();
	struct mention_user map[MENTIONS_MAX];
	size_t n = 0;
	size_t len = list && json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < len && n < MENTIONS_MAX; i++) {
		struct json_object *e = json_object_array_get_idx(list, i), *id, *nick, *name, *w;
		if (!json_object_object_get_ex(e, "id", &id) || !json_object_object_get_ex(e, "nickname", &nick) ||
		    !json_object_object_get_ex(e, "name", &name) || !json_object_object_get_ex(e, "written", &w))
			continue;
		map[n].written = json_object_get_string(w);
		map[n++].nickname = json_object_get_string(nick);
		bool seen = false; /* one user may be written two ways after a rename */
		for (size_t j = 0; j < json_object_array_length(users) && !seen; j++)
			seen = json_object_object_get_ex(json_object_array_get_idx(users, j), "id", &v) &&
			       json_object_get_int64(v) == json_object_get_int64(id);
		if (!seen)
			json_object_array_add(users, user_public_json(json_object_get_int64(id),
								      json_object_get_string(nick),
								      json_object_get_string(name)));
	}
	const char *html = json_object_object_get_ex(msg, "html", &v) ? json_object_get_string(v) : NULL;
	if (html && strstr(html, MENTION_OPEN)) {
		struct buf b = BUF_INIT;
		mentions_rewrite(&b, html, map, n);
		jset_str(msg, "html", b.data ? b.data : "");
		buf_free(&b);
	}
	jset(msg, "mentions", users);
}

void message_set_mentions_text(struct json_object *msg, const char *list_json)
{
	struct json_object *list = list_json ? json_tokener_parse(list_json) : NULL;
	message_set_mentions(msg, list);
	json_object_put(list);
}

void message_set_mentions_me(struct json_object *msg, const struct user *viewer)
{
	struct json_object *v, *list, *s;
	bool me = false;
	long long sender = json_object_object_get_ex(msg, "sender", &s) && s &&
			   json_object_object_get_ex(s, "id", &v) ? json_object_get_int64(v) : 0;
	struct buf ids = BUF_INIT;
	if (json_object_object_get_ex(msg, "mentions", &list) && list) {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			if (!json_object_object_get_ex(json_object_array_get_idx(list, i), "id", &v))
				continue;
			long long id = json_object_get_int64(v);
			buf_printf(&ids, "%s%lld", ids.len ? " " : "", id);
			me = me || (viewer && id == viewer->id && id != sender);
		}
	}
	jset_bool(msg, "mentions_me", me);
	jset_str(msg, "mentions_attr", ids.data ? ids.data : "");
	buf_free(&ids);
}

/* MSG_EXTRA of most messages (MSG_EXTRA_PLAIN in db.h): nothing beyond the
 * text. Recognised without parsing (a parse cost more than the rest of the
 * message); any other spelling takes the parser and gives the same result. */
static const char extra_plain[] = MSG_EXTRA_PLAIN;

void message_set_extra(struct json_object *msg, const char *extra_json)
{
	if (extra_json && strcmp(extra_json, extra_plain) == 0) {
		message_set_mentions(msg, NULL); /* unresolved markers become text */
		jset_bool(msg, "edited", 0);
		jset_bool(msg, "deleted", 0);
		jset_bool(msg, "pinned", 0);
		jset(msg, "reactions", json_object_new_array());
		return;
	}
	struct json_object *x = extra_json ? json_tokener_parse(extra_json) : NULL;
	struct json_object *v;
	if (x == NULL || !json_object_is_type(x, json_type_object)) {
		json_object_put(x);
		message_set_mentions(msg, NULL);
		jset(msg, "reactions", json_object_new_array());
		return;
	}
	message_set_mentions(msg, json_object_object_get_ex(x, "mentions", &v) ? v : NULL);
	bool deleted = json_object_object_get_ex(x, "deleted", &v) && json_object_get_boolean(v);
	/* a deleted message's files are gone from its view (and not served) */
	if (!deleted && json_object_object_get_ex(x, "files", &v) &&
	    json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			file_add_urls(json_object_array_get_idx(v, i));
		jset(msg, "files", json_object_get(v));
	}
	jset_bool(msg, "edited", json_object_object_get_ex(x, "edited", &v) && json_object_get_boolean(v));
	jset_bool(msg, "deleted", deleted);
	jset_bool(msg, "pinned", json_object_object_get_ex(x, "pinned", &v) && json_object_get_boolean(v));
	if (json_object_object_get_ex(x, "forwarded", &v) && v)
		jset(msg, "forwarded_from", json_object_get(v));
	if (json_object_object_get_ex(x, "reply", &v) && v) {
		struct json_object *s, *c;
		long long chat = json_object_object_get_ex(msg, "chat", &c) ? json_object_get_int64(c) : 0;
		long long id = json_object_object_get_ex(v, "id", &s) ? json_object_get_int64(s) : 0;
		long long seq = json_object_object_get_ex(v, "seq", &s) ? json_object_get_int64(s) : 0;
		char href[96];
		snprintf(href, sizeof(href), "/chats/%lld?around=%lld#m-%lld", chat, seq, id);
		jset_str(v, "href", href);
		/* a deleted original keeps its place but not its text */
		if (json_object_object_get_ex(v, "deleted", &s) && json_object_get_boolean(s))
			jset_str(v, "text", "");
		jset(msg, "reply", json_object_get(v));
	}
	if (json_object_object_get_ex(x, "reactions", &v) && json_object_is_type(v, json_type_array))
		jset(msg, "reactions", json_object_get(v));
	else
		jset(msg, "reactions", json_object_new_array());
	json_object_put(x);
}

struct json_object *file_from_row(const PGresult *res, int row, int c)
{
	if (PQgetisnull(res, row, c))
		return NULL;
	struct json_object *f = json_object_new_object();
	jset_int(f, "id", db_int(res, row, c));
	jset_int(f, "chat", db_int(res, row, c + 1));
	jset_int(f, "message", db_int(res, row, c + 2));
	jset_str(f, "kind", db_text(res, row, c + 3));
	jset_str(f, "name", db_text(res, row, c + 4));
	jset_str(f, "type", db_text(res, row, c + 5));
	jset_int(f, "size", db_int(res, row, c + 6));
	static const char *const dims[] = {"width", "height"};
	for (int i = 0; i < 2; i++) {
		if (PQgetisnull(res, row, c + 8 + i))
			(jset)(f, dims[i], NULL);
		else
			(jset_int)(f, dims[i], db_int(res, row, c + 8 + i));
	}
	if (PQgetisnull(res, row, c + 14)) {
		jset(f, "thumb_width", NULL);
		jset(f, "thumb_height", NULL);
	} else {
		jset_int(f, "thumb_width", db_int(res, row, c + 14));
		jset_int(f, "thumb_height", db_int(res, row, c + 15));
	}
	jset_str(f, "created_at", db_text(res, row, c + 16));
	if (PQgetisnull(res, row, c + 17))
		jset(f, "sender", NULL);
	else
		jset(f, "sender", user_public_json(db_int(res, row, c + 17), db_text(res, row, c + 18),
						   db_text(res, row, c + 19)));
	file_add_urls(f);
	return f;
}

void file_decorate(struct json_object *f)
{
	struct json_object *v;
	const char *kind = json_object_object_get_ex(f, "kind", &v) ? json_object_get_string(v) : "";
	const char *type = json_object_object_get_ex(f, "type", &v) ? json_object_get_string(v) : "";
	long long size = json_object_object_get_ex(f, "size", &v) ? json_object_get_int64(v) : 0;
	jset_bool(f, "is_image", strcmp(kind, "image") == 0);
	jset_str(f, "icon", filemeta_icon(type));
	static const char *const units[] = {"is_b", "is_kb", "is_mb", "is_gb"};
	double n = (double)size;
	int u = 0;
	while (n >= 1024 && u < 3) {
		n /= 1024;
		u++;
	}
	char num[32];
	if (u == 0 || n >= 100)
		snprintf(num, sizeof(num), "%.0f", n);
	else
		snprintf(num, sizeof(num), "%.1f", n);
	jset_str(f, "size_num", num);
	(jset_bool)(f, units[u], 1);
	if (json_object_object_get_ex(f, "created_at", &v)) {
		const char *iso = json_object_get_string(v);
		char day[11] = "";
		if (iso && strlen(iso) >= 10)
			memcpy(day, iso, 10);
		jset_str(f, "day", day);
	}
}

static struct json_object *message_row(const PGresult *res, int row, int col0, long long chat_id,
				       int slots)
{
	if (PQgetisnull(res, row, col0))
		return NULL;
	struct json_object *m = object_sized(slots);
	jset_int(m, "id", db_int(res, row, col0));
	jset_int(m, "chat", chat_id);
	jset_int(m, "seq", db_int(res, row, col0 + 1));
	if (PQgetisnull(res, row, col0 + 7))
		jset(m, "sender", NULL);
	else
		jset(m, "sender", user_public_json(db_int(res, row, col0 + 7),
						   db_text(res, row, col0 + 8),
						   db_text(res, row, col0 + 9)));
	jset_str(m, "kind", db_text(res, row, col0 + 2));
	jset_str(m, "text", db_text(res, row, col0 + 3));
	jset_str(m, "html", db_text(res, row, col0 + 4));
	jset_str(m, "client_id", db_text(res, row, col0 + 5));
	jset_str(m, "created_at", db_text(res, row, col0 + 6));
	jset_int(m, "version", db_int(res, row, col0 + 10));
	message_set_extra(m, db_text(res, row, col0 + 11));
	message_add_preview(m);
	return m;
}

struct json_object *message_from_row(const PGresult *res, int row, int col0, long long chat_id)
{
	return message_row(res, row, col0, chat_id, MESSAGE_SLOTS);
}

struct json_object *message_from_row_page(const PGresult *res, int row, int col0,
					  long long chat_id)
{
	return message_row(res, row, col0, chat_id, MESSAGE_PAGE_SLOTS);
}

struct json_object *message_from_sent(const PGresult *res, const struct user *sender,
				      long long chat, const char *files_json)
{
	struct json_object *msg = json_object_new_object();
	jset_int(msg, "id", db_int(res, 0, 1));
	jset_int(msg, "chat", chat);
	jset_int(msg, "seq", db_int(res, 0, 2));
	jset(msg, "sender", user_public_json(sender->id, sender->nickname, sender->name));
	jset_str(msg, "kind", db_text(res, 0, 3));
	jset_str(msg, "text", db_text(res, 0, 4));
	jset_str(msg, "html", db_text(res, 0, 5));
	jset_str(msg, "client_id", db_text(res, 0, 6));
	jset_str(msg, "created_at", db_text(res, 0, 7));
	jset_int(msg, "version", db_int(res, 0, 2));
	if (files_json)
		message_set_files(msg, files_json);
	message_set_mentions_text(msg, db_text(res, 0, 11));
	message_add_preview(msg);
	return msg;
}

struct json_object *chat_from_row(const PGresult *res, int row)
{
	struct json_object *c = object_sized(CHAT_SLOTS);
	long long id = db_int(res, row, 0);
	long long last_seq = db_int(res, row, 3), read = db_int(res, row, 4);
	jset_int(c, "id", id);
	jset_str(c, "kind", db_text(res, row, 1));
	struct json_object *peer = NULL;
	const char *title = db_text(res, row, 2);
	if (!PQgetisnull(res, row, 6)) {
		peer = user_public_json(db_int(res, row, 6), db_text(res, row, 7),
					db_text(res, row, 8));
		if (title == NULL)
			title = db_text(res, row, 8);
	}
	jset_str(c, "title", title ? title : "");
	jset(c, "peer", peer);
	jset_int(c, "last_seq", last_seq);
	jset_int(c, "last_read_seq", read);
	/* messages by others after the read position (CHAT_SELECT column 23) */
	jset_int(c, "unread", db_int(res, row, 23));
	jset_str(c, "notify", db_text(res, row, 24) ? db_text(res, row, 24) : "all");
	/* unread messages by others mentioning the viewer (column 25) */
	jset_int(c, "unread_mentions", db_int(res, row, 25));
	jset(c, "last_message", message_from_row(res, row, 9, id));
	jset_str(c, "updated_at", db_text(res, row, 5));
	/* the group's picture, else the direct peer's avatar */
	long long avatar = db_int(res, row, 22) ? db_int(res, row, 22) : db_int(res, row, 21);
	jset(c, "avatar", avatar_json(avatar));
	char key[32];
	if (peer)
		snprintf(key, sizeof(key), "u%lld", db_int(res, row, 6));
	else
		snprintf(key, sizeof(key), "c%lld", id);
	jset_str(c, "avatar_key", key);
	return c;
}

/* "2026-11-28T10:20:35.123Z" -> "10:20" */
static void set_time(struct json_object *o, const char *iso)
{
	char hhmm[6] = "";
	if (iso && strlen(iso) >= 16) {
		memcpy(hhmm, iso + 11, 5);
		hhmm[5] = '\0';
	}
	jset_str(o, "time", hhmm);
}

static void reactions_decorate(struct json_object *msg, const struct user *viewer);

void message_decorate(struct json_object *msg, const struct user *viewer)
{
	struct json_object *v;
	if (json_object_object_get_ex(msg, "created_at", &v))
		set_time(msg, json_object_get_string(v));
	long long sender = 0;
	struct json_object *s = NULL;
	if (json_object_object_get_ex(msg, "sender", &s) && s &&
	    json_object_object_get_ex(s, "id", &v))
		sender = json_object_get_int64(v);
	/* the page's templates read sender.deleted inside {{#sender}}: make it
	 * present, so it never falls back to the message's own "deleted" */
	if (s && json_object_is_type(s, json_type_object) &&
	    !json_object_object_get_ex(s, "deleted", NULL))
		jset_bool(s, "deleted", 0);
	jset_bool(msg, "own", viewer && sender == viewer->id);
	message_set_mentions_me(msg, viewer);
	const char *kind = "";
	if (json_object_object_get_ex(msg, "kind", &v))
		kind = json_object_get_string(v);
	jset_bool(msg, "kind_service", strcmp(kind, "service") == 0);
	struct json_object *files;
	if (json_object_object_get_ex(msg, "files", &files) && files) {
		for (size_t i = 0; i < json_object_array_length(files); i++)
			file_decorate(json_object_array_get_idx(files, i));
		jset_bool(msg, "kind_file", 1);
	}
	reactions_decorate(msg, viewer);
}

/* Each reaction chip: users_attr (ids for data-users, which the script
 * compares with body[data-me]) and mine for the viewer's page. */
static void reactions_decorate(struct json_object *msg, const struct user *viewer)
{
	struct json_object *list, *users;
	if (!json_object_object_get_ex(msg, "reactions", &list) || list == NULL)
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *rx = json_object_array_get_idx(list, i);
		if (!json_object_object_get_ex(rx, "users", &users) || users == NULL)
			continue;
		struct buf ids = BUF_INIT;
		bool mine = false;
		for (size_t j = 0; j < json_object_array_length(users); j++) {
			long long id = json_object_get_int64(json_object_array_get_idx(users, j));
			buf_printf(&ids, "%s%lld", j ? " " : "", id);
			mine = mine || (viewer && id == viewer->id);
		}
		jset_str(rx, "users_attr", ids.data ? ids.data : "");
		jset_bool(rx, "mine", mine);
		buf_free(&ids);
	}
	jset_bool(msg, "has_reactions", json_object_array_length(list) > 0);
}

void chat_decorate(struct json_object *chat, long long active_id)
{
	struct json_object *v;
	if (json_object_object_get_ex(chat, "id", &v))
		jset_bool(chat, "active", json_object_get_int64(v) == active_id);
	if (json_object_object_get_ex(chat, "kind", &v))
		jset_bool(chat, "is_group", strcmp(json_object_get_string(v), "group") == 0);
	if (json_object_object_get_ex(chat, "updated_at", &v))
		set_time(chat, json_object_get_string(v));
	if (json_object_object_get_ex(chat, "notify", &v))
		jset_bool(chat, "muted", strcmp(json_object_get_string(v), "muted") == 0);
	if (json_object_object_get_ex(chat, "unread", &v) && json_object_get_int64(v) >= 1000)
		jset_str(chat, "unread_label", "999+");
	struct json_object *last;
	if (json_object_object_get_ex(chat, "last_message", &last) && last)
		message_decorate(last, NULL);
}

struct json_object *message_event(struct req *r, struct json_object *msg)
{
	return message_event_lang(r, msg, r->lang);
}

struct json_object *message_event_lang(struct req *r, struct json_object *msg, const char *lang)
{
	struct json_object *ev = json_object_new_object();
	struct json_object *v;
	jset_str(ev, "type", "message");
	if (json_object_object_get_ex(msg, "chat", &v))
		jset(ev, "chat", json_object_get(v));
	/* the event's seq is the seq of this change: the message's version */
	if (json_object_object_get_ex(msg, "version", &v) ||
	    json_object_object_get_ex(msg, "seq", &v))
		jset(ev, "seq", json_object_get(v));
	if (json_object_object_get_ex(msg, "id", &v))
		jset(ev, "id", json_object_get(v));
	jset(ev, "message", json_object_get(msg));
	struct json_object *view = NULL;
	if (json_object_deep_copy(msg, &view, NULL) != 0)
		abort();
	message_decorate(view, NULL);
	struct buf html = BUF_INIT;
	template_render(r->app->tpl, "partials/message", view, lang, &html);
	jset_str(ev, "html", html.data ? html.data : "");
	buf_free(&html);
	json_object_put(view);
	return ev;
}

char *nickname_normalize(struct arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	if (*s == '@')
		s++;
	char *out = arena_strdup(a, s);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}
