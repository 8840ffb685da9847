/* test_markdown.c: message formatting (cgi/markdown.c, cgi/shortcodes.c):
 * links open in a new tab, shortcodes become emoji outside code, unsafe
 * input stays inert. */
#include "markdown.h"
#include "shortcodes.h"
#include "unit.h"

#include <string.h>

static struct markdown *MD;
static struct arena A;

static const char *md(const char *s) { return markdown_render(MD, &A, s, strlen(s)); }

TEST(shortcode_table)
{
	CHECK_STR(shortcode_emoji("smile", 5), "\xF0\x9F\x98\x84");
	CHECK_STR(shortcode_emoji("+1", 2), "\xF0\x9F\x91\x8D");
	CHECK_STR(shortcode_emoji("zzz", 3), "\xF0\x9F\x92\xA4");
	CHECK_STR(shortcode_emoji("grinning", 8), "\xF0\x9F\x98\x80");
	CHECK(shortcode_emoji("nope", 4) == NULL);
	CHECK(shortcode_emoji("", 0) == NULL);
	CHECK(shortcode_emoji("Smile", 5) == NULL);
}

TEST(shortcodes_in_text_not_code)
{
	CHECK_STR(md("hi :smile: and :tada:!"), "<p>hi \xF0\x9F\x98\x84 and \xF0\x9F\x8E\x89!</p>");
	CHECK_STR(md("`:smile:`"), "<p><code>:smile:</code></p>");
	CHECK_STR(md(":unknown: :smile"), "<p>:unknown: :smile</p>");
	CHECK_STR(md("**:fire:**"), "<p><strong>\xF0\x9F\x94\xA5</strong></p>");
	CHECK_STR(md("a:smile:b"), "<p>a\xF0\x9F\x98\x84" "b</p>");
}

TEST(links_new_tab)
{
	CHECK_STR(md("[x](https://example.com)"),
		  "<p><a rel=\"noopener noreferrer nofollow\" target=\"_blank\" href=\"https://example.com\">x</a></p>");
	CHECK_STR(md("see https://example.com/a"),
		  "<p>see <a rel=\"noopener noreferrer nofollow\" target=\"_blank\" href=\"https://example.com/a\">https://example.com/a</a></p>");
}

TEST(unsafe_inert)
{
	const char *h = md("<a href=\"javascript:alert(1)\">x</a> [y](javascript:alert(1)) `<a href=\"z\">`");
	CHECK(strstr(h, "javascript:") == NULL);
	CHECK(strstr(h, "<a href") == NULL);
	CHECK(strstr(h, "&lt;a href=&quot;z&quot;&gt;") != NULL);
	h = md("[d](data:text/html,<script>)");
	CHECK(strstr(h, "data:") == NULL);
	CHECK(strstr(h, "<script") == NULL);
}

int main(void)
{
	arena_init(&A);
	MD = markdown_new();
	CHECK(MD != NULL);
	RUN(shortcode_table);
	RUN(shortcodes_in_text_not_code);
	RUN(links_new_tab);
	RUN(unsafe_inert);
	markdown_free(MD);
	arena_free(&A);
	return unit_summary();
}
