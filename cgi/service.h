/* service.h: service messages (kind "service": created, added, removed,
 * left, joined, renamed, description, promoted, demoted, owner, picture). Their body
 * is JSON ({event, actor, target, from, to}); they are rendered in each
 * reader's language through templates/partials/service.html, and a change
 * is published once per language to the members who read that language. */
#ifndef MESSLY_SERVICE_H
#define MESSLY_SERVICE_H

#include "app.h"

struct templates;

/* A message object straight from the database (its "text" the raw body):
 * for a service message adds "service" (the parsed body), sets "text" to
 * the English rendering, "html" and "preview" to the rendering in lang.
 * Other kinds, and a message already localized, are left alone. */
void service_localize(const struct templates *t, struct json_object *msg, const char *lang);
/* The same for a chat object's last_message. */
void chat_localize(const struct templates *t, struct json_object *chat, const char *lang);

/* Publish a message of chat to recipients "user_id:lang,..." after the
 * commit: one event per language, its html rendered in that language
 * (the message is localized per language on a copy). */
void publish_chat_message(struct req *r, struct json_object *msg, const char *recipients);
/* Publish {type: "chat_deleted", chat, id} to the recipients. */
void publish_chat_deleted(struct req *r, long long chat, const char *recipients);

/* Visible text of server-made HTML: tags dropped, the template engine's
 * entities decoded, runs of white space made one space. */
void html_to_text(struct buf *out, const char *html);

#endif
