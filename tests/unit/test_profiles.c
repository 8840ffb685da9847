/* test_profiles.c: the pure parts of profiles and account settings:
 * nickname rules, "about" text, links in plain text, User-Agent
 * descriptions, the ZIP writer of the export, and name segments in routes. */
#include <stdlib.h>

#include "input.h"
#include "linkify.h"
#include "router.h"
#include "unit.h"
#include "useragent.h"
#include "zip.h"

TEST(nickname_rules)
{
	CHECK(nickname_reserved("admin"));
	CHECK(nickname_reserved("messly"));
	CHECK(nickname_reserved("support"));
	CHECK(nickname_reserved("system"));
	CHECK(nickname_reserved("deleted_42"));  /* deleted accounts' names */
	CHECK(nickname_reserved("deleted_"));
	CHECK(!nickname_reserved("admins"));
	CHECK(!nickname_reserved("anna"));
	CHECK(!nickname_reserved("undeleted_1"));
	CHECK(!nickname_reserved(NULL));
	CHECK(valid_nickname("ab", 2) != NULL);
	CHECK(valid_nickname("abc", 3) == NULL);
	CHECK(valid_nickname("a-b", 3) != NULL);
	CHECK(valid_nickname("Abc", 3) != NULL); /* callers lower-case first */
	CHECK(valid_nickname("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 33) != NULL);
}

TEST(about_text)
{
	CHECK(valid_about("", 0) == NULL);
	CHECK(valid_about("line one\nline two\twith tab", 26) == NULL);
	char *big = malloc(1101);
	for (int i = 0; i < 500; i++)
		memcpy(big + 2 * i, "\xd1\x91", 2); /* ё: 500 code points, 1000 bytes */
	CHECK(valid_about(big, 1000) == NULL);
	memcpy(big + 1000, "x", 1);
	CHECK_STR(valid_about(big, 1001), "err.about.long");
	free(big);
	CHECK_STR(valid_about("bell\a", 5), "err.text.control");
	CHECK_STR(valid_about("\xff", 1), "err.encoding");
}

TEST(links)
{
	struct arena a;
	arena_init(&a);
	CHECK_STR(linkify(&a, "plain <b>&\"'"), "plain &lt;b&gt;&amp;&quot;&#39;");
	CHECK_STR(linkify(&a, "see https://ex.am/p?a=1&b=2."),
		  "see <a href=\"https://ex.am/p?a&#61;1&amp;b&#61;2\" rel=\"nofollow noopener "
		  "noreferrer ugc\" target=\"_blank\">https://ex.am/p?a&#61;1&amp;b&#61;2</a>.");
	/* a closing parenthesis belongs to the link only when it opened one */
	CHECK(strstr(linkify(&a, "(http://a.b/x)"), ">http://a.b/x</a>)") != NULL);
	CHECK(strstr(linkify(&a, "http://w.org/A_(b)"), ">http://w.org/A_(b)</a>") != NULL);
	/* no scheme-only links, no javascript:, no link glued to a word */
	CHECK_STR(linkify(&a, "http:// x"), "http:// x");
	CHECK_STR(linkify(&a, "javascript:alert(1)"), "javascript:alert(1)");
	CHECK_STR(linkify(&a, "xhttp://a.b"), "xhttp://a.b");
	/* quotes and brackets end a link, so nothing escapes the attribute */
	CHECK(strstr(linkify(&a, "http://a.b/\"onmouseover=x"), "href=\"http://a.b/\"") != NULL);
	CHECK(strstr(linkify(&a, "HTTPS://A.B/<script>"), "&lt;script&gt;") != NULL);
	CHECK_STR(linkify(&a, ""), "");
	CHECK_STR(linkify(&a, NULL), "");
	arena_free(&a);
}

TEST(user_agents)
{
	struct arena a;
	arena_init(&a);
	const char *b, *o;
	ua_describe(&a, "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", &b, &o);
	CHECK_STR(b, "Firefox");
	CHECK_STR(o, "Linux");
	ua_describe(&a, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
			"Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", &b, &o);
	CHECK_STR(b, "Edge");
	CHECK_STR(o, "Windows");
	ua_describe(&a, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
			"(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", &b, &o);
	CHECK_STR(b, "Safari");
	CHECK_STR(o, "iPhone");
	ua_describe(&a, "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36",
		    &b, &o);
	CHECK_STR(b, "Chrome");
	CHECK_STR(o, "Android");
	ua_describe(&a, "curl/8.1.2", &b, &o);
	CHECK_STR(b, "curl");
	CHECK_STR(o, "");
	ua_describe(&a, "", &b, &o);
	CHECK_STR(b, "");
	CHECK_STR(ua_clean(&a, "a\x01\xd0\x96z"), "a???z");
	CHECK_STR(ua_clean(&a, NULL), "");
	char long_ua[400];
	memset(long_ua, 'x', sizeof(long_ua) - 1);
	long_ua[sizeof(long_ua) - 1] = '\0';
	CHECK(strlen(ua_clean(&a, long_ua)) == UA_MAX);
	arena_free(&a);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

TEST(zip_archive)
{
	CHECK(crc32_update(0, "123456789", 9) == 0xCBF43926u); /* the standard check value */
	CHECK(crc32_update(0, "", 0) == 0);
	CHECK(crc32_update(crc32_update(0, "1234", 4), "56789", 5) == 0xCBF43926u);

	struct buf out = BUF_INIT;
	struct zip z;
	zip_init(&z, &out, 1700000000); /* 2023-11-14 22:13:20 UTC */
	CHECK(zip_add(&z, "a.json", "{}", 2) == 0);
	CHECK(zip_add(&z, "dir/b.txt", "hello", 5) == 0);
	CHECK(zip_add(&z, "", "x", 1) == -1);
	z.failed = 0;
	CHECK(zip_finish(&z) == 0);
	const unsigned char *p = (const unsigned char *)out.data;
	/* local header 1 */
	CHECK(rd32(p) == 0x04034b50);
	CHECK(rd16(p + 8) == 0);                         /* stored */
	CHECK(rd32(p + 14) == crc32_update(0, "{}", 2));
	CHECK(rd32(p + 18) == 2 && rd32(p + 22) == 2);
	CHECK(rd16(p + 26) == 6 && memcmp(p + 30, "a.json{}", 8) == 0);
	CHECK(rd16(p + 12) == (((2023 - 1980) << 9) | (11 << 5) | 14));
	/* local header 2 right after */
	const unsigned char *l2 = p + 30 + 6 + 2;
	CHECK(rd32(l2) == 0x04034b50 && memcmp(l2 + 30, "dir/b.txthello", 14) == 0);
	/* end record: 2 entries, directory where it says */
	const unsigned char *end = p + out.len - 22;
	CHECK(rd32(end) == 0x06054b50);
	CHECK(rd16(end + 8) == 2 && rd16(end + 10) == 2);
	uint32_t dir_size = rd32(end + 12), dir_off = rd32(end + 16);
	CHECK(dir_off + dir_size == out.len - 22);
	const unsigned char *c1 = p + dir_off;
	CHECK(rd32(c1) == 0x02014b50 && rd32(c1 + 42) == 0);
	const unsigned char *c2 = c1 + 46 + rd16(c1 + 28);
	CHECK(rd32(c2) == 0x02014b50 && rd32(c2 + 42) == (uint32_t)(l2 - p));
	CHECK(rd32(c2 + 16) == crc32_update(0, "hello", 5));
	buf_free(&out);

	/* an empty archive is just the end record */
	struct buf empty = BUF_INIT;
	zip_init(&z, &empty, 0);
	CHECK(zip_finish(&z) == 0 && empty.len == 22);
	buf_free(&empty);
}

static enum route_match m(const char *method, const char *path, bool api, const struct route **rt)
{
	int64_t ids[2] = {0, 0};
	*rt = NULL;
	return router_match(method, path, api, ids, rt);
}

TEST(name_routes)
{
	const struct route *rt;
	CHECK(m("GET", "/users/anna", true, &rt) == ROUTE_FOUND);
	CHECK(m("GET", "/u/anna", false, &rt) == ROUTE_FOUND);
	CHECK(m("GET", "/u/anna", true, &rt) == ROUTE_NOT_FOUND);
	CHECK(m("GET", "/users/anna", false, &rt) == ROUTE_NOT_FOUND);
	CHECK(m("GET", "/u/", false, &rt) == ROUTE_NOT_FOUND);
	CHECK(m("GET", "/u/a/b", false, &rt) == ROUTE_NOT_FOUND);
	char longname[300] = "/u/";
	memset(longname + 3, 'a', 256);
	longname[3 + 256] = '\0';
	CHECK(m("GET", longname, false, &rt) == ROUTE_NOT_FOUND); /* 256 bytes: no segment that long */
	CHECK(m("POST", "/users/anna/block", true, &rt) == ROUTE_FOUND);
	CHECK(m("DELETE", "/users/anna/block", true, &rt) == ROUTE_FOUND);
	CHECK(m("PUT", "/users/anna/block", true, &rt) == ROUTE_BAD_METHOD);
	CHECK(m("PATCH", "/me", true, &rt) == ROUTE_FOUND && (rt->flags & R_SESSION));
	CHECK(m("DELETE", "/me", true, &rt) == ROUTE_FOUND);
	CHECK(m("PATCH", "/me", false, &rt) == ROUTE_BAD_METHOD);
	CHECK(m("PUT", "/me/password", true, &rt) == ROUTE_FOUND);
	CHECK(m("DELETE", "/me/sessions/12", true, &rt) == ROUTE_FOUND);
	CHECK(m("DELETE", "/me/sessions/x", true, &rt) == ROUTE_NOT_FOUND);
	CHECK(m("POST", "/settings/sessions/12/end", false, &rt) == ROUTE_FOUND);
	CHECK(m("POST", "/settings/sessions/end-others", false, &rt) == ROUTE_FOUND);
	CHECK(m("GET", "/settings/export", false, &rt) == ROUTE_FOUND);
}

int main(void)
{
	RUN(nickname_rules);
	RUN(about_text);
	RUN(links);
	RUN(user_agents);
	RUN(zip_archive);
	RUN(name_routes);
	return unit_summary();
}
