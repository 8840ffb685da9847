/* markdown.h: message text to HTML with cmark-gfm in safe mode (raw HTML
 * omitted, javascript:/data: links blanked), with the autolink and
 * strikethrough extensions and line breaks kept as typed. */
#ifndef MESSLY_MARKDOWN_H
#define MESSLY_MARKDOWN_H

#include <stddef.h>

#include "arena.h"

struct markdown;

/* Registers the extensions (once per process). NULL on failure. */
struct markdown *markdown_new(void);
void markdown_free(struct markdown *md);
/* Rendered HTML as an arena string, or NULL on failure. */
char *markdown_render(struct markdown *md, struct arena *a, const char *text, size_t len);

#endif
