/* test_mentions.c: @nickname tokens (cgi/mentions.c) and their marking by
 * the renderer (cgi/markdown.c): found in text, not in code or links; the
 * read-time rewrite links resolved ones to the current nickname and leaves
 * the others as typed; the marker cannot be forged from the text. */
#include "markdown.h"
#include "mentions.h"
#include "unit.h"

#include <string.h>

static struct markdown *MD;
static struct arena A;

static const char *md(const char *s, struct mentions *m)
{
	return markdown_render_mentions(MD, &A, s, strlen(s), m);
}

static const char *shown(const char *html, const struct mention_user *u, size_t n)
{
	struct buf b = BUF_INIT;
	mentions_rewrite(&b, html, u, n);
	char *out = arena_strdup(&A, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

TEST(tokens)
{
	CHECK(mention_token("@bob", 4, 0) == 4);
	CHECK(mention_token("hi @bob!", 8, 3) == 4);
	CHECK(mention_token("a@bob", 5, 1) == 0);       /* an address, not a mention */
	CHECK(mention_token("@abc", 4, 0) == 4);
	CHECK(mention_token("@bo", 3, 0) == 0);          /* too short */
	CHECK(mention_token("@b", 2, 0) == 0);          /* too short */
	CHECK(mention_token("@", 1, 0) == 0);
	const char *long33 = "@abcdefghijklmnopqrstuvwxyz0123456";
	CHECK(mention_token(long33, strlen(long33), 0) == 0); /* 34 chars: too long */
	CHECK(mention_token(long33, 33, 0) == 33);
	CHECK(mention_token("x", 1, 0) == 0);
}

TEST(marked_in_text_only)
{
	struct mentions m = {0};
	const char *h = md("hi @Bob and @carol, `@dave` [@erin](https://e.example) @bob", &m);
	CHECK(m.n == 2);
	CHECK_STR(m.nick[0], "bob");
	CHECK_STR(m.nick[1], "carol");
	CHECK(strstr(h, MENTION_OPEN "bob\">@Bob" MENTION_CLOSE) != NULL);
	CHECK(strstr(h, MENTION_OPEN "bob\">@bob" MENTION_CLOSE) != NULL);
	CHECK(strstr(h, "<code>@dave</code>") != NULL);
	CHECK(strstr(h, "data-nick=\"dave\"") == NULL);
	CHECK(strstr(h, "data-nick=\"erin\"") == NULL);
	CHECK_STR(mentions_param(&A, &m), "{bob,carol}");
	struct mentions none = {0};
	CHECK_STR(md("mail me at x@example.com", &none),
		  "<p>mail me at <a rel=\"noopener noreferrer nofollow\" target=\"_blank\" "
		  "href=\"mailto:x@example.com\">x@example.com</a></p>");
	CHECK(none.n == 0);
	CHECK(mentions_param(&A, &none) == NULL);
	/* without a list nothing is marked */
	CHECK_STR(md("hi @bob", NULL), "<p>hi @bob</p>");
}

TEST(rewrite)
{
	struct mentions m = {0};
	const char *h = md("**@Bob** hi @nobody :smile:", &m);
	struct mention_user u[] = {{"bob", "robert"}};
	CHECK_STR(shown(h, u, 1),
		  "<p><strong><a class=\"mention\" href=\"/u/robert\">@robert</a></strong> hi @nobody \xF0\x9F\x98\x84</p>");
	CHECK_STR(shown(h, NULL, 0), "<p><strong>@Bob</strong> hi @nobody \xF0\x9F\x98\x84</p>");
	CHECK_STR(shown("", u, 1), "");
	/* a broken marker is left alone */
	CHECK_STR(shown(MENTION_OPEN "bob", u, 1), MENTION_OPEN "bob");
}

TEST(not_forgeable)
{
	struct mentions m = {0};
	const char *h = md("<span class=\"mention\" data-nick=\"bob\">@x</span> `" MENTION_OPEN "`", &m);
	CHECK(m.n == 0);
	CHECK(strstr(h, MENTION_OPEN) == NULL);
	struct mention_user u[] = {{"bob", "bob"}};
	CHECK(strstr(shown(h, u, 1), "<a class=\"mention\"") == NULL);
}

TEST(capped)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < MENTIONS_MAX + 5; i++)
		buf_printf(&b, "@user%03d ", i);
	struct mentions m = {0};
	const char *h = md(b.data, &m);
	CHECK(m.n == MENTIONS_MAX);
	CHECK(strstr(h, "data-nick=\"user019\"") != NULL);
	CHECK(strstr(h, "data-nick=\"user020\"") == NULL);
	CHECK(strstr(h, "@user024") != NULL);
	buf_free(&b);
}

int main(void)
{
	arena_init(&A);
	MD = markdown_new();
	CHECK(MD != NULL);
	RUN(tokens);
	RUN(marked_in_text_only);
	RUN(rewrite);
	RUN(not_forgeable);
	RUN(capped);
	markdown_free(MD);
	arena_free(&A);
	return unit_summary();
}
