/* view.h: the two views of one handler. A handler builds one json-c model;
 * view_render sends it as JSON (API) or through a template (HTML page, with
 * the common page keys added). Errors and "done" answers likewise. */
#ifndef MESSLY_VIEW_H
#define MESSLY_VIEW_H

#include "app.h"
#include "db.h"

/* A new JSON object owned by the request (put at the arena's reset). */
struct json_object *view_object(struct req *r);

/* JSON: the model as is. HTML: the model plus lang, title, csrf, me,
 * origin rendered with template tpl; title_key is a catalog key. */
void view_render(struct req *r, int status, const char *tpl, const char *title_key,
		 struct json_object *model);
/* Always JSON. */
void view_json(struct req *r, int status, struct json_object *model);
/* o as compact JSON appended to b: the bytes json-c writes with
 * JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, without its
 * per-value buffers (the API's largest answers are message lists). */
void view_json_write(struct buf *b, struct json_object *o);
/* {error: {code, message[, field]}} or the error page. msg_key is a
 * catalog key; field may be NULL. */
void view_error(struct req *r, int status, const char *msg_key, const char *field);
/* The same with a message already translated (and filled in). */
void view_error_text(struct req *r, int status, const char *message, const char *field);
/* A write that returns nothing: JSON 204, HTML 303 to redirect_to. */
void view_done(struct req *r, const char *redirect_to);
/* Error for a database status that is not DB_OK (503 or 500). */
void view_db_error(struct req *r, int db_status);
/* Runs a statement (db_run); on a database error answers it (503 while
 * PostgreSQL is away, 409 for a conflicting concurrent change, else 500) and
 * returns false. */
bool view_run(struct req *r, enum stmt s, const char *const *params, int n, PGresult **res);
/* The same for a statement about one thing: answers 404 (not_found_key, or
 * "err.not_found" when NULL) unless exactly one row came back. The result
 * belongs to the request (freed with it); NULL after answering. */
PGresult *view_run_one(struct req *r, enum stmt s, const char *const *params, int n,
		       const char *not_found_key);

/* json helpers */
void jset_str(struct json_object *o, const char *key, const char *v); /* NULL -> null */
void jset_int(struct json_object *o, const char *key, long long v);
void jset_bool(struct json_object *o, const char *key, int v);
void jset(struct json_object *o, const char *key, struct json_object *v);
/* The same for a key that lives as long as the program (a string literal):
 * json-c keeps the pointer instead of a copy, a malloc and a free less per
 * key. model.c, which sets ~20 keys on every message of a page, maps the
 * four helpers above onto these for literal keys. */
void jsetk(struct json_object *o, const char *lit, struct json_object *v);
void jsetk_str(struct json_object *o, const char *lit, const char *v);
void jsetk_int(struct json_object *o, const char *lit, long long v);
void jsetk_bool(struct json_object *o, const char *lit, int v);

#endif
