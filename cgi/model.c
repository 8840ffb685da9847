/* model.c: JSON objects of the API built from rows (see model.h). */
#include "model.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "template.h"
#include "view.h"

struct json_object *user_public_json(long long id, const char *nickname, const char *name)
{
	struct json_object *o = json_object_new_object();
	jset_int(o, "id", id);
	jset_str(o, "nickname", nickname);
	jset_str(o, "name", name);
	return o;
}

struct json_object *user_me_json(const struct user *u)
{
	struct json_object *o = user_public_json(u->id, u->nickname, u->name);
	jset_str(o, "email", u->email);
	jset_str(o, "lang", u->lang);
	jset_bool(o, "is_admin", u->is_admin);
	return o;
}

/* Plain one-line text for lists and notifications: Markdown marks and
 * line breaks dropped, cut at PREVIEW_CHARS code points. */
#define PREVIEW_CHARS 140

void message_add_preview(struct json_object *msg)
{
	struct json_object *v;
	const char *p = json_object_object_get_ex(msg, "text", &v) ? json_object_get_string(v) : "";
	struct buf out = BUF_INIT;
	size_t chars = 0;
	bool space = false, line_start = true;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n' || c == ' ' || c == '\t') {
			space = out.len > 0;
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
			buf_putc(&out, ' ');
			space = false;
		}
		line_start = false;
		buf_putc(&out, (char)c);
		chars += lead;
	}
	if (*p)
		buf_puts(&out, "\xE2\x80\xA6"); /* … */
	jset_str(msg, "preview", out.data ? out.data : "");
	buf_free(&out);
}

struct json_object *message_from_row(const PGresult *res, int row, int col0, long long chat_id)
{
	if (PQgetisnull(res, row, col0))
		return NULL;
	struct json_object *m = json_object_new_object();
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
	message_add_preview(m);
	return m;
}

struct json_object *chat_from_row(const PGresult *res, int row)
{
	struct json_object *c = json_object_new_object();
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
	/* messages by others after the read position (CHAT_SELECT column 20) */
	jset_int(c, "unread", PQnfields(res) > 21 ? db_int(res, row, 20) : 0);
	jset_str(c, "notify", PQnfields(res) > 21 ? db_text(res, row, 21) : "all");
	jset(c, "last_message", message_from_row(res, row, 9, id));
	jset_str(c, "updated_at", db_text(res, row, 5));
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

void message_decorate(struct json_object *msg, const struct user *viewer)
{
	struct json_object *v;
	if (json_object_object_get_ex(msg, "created_at", &v))
		set_time(msg, json_object_get_string(v));
	long long sender = 0;
	struct json_object *s;
	if (json_object_object_get_ex(msg, "sender", &s) && s &&
	    json_object_object_get_ex(s, "id", &v))
		sender = json_object_get_int64(v);
	jset_bool(msg, "own", viewer && sender == viewer->id);
	const char *kind = "";
	if (json_object_object_get_ex(msg, "kind", &v))
		kind = json_object_get_string(v);
	jset_bool(msg, "kind_service", strcmp(kind, "service") == 0);
}

void chat_decorate(struct json_object *chat, long long active_id)
{
	struct json_object *v;
	if (json_object_object_get_ex(chat, "id", &v))
		jset_bool(chat, "active", json_object_get_int64(v) == active_id);
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
	template_render(r->app->tpl, "partials/message", view, r->lang, &html);
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
