/* markdown.c: cmark-gfm rendering (see markdown.h). Safe mode: raw HTML is
 * omitted and javascript:/data: (but images) URLs dropped by cmark; every
 * link opens in a new tab without an opener or referrer. */
#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct markdown {
	cmark_syntax_extension *autolink, *strikethrough;
};

#define MD_OPTIONS (CMARK_OPT_HARDBREAKS | CMARK_OPT_VALIDATE_UTF8)

struct markdown *markdown_new(void)
{
	cmark_gfm_core_extensions_ensure_registered();
	struct markdown *md = calloc(1, sizeof(*md));
	if (md == NULL)
		return NULL;
	md->autolink = cmark_find_syntax_extension("autolink");
	md->strikethrough = cmark_find_syntax_extension("strikethrough");
	if (md->autolink == NULL || md->strikethrough == NULL) {
		free(md);
		return NULL;
	}
	return md;
}

void markdown_free(struct markdown *md) { free(md); }

/* In safe mode every "<" of the text is escaped, so each "<a href=\"" of
 * cmark's output opens a link node: add the new-tab attributes there. */
static const char LINK_OPEN[] = "<a href=\"";
static const char LINK_OPEN_NEW[] =
	"<a rel=\"noopener noreferrer nofollow\" target=\"_blank\" href=\"";

static char *link_attributes(struct arena *a, const char *html, size_t n)
{
	struct buf b = BUF_INIT;
	const char *p = html, *end = html + n;
	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), LINK_OPEN, sizeof(LINK_OPEN) - 1);
		if (hit == NULL) {
			buf_append(&b, p, (size_t)(end - p));
			break;
		}
		buf_append(&b, p, (size_t)(hit - p));
		buf_puts(&b, LINK_OPEN_NEW);
		p = hit + sizeof(LINK_OPEN) - 1;
	}
	char *out = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

char *markdown_render(struct markdown *md, struct arena *a, const char *text, size_t len)
{
	cmark_parser *p = cmark_parser_new(MD_OPTIONS);
	if (p == NULL)
		return NULL;
	cmark_parser_attach_syntax_extension(p, md->autolink);
	cmark_parser_attach_syntax_extension(p, md->strikethrough);
	cmark_parser_feed(p, text, len);
	cmark_node *doc = cmark_parser_finish(p);
	char *out = NULL;
	if (doc != NULL) {
		char *html = cmark_render_html(doc, MD_OPTIONS, cmark_parser_get_syntax_extensions(p));
		if (html != NULL) {
			size_t n = strlen(html);
			while (n > 0 && html[n - 1] == '\n')
				n--;
			out = link_attributes(a, html, n);
			free(html);
		}
		cmark_node_free(doc);
	}
	cmark_parser_free(p);
	return out;
}
