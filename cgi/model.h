/* model.h: the JSON shapes of users, chats, messages and events (the
 * objects of docs/API.md), built from database rows, plus the HTML-only
 * decorations (display time, own flag) and the event fragment. */
#ifndef MESSLY_MODEL_H
#define MESSLY_MODEL_H

#include <libpq-fe.h>

#include "app.h"

/* Columns of a message row start at col0 (see MSG_COLS in db.c); chat_id
 * is the chat the row belongs to. NULL when the row has no message. */
struct json_object *message_from_row(const PGresult *res, int row, int col0, long long chat_id);
/* The same, with room in the object for message_decorate()'s keys (pages). */
struct json_object *message_from_row_page(const PGresult *res, int row, int col0,
					  long long chat_id);
/* The message a send statement returned (STMT_SEND, STMT_SEND_FILES: id,
 * seq, kind, text, html, client id, time at 1..7, mentions at 11), sent by
 * sender into chat; files_json is the files' JSON of a file message or NULL. */
struct json_object *message_from_sent(const PGresult *res, const struct user *sender,
				      long long chat, const char *files_json);
/* A chat row (CHAT_SELECT in db.c). */
struct json_object *chat_from_row(const PGresult *res, int row);
/* Adds "preview": the text on one line without Markdown marks, cut short. */
void message_add_preview(struct json_object *msg);
/* A user from ME_COLS (db.c) at col 0 of a row, in the arena. */
struct user *user_from_row(struct arena *a, const PGresult *res, int row);
/* The same from ME_COLS starting at column c. */
struct user *user_from_row_at(struct arena *a, const PGresult *res, int row, int c);
/* {id, nickname, name, email, lang, is_admin, about, theme, privacy,
 * notify, notify_preview} */
struct json_object *user_me_json(const struct user *u);
/* {id, nickname, name} */
struct json_object *user_public_json(long long id, const char *nickname, const char *name);

/* HTML decorations: "time" (HH:MM from created_at) and "own". */
void message_decorate(struct json_object *msg, const struct user *viewer);
void chat_decorate(struct json_object *chat, long long active_id);

/* The live event for a message: {type, chat, seq, id, message, html},
 * html rendered by templates/partials/message. Owned by the caller. */
struct json_object *message_event(struct req *r, struct json_object *msg);
/* The same with the html rendered in lang (live fan-out per language). */
struct json_object *message_event_lang(struct req *r, struct json_object *msg, const char *lang);

/* Files and avatars (h_files.c, h_avatars.c). */
/* {id, url48, url96, url256}, or NULL for id <= 0 (no avatar). */
struct json_object *avatar_json(long long id);
/* url, thumb_url, view_url (null unless kind "image"), page_url from id
 * and name. */
void file_add_urls(struct json_object *f);
/* Set msg.files from the JSON array made by the database (MSG_FILES). */
void message_set_files(struct json_object *msg, const char *files_json);
/* From column 11 of MSG_COLS (MSG_EXTRA in db.c): files, edited, deleted,
 * forwarded_from (user, absent unless forwarded),
 * reply {id, seq, kind, text, sender} and reactions [{emoji, count, users}]. */
void message_set_extra(struct json_object *msg, const char *extra_json);
/* "mentions" (the users) from a JSON array of {id, nickname, name,
 * written}, and the html's mention markers made links to their current
 * nicknames (mentions.h); _text parses the array from a column first. */
void message_set_mentions(struct json_object *msg, struct json_object *list);
void message_set_mentions_text(struct json_object *msg, const char *list_json);
/* "mentions_me" (the viewer is mentioned by someone else; false without a
 * viewer) and "mentions_attr" (the ids, for the page's data-mentions). */
void message_set_mentions_me(struct json_object *msg, const struct user *viewer);
/* A file row (FILE_COLS in db.c) starting at col0: the file entry plus
 * chat, message, created_at, sender. NULL when the row has no file. */
struct json_object *file_from_row(const PGresult *res, int row, int col0);
/* HTML decorations: is_image, icon, size_num + is_b|is_kb|is_mb|is_gb, day. */
void file_decorate(struct json_object *f);

/* Nicknames are stored lower-case; a leading '@' is ignored. */
char *nickname_normalize(struct arena *a, const char *s);

#endif
