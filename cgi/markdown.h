/* markdown.h: message text to HTML with cmark-gfm in safe mode (raw HTML
 * omitted, javascript:/data: links blanked), with the autolink and
 * strikethrough extensions and line breaks kept as typed. */
#ifndef MESSLY_MARKDOWN_H
#define MESSLY_MARKDOWN_H

#include <stddef.h>

#include "arena.h"
#include "mentions.h"

struct markdown;

/* Registers the extensions (once per process). NULL on failure. */
struct markdown *markdown_new(void);
void markdown_free(struct markdown *md);
/* Rendered HTML as an arena string, or NULL on failure. */
char *markdown_render(struct markdown *md, struct arena *a, const char *text, size_t len);
/* The same, marking @nickname tokens in text (not in code or links) and
 * adding their nicknames to *mentions (see mentions.h). */
char *markdown_render_mentions(struct markdown *md, struct arena *a, const char *text, size_t len,
			       struct mentions *mentions);

#endif
