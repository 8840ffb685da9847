/* files.c: blob responses and event fan-out for h_files.c and h_avatars.c
 * (see files.h). */
#include "files.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "model.h"
#include "publish.h"
#include "store.h"
#include "template.h"
#include "view.h"

const char *files_id_str(struct req *r, long long v)
{
	return arena_printf(&r->arena, "%lld", v);
}

const char *files_limit_text(struct req *r, const char *key)
{
	const char *msg = i18n_get(r->app->tpl, r->lang, key);
	const char *at = strstr(msg, "{max}");
	if (at == NULL)
		return msg;
	return arena_printf(&r->arena, "%.*s%lu\xC2\xA0%s%s", (int)(at - msg), msg,
			    (unsigned long)(r->app->cfg.max_upload >> 20),
			    i18n_get(r->app->tpl, r->lang, "files.mb"), at + 5);
}

void files_send_blob(struct req *r, const char *hex, const char *content_type,
		     const char *disposition)
{
	const char *rel = store_rel(&r->arena, hex);
	if (rel == NULL) {
		view_error(r, 404, "err.not_found", NULL);
		return;
	}
	r->status = 200;
	resp_header(r, "Content-Type", content_type);
	resp_header(r, "Content-Disposition", disposition);
	resp_header(r, "Cache-Control", "private, max-age=3600");
	resp_header(r, "X-Accel-Redirect", arena_printf(&r->arena, "/_files/%s", rel));
}

void files_publish(struct req *r, const char *list, struct json_object *event)
{
	size_t cap = 1;
	for (const char *p = list; p && *p; p++)
		cap += *p == ',';
	int64_t *ids = arena_calloc(&r->arena, cap, sizeof(*ids));
	size_t n = 0;
	for (const char *p = list; p && *p && n < cap;) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		ids[n++] = v;
		p = *end == ',' ? end + 1 : end;
	}
	size_t len;
	const char *json = json_object_to_json_string_length(
		event, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	publish_to_users(r->w, ids, n, json, len);
}

void files_publish_message(struct req *r, struct json_object *msg, const char *list)
{
	struct json_object *ev = message_event(r, msg);
	files_publish(r, list, ev);
	json_object_put(ev);
}
