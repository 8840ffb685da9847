/* files.h: what the file and avatar handlers share: handing a stored blob
 * to nginx (X-Accel-Redirect to the internal /_files/ location) and
 * publishing an event to a list of members. */
#ifndef MESSLY_FILES_H
#define MESSLY_FILES_H

#include <json-c/json.h>

#include "app.h"

/* "%lld" of v in the request's arena. */
const char *files_id_str(struct req *r, long long v);

/* 200 + X-Accel-Redirect to the blob hex with these headers (the six that
 * nginx keeps across the redirect); the internal location adds nosniff,
 * the sandboxing CSP and Referrer-Policy. 404 for a malformed hex. */
void files_send_blob(struct req *r, const char *hex, const char *content_type,
		     const char *disposition);

/* The catalog message for key with "{max}" replaced by the upload cap
 * ("50 MB" in the request's language). */
const char *files_limit_text(struct req *r, const char *key);

/* Publish json to the users in a comma-separated id list. */
void files_publish(struct req *r, const char *user_list, struct json_object *event);
/* Publish a message event (html from templates/partials/message). */
void files_publish_message(struct req *r, struct json_object *msg, const char *user_list);

#endif
