/* template.h: the logic-less template engine (mustache subset) and the
 * message catalogs. Templates are parsed once at start-up from a directory;
 * rendering walks a json-c model and escapes every value by default.
 *
 * Syntax:
 *   {{name}}          value of name, HTML-escaped (strings as is, numbers in
 *                     decimal, true -> "true", null/missing -> nothing)
 *   {{a.b.c}}         dotted lookup; the first segment is searched from the
 *                     innermost context outwards, the rest inside that value
 *   {{.}}             the current context value (inside an array section)
 *   {{{name_html}}}   raw output; ONLY allowed for names whose last segment
 *                     ends in "html" (parse error otherwise) - these are
 *                     values the server made safe (cmark-gfm output)
 *   {{#name}}..{{/name}}  section: array -> once per element with the element
 *                     pushed as context; object -> once with it pushed;
 *                     true / non-empty string / non-zero number -> once;
 *                     false, null, missing, "", 0, empty array -> skipped
 *   {{^name}}..{{/name}}  inverted section: rendered when the section would
 *                     not be
 *   {{>partial}}      another template by name (file name without .html,
 *                     subdirectories with '/', e.g. {{>partials/message}}),
 *                     rendered with the current context stack
 *   {{@key}}          message catalog lookup in the render language,
 *                     HTML-escaped; falls back to "en", then to the key itself
 *   {{@key|count}}    plural message: key.one, key.few or key.many chosen by
 *                     the number at the path count by the language's rule
 *                     (plural_form()), "{n}" in it replaced by that number;
 *                     a missing form falls back to key.many
 *   {{! comment }}    nothing
 * Partials are resolved at parse time (missing partial = parse error);
 * recursion depth of partials is capped at 16.
 *
 * Catalogs: <dir>/i18n/<lang>.txt, UTF-8 lines "key = value"; '#' starts a
 * comment line; value may contain \n escapes for newlines. Languages: en, ru.
 */
#ifndef MESSLY_TEMPLATE_H
#define MESSLY_TEMPLATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct templates; /* opaque: all templates and catalogs, read-only after load */

/* Load every *.html under dir (recursively) and dir/i18n/ *.txt.
 * On failure returns NULL and writes a message (file:line: what) into
 * err (errlen bytes). */
struct templates *templates_load(const char *dir, char *err, size_t errlen);
/* Parse one template from memory (used by tests and fuzzers); the set holds
 * only this template, named `name`, plus the given partials (NULL-terminated
 * array of {name, source} pairs, may be NULL). */
struct templates *templates_parse_string(const char *name, const char *src,
					 const char *const (*partials)[2],
					 char *err, size_t errlen);
void templates_free(struct templates *t);

/* Is there a template with this name? */
bool template_exists(const struct templates *t, const char *name);

/* Render template `name` with `model` (may be NULL) in language `lang`
 * ("en" or "ru") appending to out. Returns 0, or -1 when no such template. */
int template_render(const struct templates *t, const char *name,
		    struct json_object *model, const char *lang, struct buf *out);

/* Plural forms: English uses one and many, Russian one, few and many
 * (1, 21 сообщение; 2-4, 22 сообщения; 0, 5-20, 25 сообщений). */
enum { PLURAL_ONE, PLURAL_FEW, PLURAL_MANY, PLURAL_FORMS };
int plural_form(const char *lang, long long n);

/* The plural message key.FORM for n in lang with "{n}" replaced by n,
 * appended to out (not escaped); returns the appended text. */
const char *i18n_plural(const struct templates *t, const char *lang, const char *key,
			long long n, struct buf *out);

/* Catalog lookup: the string for key in lang (fallback en, then the key). */
const char *i18n_get(const struct templates *t, const char *lang, const char *key);

#endif
