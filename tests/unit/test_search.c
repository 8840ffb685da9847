/* test_search.c: cgi/search.c - query words, safe snippets, filter dates. */
#include "search.h"
#include "unit.h"

#include <string.h>

static struct arena A;

TEST(words_split)
{
	int n;
	bool prefix;
	CHECK_STR(search_words(&A, "Сообщения, message!", &n, &prefix), "{\"Сообщения\",\"message\"}");
	CHECK(n == 2);
	CHECK(prefix);
	CHECK_STR(search_words(&A, "  ", &n, &prefix), "{}");
	CHECK(n == 0);
	CHECK(!prefix);
	/* short last word: no prefix search */
	search_words(&A, "hello ab", &n, &prefix);
	CHECK(n == 2);
	CHECK(!prefix);
	search_words(&A, "привет дом", &n, &prefix);
	CHECK(prefix); /* three characters, six bytes */
	arena_reset(&A);
}

TEST(words_hostile)
{
	int n;
	bool prefix;
	/* tsquery operators, quotes and array-literal syntax only separate words */
	CHECK_STR(search_words(&A, "a:*|b&!c'\"d\\e{f},g()<->", &n, &prefix),
		  "{\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"}");
	CHECK(n == 7);
	/* at most SEARCH_WORDS_MAX words */
	search_words(&A, "a b c d e f g h i j k l m n o p", &n, &prefix);
	CHECK(n == SEARCH_WORDS_MAX);
	/* a long word is cut to SEARCH_WORD_MAX bytes on a character boundary */
	char lng[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(lng, "ж");
	const char *w = search_words(&A, lng, &n, &prefix);
	CHECK(n == 1);
	CHECK(strlen(w) == 2 + 2 + SEARCH_WORD_MAX); /* {"…"} around 32 two-byte letters */
	arena_reset(&A);
}

TEST(snippet_escaped)
{
	CHECK_STR(search_snippet_html(&A, "a \x01<b>\x02 & \"x\""),
		  "a <mark>&lt;b&gt;</mark> &amp; &quot;x&quot;");
	CHECK_STR(search_snippet_html(&A, "<script>alert(1)</script>"),
		  "&lt;script&gt;alert(1)&lt;/script&gt;");
	/* unmatched or nested markers never leave markup open */
	CHECK_STR(search_snippet_html(&A, "\x01" "a\x01" "b"), "<mark>ab</mark>");
	CHECK_STR(search_snippet_html(&A, "a\x02" "b"), "ab");
	CHECK_STR(search_snippet_html(&A, ""), "");
	arena_reset(&A);
}

TEST(dates)
{
	CHECK(search_date_ok("2026-11-28"));
	CHECK(search_date_ok("2024-02-29"));
	CHECK(!search_date_ok("2026-02-29"));
	CHECK(!search_date_ok("2026-02-30"));
	CHECK(!search_date_ok("1900-02-29"));
	CHECK(search_date_ok("2000-02-29"));
	CHECK(!search_date_ok("2026-13-01"));
	CHECK(!search_date_ok("2026-00-10"));
	CHECK(!search_date_ok("2026-1-01"));
	CHECK(!search_date_ok("28.11.2026"));
	CHECK(!search_date_ok("2026-11-28x"));
	CHECK(!search_date_ok(""));
	CHECK(!search_date_ok(NULL));
	CHECK(!search_date_ok("1899-12-31"));
}

int main(void)
{
	arena_init(&A);
	RUN(words_split);
	RUN(words_hostile);
	RUN(snippet_escaped);
	RUN(dates);
	arena_free(&A);
	return unit_summary();
}
