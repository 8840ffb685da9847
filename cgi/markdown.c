/* markdown.c: cmark-gfm rendering (see markdown.h). Safe mode: raw HTML is
 * omitted and javascript:/data: (but images) URLs dropped by cmark; every
 * link opens in a new tab without an opener or referrer; ":smile:" shortcodes
 * in text (not in code) become the emoji. */
#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "shortcodes.h"

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

/* Shortcodes in every text node; code spans and blocks are other nodes. */
static bool replace_shortcodes(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	if (it == NULL)
		return false;
	bool ok = true;
	cmark_event_type ev;
	while (ok && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_TEXT)
			continue;
		const char *lit = cmark_node_get_literal(n);
		if (lit == NULL || strchr(lit, ':') == NULL)
			continue;
		struct buf b = BUF_INIT;
		shortcodes_replace(&b, lit, strlen(lit));
		ok = cmark_node_set_literal(n, b.data ? b.data : "") == 1;
		buf_free(&b);
	}
	cmark_iter_free(it);
	return ok;
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
		cmark_consolidate_text_nodes(doc);
		char *html = replace_shortcodes(doc) ?
			cmark_render_html(doc, MD_OPTIONS, cmark_parser_get_syntax_extensions(p)) : NULL;
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
