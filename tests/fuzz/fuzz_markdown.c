/* fuzz_markdown.c: libFuzzer target for message rendering (cmark-gfm with
 * autolink and strikethrough, safe mode). The output must never contain raw
 * HTML from the input: no "<script", no "javascript:" href, no event handler
 * attribute that the input smuggled in. With mentions: the marked HTML shown
 * with nobody resolved equals the plain rendering (marking changes nothing
 * else), and with everyone resolved no marker is left and every mention
 * link is one the rewrite made. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "mentions.h"

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
	struct mentions m = {0};
	char *marked = markdown_render_mentions(md, &a, (const char *)data, size, &m);
	if ((html == NULL) != (marked == NULL))
		abort();
	if (marked != NULL) {
		struct buf plain = BUF_INIT, linked = BUF_INIT;
		mentions_rewrite(&plain, marked, NULL, 0);
		if (strcmp(plain.data ? plain.data : "", html) != 0)
			abort();
		struct mention_user users[MENTIONS_MAX];
		for (size_t i = 0; i < m.n; i++)
			users[i] = (struct mention_user){m.nick[i], "someone_else"};
		mentions_rewrite(&linked, marked, users, m.n);
		const char *out = linked.data ? linked.data : "";
		if (strstr(out, MENTION_OPEN) || contains_ci(out, "<script"))
			abort();
		size_t links = 0;
		for (const char *p = out; (p = strstr(p, "<a class=\"mention\"")); p++)
			links++;
		size_t want = 0;
		for (const char *p = marked; (p = strstr(p, MENTION_OPEN)); p++)
			want++;
		if (links != want)
			abort();
		buf_free(&plain);
		buf_free(&linked);
	}
	arena_free(&a);
	return 0;
}
