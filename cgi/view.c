/* view.c: rendering a handler's model as JSON or HTML (see view.h). */
#include "view.h"

#include <stdint.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "model.h"
#include "template.h"

static void put_cb(void *o) { json_object_put(o); }

struct json_object *view_object(struct req *r)
{
	struct json_object *o = json_object_new_object();
	if (o == NULL)
		abort();
	arena_defer(&r->arena, put_cb, o);
	return o;
}

void jset(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

void jset_str(struct json_object *o, const char *key, const char *v)
{
	jset(o, key, v ? json_object_new_string(v) : NULL);
}

void jset_int(struct json_object *o, const char *key, long long v)
{
	jset(o, key, json_object_new_int64(v));
}

void jset_bool(struct json_object *o, const char *key, int v)
{
	jset(o, key, json_object_new_boolean(v));
}

/* Eight bytes at a time (SWAR): is any of them one json-c escapes, i.e. below
 * 0x20, '"' or '\\'? The usual "has a zero / a smaller byte" tests, exact for the
 * question "any" (a borrow only starts at a byte that itself matches); a byte
 * from 0x80 up never matches, as in the byte loop. The API's strings are mostly
 * long runs without any, so this is about a quarter of the byte loop's work. */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
static bool word_has_special(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), bs = w ^ (ONES * '\\');
	uint64_t low = (w - ONES * 0x20) & ~w;   /* a byte below 0x20 */
	uint64_t quote = (q - ONES) & ~q;         /* a byte equal to '"' */
	uint64_t backslash = (bs - ONES) & ~bs;   /* a byte equal to '\\' */
	return ((low | quote | backslash) & HIGHS) != 0;
}

/* The length of the run at s that needs no escape (at most len). */
static size_t plain_run(const char *s, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (word_has_special(w))
			break;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			break;
	}
	return i;
}

/* A JSON string: the bytes json-c escapes (JSON_C_TO_STRING_NOSLASHESCAPE)
 * escaped the same way, runs of the rest copied at once. */
static void json_write_string(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	buf_putc(b, '"');
	for (size_t i = 0;;) {
		size_t run = plain_run(s + i, len - i);
		buf_append(b, s + i, run);
		i += run;
		if (i == len)
			break;
		unsigned char c = (unsigned char)s[i++];
		char esc[7] = {'\\', 0};
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
		}
		buf_append(b, esc, strlen(esc));
	}
	buf_putc(b, '"');
}

void view_json_write(struct buf *b, struct json_object *o)
{
	char num[24];
	switch (json_object_get_type(o)) {
	case json_type_null:
		buf_append(b, "null", 4);
		return;
	case json_type_boolean:
		buf_puts(b, json_object_get_boolean(o) ? "true" : "false");
		return;
	case json_type_int: { /* digits backwards from the end of num */
		long long v = (long long)json_object_get_int64(o);
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		char *p = num + sizeof(num);
		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v < 0)
			*--p = '-';
		buf_append(b, p, (size_t)(num + sizeof(num) - p));
		return;
	}
	case json_type_string:
		json_write_string(b, json_object_get_string(o), (size_t)json_object_get_string_len(o));
		return;
	case json_type_array: {
		size_t n = json_object_array_length(o);
		buf_putc(b, '[');
		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_putc(b, ',');
			view_json_write(b, json_object_array_get_idx(o, i));
		}
		buf_putc(b, ']');
		return;
	}
	case json_type_object: {
		bool first = true;
		buf_putc(b, '{');
		json_object_object_foreach(o, key, v) {
			if (!first)
				buf_putc(b, ',');
			first = false;
			json_write_string(b, key, strlen(key));
			buf_putc(b, ':');
			view_json_write(b, v);
		}
		buf_putc(b, '}');
		return;
	}
	default: /* doubles: json-c's own formatting */
		buf_puts(b, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	}
}

void jsetk(struct json_object *o, const char *lit, struct json_object *v)
{
	json_object_object_add_ex(o, lit, v, JSON_C_OBJECT_KEY_IS_CONSTANT);
}

