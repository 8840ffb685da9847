/* service.c: service messages in the reader's language and the live
 * fan-out of chat changes split by language (see service.h). */
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "publish.h"
#include "template.h"
#include "view.h"

#define EVENT_NAME_MAX 24
#define LANGS_MAX 8

void html_to_text(struct buf *out, const char *html)
{
	static const struct {
		const char *ent, *ch;
	} ents[] = {{"&amp;", "&"}, {"&lt;", "<"},  {"&gt;", ">"}, {"&quot;", "\""},
		    {"&#39;", "'"}, {"&#96;", "`"}, {"&#61;", "="}};
	bool space = false;
	for (const char *p = html; *p;) {
		if (*p == '<') {
			const char *end = strchr(p, '>');
			if (end == NULL)
				break;
			p = end + 1;
			continue;
		}
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			space = out->len > 0;
			p++;
			continue;
		}
		if (space) {
			buf_putc(out, ' ');
			space = false;
		}
		size_t k = 0, n = sizeof(ents) / sizeof(ents[0]);
		while (k < n && strncmp(p, ents[k].ent, strlen(ents[k].ent)) != 0)
			k++;
		if (k < n) {
			buf_puts(out, ents[k].ch);
			p += strlen(ents[k].ent);
		} else {
			buf_putc(out, *p++);
		}
	}
	if (out->data == NULL)
		buf_puts(out, "");
}

static bool event_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > EVENT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

/* Render the service partial for body (the parsed service object) in lang. */
static void render_service(const struct templates *t, struct json_object *body, const char *lang,
			   struct buf *out)
{
	struct json_object *view = NULL;
	if (json_object_deep_copy(body, &view, NULL) != 0)
		abort(); /* out of memory: see arena.h */
	const char *ev = jstr(body, "event");
	if (ev && event_name_ok(ev)) {
		char key[EVENT_NAME_MAX + 4];
		snprintf(key, sizeof(key), "is_%s", ev);
		jset_bool(view, key, 1);
	}
	template_render(t, "partials/service", view, lang, out);
	json_object_put(view);
}

void service_localize(const struct templates *t, struct json_object *msg, const char *lang)
{
	struct json_object *v;
	const char *kind = jstr(msg, "kind");
	if (msg == NULL || kind == NULL || strcmp(kind, "service") != 0 ||
	    json_object_object_get_ex(msg, "service", &v))
		return;
	const char *raw = jstr(msg, "text");
	struct json_object *body = raw ? json_tokener_parse(raw) : NULL;
	if (body == NULL || !json_object_is_type(body, json_type_object)) {
		json_object_put(body);
		body = json_object_new_object(); /* an unknown change renders as nothing */
	}
	struct buf en = BUF_INIT, local = BUF_INIT, text = BUF_INIT, preview = BUF_INIT;
	render_service(t, body, "en", &en);
	render_service(t, body, lang, &local);
	html_to_text(&text, en.data ? en.data : "");
	html_to_text(&preview, local.data ? local.data : "");
	jset(msg, "service", body);
	jset_str(msg, "text", text.data);
	jset_str(msg, "html", local.data ? local.data : "");
	jset_str(msg, "preview", preview.data);
	buf_free(&en);
	buf_free(&local);
	buf_free(&text);
	buf_free(&preview);
}

void chat_localize(const struct templates *t, struct json_object *chat, const char *lang)
{
	struct json_object *last, *peer, *v;
	if (json_object_object_get_ex(chat, "last_message", &last) && last)
		service_localize(t, last, lang);
	/* a direct chat with a deleted account: its title in the reader's language */
	if (json_object_object_get_ex(chat, "peer", &peer) && peer &&
	    json_object_object_get_ex(peer, "deleted", &v) && json_object_get_boolean(v))
		jset_str(chat, "title", i18n_get(t, lang, "user.deleted"));
}

/* Recipients "id:lang,..." parsed into ids grouped by language. */
struct fanout {
	const char *lang[LANGS_MAX];
	int64_t *ids[LANGS_MAX];
	size_t n[LANGS_MAX];
	size_t nlang;
};

static void fanout_parse(struct req *r, const char *list, struct fanout *f)
{
	memset(f, 0, sizeof(*f));
	size_t cap = 1;
	for (const char *p = list; p && *p; p++)
		cap += *p == ',';
	for (const char *p = list; p && *p;) {
		char *end;
		long long id = strtoll(p, &end, 10);
		if (end == p || *end != ':')
			break;
		const char *lang = end + 1;
		size_t llen = strcspn(lang, ",");
		size_t k = 0;
		while (k < f->nlang && !(strlen(f->lang[k]) == llen &&
					  strncmp(f->lang[k], lang, llen) == 0))
			k++;
		if (k == f->nlang) {
			if (f->nlang == LANGS_MAX)
				k = 0; /* cannot happen: users.lang is en or ru */
			else {
				f->lang[k] = arena_strndup(&r->arena, lang, llen);
				f->ids[k] = arena_calloc(&r->arena, cap, sizeof(int64_t));
				f->nlang++;
			}
		}
		f->ids[k][f->n[k]++] = id;
		p = lang[llen] == ',' ? lang + llen + 1 : lang + llen;
	}
}

static void publish_json(struct req *r, struct json_object *ev, const int64_t *ids, size_t n)
{
	size_t len;
	const char *json = json_object_to_json_string_length(
		ev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	publish_to_users(r->w, ids, n, json, len);
}

void publish_chat_message(struct req *r, struct json_object *msg, const char *recipients)
{
	struct fanout f;
	fanout_parse(r, recipients, &f);
	for (size_t k = 0; k < f.nlang; k++) {
		struct json_object *copy = NULL;
		if (json_object_deep_copy(msg, &copy, NULL) != 0)
			abort();
		service_localize(r->app->tpl, copy, f.lang[k]);
		struct json_object *ev = message_event_lang(r, copy, f.lang[k]);
		publish_json(r, ev, f.ids[k], f.n[k]);
		json_object_put(ev);
		json_object_put(copy);
	}
}

void publish_chat_deleted(struct req *r, long long chat, const char *recipients)
{
	struct fanout f;
	fanout_parse(r, recipients, &f);
	struct json_object *ev = json_object_new_object();
	jset_str(ev, "type", "chat_deleted");
	jset_int(ev, "chat", chat);
	jset_str(ev, "id", arena_printf(&r->arena, "chat_deleted:%lld", chat));
	for (size_t k = 0; k < f.nlang; k++)
		publish_json(r, ev, f.ids[k], f.n[k]);
	json_object_put(ev);
}
