/* fuzz_markdown.c: libFuzzer target for message rendering (cmark-gfm with
 * autolink and strikethrough, safe mode). The output must never contain raw
 * HTML from the input: no "<script", no "javascript:" href, no event handler
 * attribute that the input smuggled in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct markdown *md;
	if (md == NULL && (md = markdown_new()) == NULL)
		abort();
	if (size > 16384)
		return 0;
	struct arena a;
	arena_init(&a);
	char *html = markdown_render(md, &a, (const char *)data, size);
	if (html != NULL) {
		/* safe mode: raw HTML is replaced, dangerous schemes blanked */
		if (contains_ci(html, "<script") || contains_ci(html, "href=\"javascript:") ||
		    contains_ci(html, "src=\"javascript:") || contains_ci(html, "<iframe"))
			abort();
	}
	arena_free(&a);
	return 0;
}