void jsetk_str(struct json_object *o, const char *lit, const char *v)
{
	jsetk(o, lit, v ? json_object_new_string(v) : NULL);
}

void jsetk_int(struct json_object *o, const char *lit, long long v)
{
	jsetk(o, lit, json_object_new_int64(v));
}

void jsetk_bool(struct json_object *o, const char *lit, int v)
{
	jsetk(o, lit, json_object_new_boolean(v));
}

void view_json(struct req *r, int status, struct json_object *model)
{
	r->status = status;
	resp_header(r, "Content-Type", "application/json; charset=utf-8");
	resp_header(r, "Cache-Control", "no-store");
	view_json_write(&r->body, model);
}

static void render_page(struct req *r, int status, const char *tpl, const char *title_key,
			struct json_object *model)
{
	const struct templates *t = r->app->tpl;
	jset_str(model, "lang", r->lang);
	jset_str(model, "title", i18n_get(t, r->lang, title_key));
	jset_str(model, "csrf", auth_csrf_token(r));
	jset_str(model, "origin", http_origin(r));
	if (r->me)
		jset(model, "me", user_me_json(r->me));
	r->status = status;
	resp_header(r, "Content-Type", "text/html; charset=utf-8");
	resp_header(r, "Cache-Control", "no-store");
	if (template_render(t, tpl, model, r->lang, &r->body) != 0) {
		log_error("missing template %s", tpl);
		r->status = 500;
		buf_reset(&r->body);
		buf_puts(&r->body, "Internal error: missing template.\n");
	}
}

void view_render(struct req *r, int status, const char *tpl, const char *title_key,
		 struct json_object *model)
{
	if (r->want_json)
		view_json(r, status, model);
	else
		render_page(r, status, tpl, title_key, model);
}

static const char *error_code(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "too_large";
	case 415: return "unsupported_media_type";
	case 422: return "invalid";
	case 429: return "rate_limited";
	case 503: return "unavailable";
	case 507: return "storage_full";
	default: return "internal";
	}
}

void view_error(struct req *r, int status, const char *msg_key, const char *field)
{
	const char *lang = r->lang ? r->lang : "en";
	view_error_text(r, status, i18n_get(r->app->tpl, lang, msg_key), field);
}

void view_error_text(struct req *r, int status, const char *message, const char *field)
{
	buf_reset(&r->body);
	const char *lang = r->lang ? r->lang : "en";
	r->lang = lang;
	struct json_object *model = view_object(r);
	struct json_object *err = json_object_new_object();
	jset_str(err, "code", error_code(status));
	jset_str(err, "message", message);
	if (field)
		jset_str(err, "field", field);
	jset(model, "error", err);
	if (status == 503)
		resp_header(r, "Retry-After", "5");
	if (r->want_json) {
		view_json(r, status, model);
	} else {
		jset_int(model, "status", status);
		render_page(r, status, "error", "title.error", model);
	}
}

void view_done(struct req *r, const char *redirect_to)
{
	if (r->want_json) {
		r->status = 204;
	} else {
		resp_redirect(r, redirect_to);
	}
}

void view_db_error(struct req *r, int db_status)
{
	if (db_status == DB_UNAVAILABLE)
		view_error(r, 503, "err.unavailable", NULL);
	else if (db_status == DB_CONFLICT) /* a concurrent change got there first */
		view_error(r, 409, "err.conflict", NULL);
	else
		view_error(r, 500, "err.internal", NULL);
}

bool view_run(struct req *r, enum stmt s, const char *const *params, int n, PGresult **res)
{
	enum db_status st = db_run(r, s, params, n, res);
	if (st == DB_OK)
		return true;
	view_db_error(r, st);
	return false;
}

PGresult *view_run_one(struct req *r, enum stmt s, const char *const *params, int n,
		       const char *not_found_key)
{
	PGresult *res;
	if (!view_run(r, s, params, n, &res))
		return NULL;
	if (PQntuples(res) != 1) {
		view_error(r, 404, not_found_key ? not_found_key : "err.not_found", NULL);
		return NULL;
	}
	return res;
}
