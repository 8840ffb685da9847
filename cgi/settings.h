/* settings.h: helpers shared by the profile and account handlers
 * (h_profile.c, h_security.c, h_blocks.c, h_export.c): reading typed
 * fields, the settings pages' frame, refusing a form with its message. */
#ifndef MESSLY_SETTINGS_H
#define MESSLY_SETTINGS_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "app.h"

/* Decimal text of v in the arena. */
const char *id_text(struct req *r, long long v);
/* A copy without surrounding ASCII whitespace; NULL stays NULL. */
char *text_trim(struct req *r, const char *s);
/* \r\n and \r become \n, then trimmed; NULL stays NULL. */
char *text_normalize(struct req *r, const char *s);

/* A body field that must be a string (forms: always; JSON: a string).
 * Absent or JSON null: NULL. Another JSON type: NULL and *bad = true. */
const char *field_str(struct req *r, const char *name, bool *bad);
/* A boolean field: JSON true/false, or a form's "true"/"on"/"1" and
 * "false"/"off"/"0". Returns 1, 0, -1 when absent, -2 when invalid. */
int field_bool(struct req *r, const char *name);

/* Render settings page `section` ("profile", "preferences", "account",
 * "sessions", "blocked": template settings_SECTION) with the nav marked.
 * For JSON the model is sent as it is. */
void settings_render(struct req *r, int status, const char *section, struct json_object *m);
/* A refused write: JSON {error} with field, or the section's page
 * re-rendered by page() with errors.FIELD set to the translated message. */
void settings_refuse(struct req *r, int status, const char *key, const char *field,
		     void (*page)(struct req *r, int status, struct json_object *errors));

/* Check the current password. Returns the stored hash (for the
 * compare-and-swap of the write that follows), or NULL after answering:
 * 403 (field `field`) when wrong, through page() for HTML. */
const char *settings_check_password(struct req *r, const char *password, const char *field,
				    void (*page)(struct req *r, int status,
						 struct json_object *errors));

/* Close the live connections of the sessions whose hex token hashes are
 * in column col of res (NULLs skipped): their sockets close. */
void settings_close_sessions(struct req *r, const PGresult *res, int col);

/* The user's live sessions as a JSON array (h_security.c), or NULL after
 * answering an error. */
struct json_object *sessions_load(struct req *r);
/* The users the viewer blocked (h_blocks.c), or NULL after answering. */
struct json_object *blocks_load(struct req *r);

/* A local path to go back to from a form field "back" (must start with
 * one '/'), else fallback. */
const char *settings_back(struct req *r, const char *fallback);

#endif
