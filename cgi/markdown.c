/* markdown.c: cmark-gfm rendering (see markdown.h). Safe mode: raw HTML is
 * omitted and javascript:/data: (but images) URLs dropped by cmark; every
 * link opens in a new tab without an opener or referrer; ":smile:" shortcodes
 * in text (not in code) become the emoji; with a mention list, @nickname
 * tokens in text (not in code or links) are marked (see mentions.h). */
#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mentions.h"
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

static bool inside_link(cmark_node *n)
{
	for (n = cmark_node_parent(n); n; n = cmark_node_parent(n))
		if (cmark_node_get_type(n) == CMARK_NODE_LINK || cmark_node_get_type(n) == CMARK_NODE_IMAGE)
			return true;
	return false;
}

static cmark_node *text_node(const char *s, size_t len)
{
	cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);
	char *lit = strndup(s, len);
	if (t == NULL || lit == NULL || cmark_node_set_literal(t, lit) != 1)
		abort(); /* out of memory: the worker's policy (arena.h) */
	free(lit);
	return t;
}

/* The token as a marker node: MENTION_OPEN nick "\">" @Written MENTION_CLOSE. */
static cmark_node *mention_node(const char *nick, const char *tok, size_t len)
{
	cmark_node *c = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
	struct buf open = BUF_INIT;
	buf_printf(&open, "%s%s\">", MENTION_OPEN, nick);
	if (c == NULL || cmark_node_set_on_enter(c, open.data) != 1 ||
	    cmark_node_set_on_exit(c, MENTION_CLOSE) != 1 ||
	    cmark_node_append_child(c, text_node(tok, len)) != 1)
		abort();
	buf_free(&open);
	return c;
}

/* Splits text node n around its mention tokens. */
static void mark_mentions_in(cmark_node *n, struct mentions *m, struct arena *a)
{
	const char *lit = cmark_node_get_literal(n);
	size_t len = lit ? strlen(lit) : 0, from = 0;
	bool any = false;
	for (size_t i = 0; i < len; i++) {
		size_t tl = lit[i] == '@' ? mention_token(lit, len, i) : 0;
		const char *nick = tl ? mentions_add(m, a, lit + i, tl) : NULL;
		if (nick == NULL)
			continue;
		if (i > from && cmark_node_insert_before(n, text_node(lit + from, i - from)) != 1)
			abort();
		if (cmark_node_insert_before(n, mention_node(nick, lit + i, tl)) != 1)
			abort();
		from = i + tl;
		i += tl - 1;
		any = true;
	}
	if (any) {
		char *rest = arena_strdup(a, lit + from);
		if (cmark_node_set_literal(n, rest) != 1)
			abort();
	}
}

static void mark_mentions(cmark_node *doc, struct mentions *m, struct arena *a)
{
	/* collect first: the tree changes while the tokens are marked */
	size_t cap = 0, n = 0;
	cmark_iter *it = cmark_iter_new(doc);
	if (it == NULL)
		abort();
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *x = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(x) == CMARK_NODE_TEXT)
			cap++;
	}
	cmark_iter_reset(it, doc, CMARK_EVENT_ENTER);
	cmark_node **nodes = arena_calloc(a, cap ? cap : 1, sizeof(*nodes));
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && n < cap) {
		cmark_node *x = cmark_iter_get_node(it);
		const char *lit;
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(x) == CMARK_NODE_TEXT &&
		    (lit = cmark_node_get_literal(x)) && strchr(lit, '@') && !inside_link(x))
			nodes[n++] = x;
	}
	cmark_iter_free(it);
	for (size_t i = 0; i < n; i++)
		mark_mentions_in(nodes[i], m, a);
}

char *markdown_render(struct markdown *md, struct arena *a, const char *text, size_t len)
{
	return markdown_render_mentions(md, a, text, len, NULL);
}

char *markdown_render_mentions(struct markdown *md, struct arena *a, const char *text, size_t len,
			       struct mentions *mentions)
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
		if (mentions)
			mark_mentions(doc, mentions, a);
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
