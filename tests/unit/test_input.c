/* test_input.c: hostile and boundary input for cgi/input.c. */
#include "input.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>

/* Parse a string literal (may hold NUL bytes) with its exact length. */
#define URL(a, lit, out) input_parse_urlencoded((a), (lit), sizeof(lit) - 1, (out))
#define JSON(a, lit, out) input_parse_json((a), (lit), sizeof(lit) - 1, (out))
#define UTF8_OK(lit) utf8_valid((lit), sizeof(lit) - 1)
#define STRLEN(lit) (lit), (sizeof(lit) - 1)

static struct arena A;

/* ------------------------------------------------------------ urlencoded */

TEST(url_basic)
{
	struct input in;
	CHECK(URL(&A, "a=1&b=hello&c=", &in) == INPUT_OK);
	CHECK(in.n == 3);
	CHECK_STR(input_get(&in, "a"), "1");
	CHECK_STR(input_get(&in, "b"), "hello");
	CHECK_STR(input_get(&in, "c"), "");
	CHECK(input_find(&in, "c")->len == 0);
	CHECK(input_find(&in, "c")->kind == IK_STRING);
	CHECK(input_get(&in, "d") == NULL);
	CHECK(input_find(&in, "d") == NULL);
	arena_reset(&A);
}

TEST(url_empty_and_missing_eq)
{
	struct input in;
	CHECK(URL(&A, "", &in) == INPUT_OK);
	CHECK(in.n == 0);
	CHECK(input_get(&in, "a") == NULL);
	CHECK(input_parse_urlencoded(&A, NULL, 0, &in) == INPUT_OK);
	CHECK(in.n == 0);
	CHECK(URL(&A, "&&&", &in) == INPUT_OK);
	CHECK(in.n == 0);
	CHECK(URL(&A, "a=1&&b=2&", &in) == INPUT_OK);
	CHECK(in.n == 2);
	CHECK_STR(input_get(&in, "b"), "2");
	CHECK(URL(&A, "flag&x=1", &in) == INPUT_OK);
	CHECK(in.n == 2);
	CHECK_STR(in.pairs[0].name, "flag");
	CHECK_STR(input_get(&in, "flag"), "");
	/* The first '=' splits; later ones belong to the value. */
	CHECK(URL(&A, "k=a=b", &in) == INPUT_OK);
	CHECK_STR(input_get(&in, "k"), "a=b");
	/* First of repeated names wins. */
	CHECK(URL(&A, "k=1&k=2", &in) == INPUT_OK);
	CHECK(in.n == 2);
	CHECK_STR(input_get(&in, "k"), "1");
	arena_reset(&A);
}

TEST(url_plus_and_percent)
{
	struct input in;
	CHECK(URL(&A, "q=hello+world&n%61me=a%20b%2Bc%26d%3de", &in) == INPUT_OK);
	CHECK_STR(input_get(&in, "q"), "hello world");
	CHECK_STR(input_get(&in, "name"), "a b+c&d=e");
	CHECK(URL(&A, "x=%e2%82%AC&y=%D0%AF", &in) == INPUT_OK); /* € Я */
	CHECK_STR(input_get(&in, "x"), "\xe2\x82\xac");
	CHECK(input_find(&in, "x")->len == 3);
	CHECK_STR(input_get(&in, "y"), "\xd0\xaf");
	CHECK(URL(&A, "a+b=c+", &in) == INPUT_OK);
	CHECK_STR(input_get(&in, "a b"), "c ");
	/* Raw UTF-8 passes through. */
	CHECK(URL(&A, "n=\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd", &in) == INPUT_OK);
	CHECK(input_find(&in, "n")->len == 8);
	arena_reset(&A);
}

TEST(url_bad_escapes)
{
	struct input in;
	CHECK(URL(&A, "a=%G1", &in) == INPUT_EBADENC);
	CHECK(in.n == 0 && in.pairs == NULL);
	CHECK(URL(&A, "a=%1G", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "a=%4", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "a=%4&b=1", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "a=%", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "a=1%", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "%=1", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "%zz", &in) == INPUT_EBADENC);
	/* One bad pair fails the whole parse. */
	CHECK(URL(&A, "good=1&bad=%ZZ&also=2", &in) == INPUT_EBADENC);
	CHECK(in.n == 0);
	arena_reset(&A);
}

TEST(url_nul_and_bad_utf8)
{
	struct input in;
	CHECK(URL(&A, "a=%00", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "a%00b=1", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "a=x\0y", &in) == INPUT_EBADENC); /* raw NUL */
	CHECK(URL(&A, "a=%FF", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "a=%C3", &in) == INPUT_EBADENC);          /* truncated */
	CHECK(URL(&A, "a=%C3%28", &in) == INPUT_EBADENC);       /* bad continuation */
	CHECK(URL(&A, "a=%80", &in) == INPUT_EBADENC);          /* lone continuation */
	CHECK(URL(&A, "a=%C0%80", &in) == INPUT_EBADENC);       /* overlong NUL */
	CHECK(URL(&A, "a=%C1%BF", &in) == INPUT_EBADENC);       /* overlong */
	CHECK(URL(&A, "a=%E0%80%80", &in) == INPUT_EBADENC);    /* overlong */
	CHECK(URL(&A, "a=%F0%80%80%80", &in) == INPUT_EBADENC); /* overlong */
	CHECK(URL(&A, "a=%ED%A0%80", &in) == INPUT_EBADENC);    /* U+D800 */
	CHECK(URL(&A, "a=%ED%BF%BF", &in) == INPUT_EBADENC);    /* U+DFFF */
	CHECK(URL(&A, "a=%F4%90%80%80", &in) == INPUT_EBADENC); /* > U+10FFFF */
	CHECK(URL(&A, "a=%F5%80%80%80", &in) == INPUT_EBADENC);
	CHECK(URL(&A, "a=\xc0\x80", &in) == INPUT_EBADENC);     /* raw overlong */
	CHECK(URL(&A, "a=%F4%8F%BF%BF", &in) == INPUT_OK);      /* U+10FFFF */
	CHECK(URL(&A, "a=%ED%9F%BF", &in) == INPUT_OK);         /* U+D7FF */
	CHECK(URL(&A, "a=%EE%80%80", &in) == INPUT_OK);         /* U+E000 */
	arena_reset(&A);
}

TEST(url_too_many_pairs)
{
	struct input in;
	char *buf = malloc(INPUT_MAX_PAIRS * 8 + 64);
	size_t len = 0;
	for (int i = 0; i < INPUT_MAX_PAIRS; i++)
		len += (size_t)sprintf(buf + len, "%sk%d=1", i ? "&" : "", i);
	CHECK(input_parse_urlencoded(&A, buf, len, &in) == INPUT_OK);
	CHECK(in.n == INPUT_MAX_PAIRS);
	CHECK_STR(input_get(&in, "k255"), "1");
	/* Empty pieces do not count. */
	len += (size_t)sprintf(buf + len, "&&&");
	CHECK(input_parse_urlencoded(&A, buf, len, &in) == INPUT_OK);
	len += (size_t)sprintf(buf + len, "x");
	CHECK(input_parse_urlencoded(&A, buf, len, &in) == INPUT_ETOOBIG);
	CHECK(in.n == 0);
	free(buf);
	arena_reset(&A);
}

/* ---------------------------------------------------------------- cookies */

TEST(cookies)
{
	struct input in;
	input_parse_cookies(&A, "sid=abc123; lang=ru", &in);
	CHECK(in.n == 2);
	CHECK_STR(input_get(&in, "sid"), "abc123");
	CHECK_STR(input_get(&in, "lang"), "ru");
	input_parse_cookies(&A, NULL, &in);
	CHECK(in.n == 0);
	input_parse_cookies(&A, "", &in);
	CHECK(in.n == 0);
	input_parse_cookies(&A, ";;; ; ", &in);
	CHECK(in.n == 0);
	/* Spaces around pieces and '=' are trimmed; junk is skipped. */
	input_parse_cookies(&A,
			    "  a=1 ;b=2;;junk; =x; c = 3 ;\td=\"q\"; e=sp ace; "
			    "f=x,y; g=\"; h=%41; bad name=1; i=; j=a=b",
			    &in);
	CHECK_STR(input_get(&in, "a"), "1");
	CHECK_STR(input_get(&in, "b"), "2");
	CHECK_STR(input_get(&in, "c"), "3");
	CHECK_STR(input_get(&in, "d"), "q");
	CHECK(input_get(&in, "junk") == NULL);
	CHECK(input_get(&in, "") == NULL);
	CHECK(input_get(&in, "e") == NULL);
	CHECK(input_get(&in, "f") == NULL);
	CHECK(input_get(&in, "g") == NULL);
	CHECK_STR(input_get(&in, "h"), "%41"); /* not decoded */
	CHECK(input_get(&in, "bad name") == NULL);
	CHECK_STR(input_get(&in, "i"), "");
	CHECK_STR(input_get(&in, "j"), "a=b");
	CHECK(in.n == 7);
	/* Control bytes and non-ASCII are junk. */
	input_parse_cookies(&A, "a=\x01; b=\xd0\xaf; c\r=1; d=ok", &in);
	CHECK(in.n == 1);
	CHECK_STR(input_get(&in, "d"), "ok");
	/* First of repeated names wins. */
	input_parse_cookies(&A, "s=first; s=second", &in);
	CHECK_STR(input_get(&in, "s"), "first");
	arena_reset(&A);
}

TEST(cookies_many)
{
	struct input in;
	char *buf = malloc(600 * 10 + 1);
	size_t len = 0;
	for (int i = 0; i < 600; i++)
		len += (size_t)sprintf(buf + len, "%sc%d=v", i ? "; " : "", i);
	input_parse_cookies(&A, buf, &in);
	CHECK(in.n == INPUT_MAX_PAIRS); /* extras ignored, never an error */
	CHECK_STR(input_get(&in, "c0"), "v");
	CHECK(input_get(&in, "c300") == NULL);
	free(buf);
	arena_reset(&A);
}

/* ------------------------------------------------------------------- JSON */

TEST(json_valid)
{
	struct input in;
	CHECK(JSON(&A,
		   "{\"s\":\"hi \\\"there\\\" \\u00e9\\n\",\"i\":42,\"neg\":-7,"
		   "\"d\":1.50,\"e\":1E+3,\"t\":true,\"f\":false,\"z\":null,"
		   "\"arr\":[1,2],\"obj\":{\"x\":1},\"big\":99999999999999999999999,"
		   "\"mz\":-0,\"emoji\":\"\\ud83d\\ude00\",\"raw\":\"\xd0\xaf\"}",
		   &in) == INPUT_OK);
	CHECK(in.n == 14);
	CHECK_STR(input_get(&in, "s"), "hi \"there\" \xc3\xa9\n");
	CHECK(input_find(&in, "s")->kind == IK_STRING);
	CHECK(input_find(&in, "s")->len == 14);
	CHECK_STR(input_get(&in, "i"), "42");
	CHECK(input_find(&in, "i")->kind == IK_NUMBER);
	CHECK_STR(input_get(&in, "neg"), "-7");
	CHECK_STR(input_get(&in, "d"), "1.50");
	CHECK(input_find(&in, "d")->kind == IK_NUMBER);
	CHECK_STR(input_get(&in, "e"), "1E+3");
	CHECK_STR(input_get(&in, "big"), "99999999999999999999999");
	CHECK_STR(input_get(&in, "mz"), "-0");
	CHECK_STR(input_get(&in, "t"), "true");
	CHECK(input_find(&in, "t")->kind == IK_BOOL);
	CHECK_STR(input_get(&in, "f"), "false");
	CHECK(input_find(&in, "f")->kind == IK_BOOL);
	CHECK(input_find(&in, "z")->kind == IK_NULL);
	CHECK(input_find(&in, "z")->value == NULL);
	CHECK(input_get(&in, "z") == NULL);
	CHECK(input_find(&in, "arr")->kind == IK_OTHER);
	CHECK(input_find(&in, "arr")->value == NULL);
	CHECK_STR(input_find(&in, "arr")->raw, "[1,2]");
	CHECK_STR(input_find(&in, "obj")->raw, "{\"x\":1}");
	CHECK(input_find(&in, "s")->raw == NULL);
	CHECK(input_find(&in, "obj")->kind == IK_OTHER);
	CHECK(input_get(&in, "obj") == NULL);
	CHECK_STR(input_get(&in, "emoji"), "\xf0\x9f\x98\x80");
	CHECK_STR(input_get(&in, "raw"), "\xd0\xaf");
	/* Members keep their order. */
	CHECK_STR(in.pairs[0].name, "s");
	CHECK_STR(in.pairs[13].name, "raw");
	arena_reset(&A);
}

TEST(json_whitespace_and_empty)
{
	struct input in;
	CHECK(JSON(&A, "{}", &in) == INPUT_OK);
	CHECK(in.n == 0);
	CHECK(JSON(&A, " \t\r\n{ \"a\" : 1 , \"b\" :\"x\" } \n\t\r ", &in) == INPUT_OK);
	CHECK(in.n == 2);
	CHECK_STR(input_get(&in, "a"), "1");
	CHECK(JSON(&A, "{\"a\":1}\n", &in) == INPUT_OK);
	CHECK(JSON(&A, "", &in) == INPUT_EBADJSON);
	CHECK(input_parse_json(&A, NULL, 0, &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "   ", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"k\":\"\"}", &in) == INPUT_OK);
	CHECK_STR(input_get(&in, "k"), "");
	CHECK(JSON(&A, "{\"\":1}", &in) == INPUT_OK); /* empty key is a key */
	CHECK_STR(input_get(&in, ""), "1");
	arena_reset(&A);
}

TEST(json_trailing_and_malformed)
{
	struct input in;
	CHECK(JSON(&A, "{\"t\":\"hi\"}garbage", &in) == INPUT_EBADJSON);
	CHECK(in.n == 0);
	CHECK(JSON(&A, "{\"a\":1} x", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1}{}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1}}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\"}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1,}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{,}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":[1,]}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\" 1}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1 \"b\":2}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{a:1}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1 /*c*/}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":\"unterminated}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":\"x\ty\"}", &in) == INPUT_EBADJSON); /* raw tab */
	CHECK(JSON(&A, "{\"a\":\"x\ny\"}", &in) == INPUT_EBADJSON); /* raw LF */
	CHECK(JSON(&A, "{\"a\":\"\\x41\"}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":\"\\'\"}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":\"\\u12\"}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":\"\\u12G4\"}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "\xef\xbb\xbf{}", &in) == INPUT_EBADJSON); /* BOM */
	arena_reset(&A);
}

TEST(json_top_level_must_be_object)
{
	struct input in;
	CHECK(JSON(&A, "[1,2]", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "[{\"a\":1}]", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "\"str\"", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "1", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "true", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "null", &in) == INPUT_EBADJSON);
	arena_reset(&A);
}

TEST(json_numbers_and_literals)
{
	struct input in;
	CHECK(JSON(&A, "{\"a\":0}", &in) == INPUT_OK);
	CHECK(JSON(&A, "{\"a\":-0.5e-10}", &in) == INPUT_OK);
	CHECK_STR(input_get(&in, "a"), "-0.5e-10");
	CHECK(JSON(&A, "{\"a\":01}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1.}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":.5}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":+1}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":-}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1e}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1e+}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":0x10}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":NaN}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":Infinity}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":-Infinity}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":True}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":tru}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":nul}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":undefined}", &in) == INPUT_EBADJSON);
	arena_reset(&A);
}

TEST(json_single_quotes)
{
	struct input in;
	CHECK(JSON(&A, "{'a':1}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":'x'}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":{'b':1}}", &in) == INPUT_EBADJSON);
	arena_reset(&A);
}

TEST(json_nul_and_surrogates)
{
	struct input in;
	CHECK(JSON(&A, "{\"a\":\"\\u0000\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"ab\\u0000cd\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\\u0000b\":1}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":[\"\\u0000\"]}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"x\0\"}", &in) == INPUT_EBADENC); /* raw NUL */
	CHECK(JSON(&A, "{\"a\":\"\\ud800\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\\udc00\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\\udc00\\ud800\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\\ud800\\u0041\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\\ud800x\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\\u0001\"}", &in) == INPUT_OK); /* validators judge */
	CHECK(input_find(&in, "a")->len == 1);
	CHECK(JSON(&A, "{\"a\":\"\\uDBFF\\uDFFF\"}", &in) == INPUT_OK); /* U+10FFFF */
	CHECK_STR(input_get(&in, "a"), "\xf4\x8f\xbf\xbf");
	arena_reset(&A);
}

TEST(json_invalid_utf8)
{
	struct input in;
	CHECK(JSON(&A, "{\"a\":\"\xff\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\xc0\x80\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\xe0\x80\x80\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\xf0\x80\x80\x80\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\xed\xa0\x80\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":\"\xf4\x90\x80\x80\"}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"\xc3\":1}", &in) == INPUT_EBADENC);
	CHECK(JSON(&A, "{\"a\":1}\xc3", &in) == INPUT_EBADENC);
	arena_reset(&A);
}

TEST(json_duplicate_keys)
{
	struct input in;
	CHECK(JSON(&A, "{\"a\":1,\"a\":2}", &in) == INPUT_EBADJSON);
	CHECK(in.n == 0);
	CHECK(JSON(&A, "{\"a\":1,\"b\":2,\"a\":1}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"a\":1,\"\\u0061\":2}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"x\":{\"a\":1,\"a\":2}}", &in) == INPUT_EBADJSON);
	CHECK(JSON(&A, "{\"x\":[{\"a\":1},{\"b\":1,\"b\":1}]}", &in) == INPUT_EBADJSON);
	/* Same key in different objects is fine. */
	CHECK(JSON(&A, "{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}", &in) ==
	      INPUT_OK);
	CHECK(in.n == 2);
	CHECK(JSON(&A, "{\"a\":1,\"A\":2}", &in) == INPUT_OK);
	arena_reset(&A);
}

/* depth nested containers: {"a":{"a":...{"a":1}...}} for '{',
 * {"a":[[...[1]...]]} for '['. The caller frees. */
static char *nested(int depth, char open)
{
	char *b = malloc((size_t)depth * 6 + 16), *p = b;
	*p++ = '{';
	for (int i = 1; i < depth; i++) {
		if (open == '{' || i == 1) {
			memcpy(p, "\"a\":", 4);
			p += 4;
		}
		*p++ = open;
	}
	if (open == '{' || depth == 1) {
		memcpy(p, "\"a\":", 4);
		p += 4;
	}
	*p++ = '1';
	for (int i = 1; i < depth; i++)
		*p++ = open == '{' ? '}' : ']';
	*p++ = '}';
	*p = '\0';
	return b;
}

TEST(json_depth)
{
	struct input in;
	char *s = nested(INPUT_MAX_JSON_DEPTH, '{');
	CHECK(input_parse_json(&A, s, strlen(s), &in) == INPUT_OK);
	CHECK(input_find(&in, "a")->kind == IK_OTHER);
	free(s);
	s = nested(INPUT_MAX_JSON_DEPTH + 1, '{');
	CHECK(input_parse_json(&A, s, strlen(s), &in) == INPUT_ETOOBIG);
	CHECK(in.n == 0);
	free(s);
	/* Arrays count as levels too: {"a":[[...1...]]}. */
	s = nested(INPUT_MAX_JSON_DEPTH, '[');
	CHECK(input_parse_json(&A, s, strlen(s), &in) == INPUT_OK);
	free(s);
	s = nested(INPUT_MAX_JSON_DEPTH + 1, '[');
	CHECK(input_parse_json(&A, s, strlen(s), &in) == INPUT_ETOOBIG);
	free(s);
	s = nested(1000, '[');
	CHECK(input_parse_json(&A, s, strlen(s), &in) == INPUT_ETOOBIG);
	free(s);
	arena_reset(&A);
}

TEST(json_too_many_members)
{
	struct input in;
	char *buf = malloc(INPUT_MAX_PAIRS * 16 + 64);
	size_t len = (size_t)sprintf(buf, "{");
	for (int i = 0; i < INPUT_MAX_PAIRS; i++)
		len += (size_t)sprintf(buf + len, "%s\"k%d\":%d", i ? "," : "", i, i);
	strcpy(buf + len, "}");
	CHECK(input_parse_json(&A, buf, len + 1, &in) == INPUT_OK);
	CHECK(in.n == INPUT_MAX_PAIRS);
	CHECK_STR(input_get(&in, "k255"), "255");
	len += (size_t)sprintf(buf + len, ",\"extra\":1}");
	CHECK(input_parse_json(&A, buf, len, &in) == INPUT_ETOOBIG);
	CHECK(in.n == 0);
	free(buf);
	arena_reset(&A);
}

/* ------------------------------------------------------------------ UTF-8 */

TEST(utf8)
{
	CHECK(utf8_valid("", 0));
	CHECK(utf8_valid(NULL, 0));
	CHECK(UTF8_OK("plain ascii ~\x7f"));
	CHECK(UTF8_OK("\xc2\x80"));             /* U+0080 */
	CHECK(UTF8_OK("\xdf\xbf"));             /* U+07FF */
	CHECK(UTF8_OK("\xe0\xa0\x80"));         /* U+0800 */
	CHECK(UTF8_OK("\xef\xbf\xbf"));         /* U+FFFF */
	CHECK(UTF8_OK("\xf0\x90\x80\x80"));     /* U+10000 */
	CHECK(UTF8_OK("\xf4\x8f\xbf\xbf"));     /* U+10FFFF */
	CHECK(!UTF8_OK("a\0b"));                /* NUL */
	CHECK(!UTF8_OK("\x80"));
	CHECK(!UTF8_OK("\xbf"));
	CHECK(!UTF8_OK("\xc0\x80"));
	CHECK(!UTF8_OK("\xc1\xbf"));
	CHECK(!UTF8_OK("\xe0\x80\x80"));
	CHECK(!UTF8_OK("\xe0\x9f\xbf"));
	CHECK(!UTF8_OK("\xf0\x80\x80\x80"));
	CHECK(!UTF8_OK("\xf0\x8f\xbf\xbf"));
	CHECK(!UTF8_OK("\xed\xa0\x80"));
	CHECK(!UTF8_OK("\xed\xbf\xbf"));
	CHECK(!UTF8_OK("\xf4\x90\x80\x80"));
	CHECK(!UTF8_OK("\xf5\x80\x80\x80"));
	CHECK(!UTF8_OK("\xf8\x88\x80\x80\x80"));
	CHECK(!UTF8_OK("\xfe"));
	CHECK(!UTF8_OK("\xff"));
	CHECK(!UTF8_OK("\xc3"));                /* truncated */
	CHECK(!UTF8_OK("\xe2\x82"));
	CHECK(!UTF8_OK("\xf0\x9f\x98"));
	CHECK(!UTF8_OK("abc\xe2\x82"));
	CHECK(!UTF8_OK("\xc3\x28"));
	CHECK(!UTF8_OK("\xe2\x28\xa1"));
	CHECK(!UTF8_OK("\xf0\x9f\x28\x80"));
	/* Length is honoured: the truncated tail is outside. */
	CHECK(utf8_valid("ab\xe2\x82\xac", 2));
	CHECK(!utf8_valid("ab\xe2\x82\xac", 4));
	CHECK(utf8_count("", 0) == 0);
	CHECK(utf8_count(STRLEN("abc")) == 3);
	CHECK(utf8_count(STRLEN("\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd")) == 4);
	CHECK(utf8_count(STRLEN("a\xe2\x82\xac\xf0\x9f\x98\x80")) == 3);
}

/* ------------------------------------------------------------- validators */

TEST(valid_email)
{
	CHECK(valid_email(STRLEN("a@b")) == NULL);
	CHECK(valid_email(STRLEN("user.name+tag@example.com")) == NULL);
	CHECK(valid_email(STRLEN("\xd0\xb8\xd0\xbc\xd1\x8f@\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84")) == NULL);
	CHECK_STR(valid_email(STRLEN("")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("@b")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("ab@")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("@")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("user.example.com")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a@b@c")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a b@c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a@c.d ")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a@c.d\r\nBcc: x@y")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a\t@c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a\x7f@c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a\0b@c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("<a@c.d>")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a,b@c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("\"a\"@c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN(".a@c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a.@c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a@.c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a@c.d.")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a..b@c.d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a@c..d")), "err.email.format");
	CHECK_STR(valid_email(STRLEN("a\xc2\x85@c.d")), "err.email.format"); /* NEL */
	CHECK_STR(valid_email(STRLEN("a\xe2\x80\xae@c.d")), "err.email.format"); /* RLO */
	CHECK_STR(valid_email(STRLEN("a\xff@c.d")), "err.email.format");
	char e[300];
	memset(e, 'a', sizeof(e));
	e[0] = 'x';
	e[1] = '@';
	CHECK(valid_email(e, 254) == NULL);
	CHECK_STR(valid_email(e, 255), "err.email.format");
}

TEST(valid_password)
{
	CHECK_STR(valid_password(STRLEN("")), "err.password.short");
	CHECK_STR(valid_password(STRLEN("1234567")), "err.password.short");
	CHECK(valid_password(STRLEN("12345678")) == NULL);
	/* Code points, not bytes: 7 Cyrillic letters are 14 bytes but short. */
	CHECK_STR(valid_password(STRLEN("\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xb9")),
		  "err.password.short");
	CHECK(valid_password(STRLEN("\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xb9\xd0\xb0")) ==
	      NULL);
	CHECK_STR(valid_password(STRLEN("\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
					"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80")),
		  "err.password.short");
	CHECK_STR(valid_password(STRLEN("abc\0defgh")), "err.encoding");
	CHECK_STR(valid_password(STRLEN("abcdefgh\xc0\x80")), "err.encoding");
	CHECK(valid_password(STRLEN("pass word with spaces")) == NULL);
	char p[1100];
	memset(p, 'x', sizeof(p));
	CHECK(valid_password(p, 256) == NULL);
	CHECK_STR(valid_password(p, 257), "err.password.long");
	/* 256 two-byte code points (512 bytes) are fine, 257 are too long. */
	for (size_t i = 0; i + 1 < sizeof(p); i += 2) {
		p[i] = '\xd0';
		p[i + 1] = '\xaf';
	}
	CHECK(valid_password(p, 512) == NULL);
	CHECK_STR(valid_password(p, 514), "err.password.long");
}

TEST(valid_nickname)
{
	CHECK_STR(valid_nickname(STRLEN("")), "err.nickname.format");
	CHECK_STR(valid_nickname(STRLEN("ab")), "err.nickname.format");
	CHECK(valid_nickname(STRLEN("abc")) == NULL);
	CHECK(valid_nickname(STRLEN("a_1")) == NULL);
	CHECK(valid_nickname(STRLEN("___")) == NULL);
	CHECK(valid_nickname(STRLEN("0123456789abcdefghijklmnopqrstuv")) == NULL); /* 32 */
	CHECK_STR(valid_nickname(STRLEN("0123456789abcdefghijklmnopqrstuvw")), "err.nickname.format");
	CHECK_STR(valid_nickname(STRLEN("Abc")), "err.nickname.format");
	CHECK_STR(valid_nickname(STRLEN("abC")), "err.nickname.format");
	CHECK_STR(valid_nickname(STRLEN("ab-c")), "err.nickname.format");
	CHECK_STR(valid_nickname(STRLEN("ab.c")), "err.nickname.format");
	CHECK_STR(valid_nickname(STRLEN("ab c")), "err.nickname.format");
	CHECK_STR(valid_nickname(STRLEN("@abc")), "err.nickname.format");
	CHECK_STR(valid_nickname(STRLEN("ab\0c")), "err.nickname.format");
	CHECK_STR(valid_nickname(STRLEN("\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd")), "err.nickname.format");
}

TEST(valid_display_name)
{
	CHECK(valid_display_name(STRLEN("A")) == NULL);
	CHECK(valid_display_name(STRLEN("Ada Lovelace")) == NULL);
	CHECK(valid_display_name(STRLEN("\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd")) == NULL);
	CHECK(valid_display_name(STRLEN("\xf0\x9f\x98\x80")) == NULL);
	CHECK(valid_display_name(STRLEN("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d")) == NULL); /* Hebrew */
	CHECK_STR(valid_display_name(STRLEN("")), "err.name.empty");
	CHECK_STR(valid_display_name(STRLEN(" ")), "err.name.empty");
	CHECK_STR(valid_display_name(STRLEN("   ")), "err.name.empty");
	CHECK_STR(valid_display_name(STRLEN("\xc2\xa0\xe2\x80\x8b\xe3\x80\x80")), "err.name.empty");
	CHECK_STR(valid_display_name(STRLEN("\xe3\x85\xa4")), "err.name.empty"); /* Hangul filler */
	/* Controls. */
	CHECK_STR(valid_display_name(STRLEN("a\tb")), "err.name.control");
	CHECK_STR(valid_display_name(STRLEN("a\nb")), "err.name.control");
	CHECK_STR(valid_display_name(STRLEN("a\rb")), "err.name.control");
	CHECK_STR(valid_display_name(STRLEN("a\x1b[31m")), "err.name.control");
	CHECK_STR(valid_display_name(STRLEN("a\x7f")), "err.name.control");
	CHECK_STR(valid_display_name(STRLEN("a\xc2\x80")), "err.name.control");   /* U+0080 */
	CHECK_STR(valid_display_name(STRLEN("a\xc2\x9f")), "err.name.control");   /* U+009F */
	CHECK(valid_display_name(STRLEN("a\xc2\xa9")) == NULL);                   /* U+00A9 */
	CHECK_STR(valid_display_name(STRLEN("a\xe2\x80\xa8")), "err.name.control"); /* U+2028 */
	CHECK_STR(valid_display_name(STRLEN("a\xe2\x80\xa9")), "err.name.control"); /* U+2029 */
	CHECK_STR(valid_display_name(STRLEN("a\xe2\x80\xaa")), "err.name.control"); /* U+202A */
	CHECK_STR(valid_display_name(STRLEN("a\xe2\x80\xae")), "err.name.control"); /* U+202E */
	CHECK(valid_display_name(STRLEN("a\xe2\x80\xaf" "b")) == NULL);             /* U+202F */
	CHECK_STR(valid_display_name(STRLEN("a\xe2\x81\xa6")), "err.name.control"); /* U+2066 */
	CHECK_STR(valid_display_name(STRLEN("a\xe2\x81\xa9")), "err.name.control"); /* U+2069 */
	CHECK_STR(valid_display_name(STRLEN(" \xe2\x80\xae")), "err.name.control");
	CHECK_STR(valid_display_name(STRLEN("a\0b")), "err.encoding");
	CHECK_STR(valid_display_name(STRLEN("a\xed\xa0\x80")), "err.encoding");
	/* 64 / 65 code points, Cyrillic (2 bytes each). */
	char n[200];
	for (size_t i = 0; i + 1 < sizeof(n); i += 2) {
		n[i] = '\xd0';
		n[i + 1] = '\x96';
	}
	CHECK(valid_display_name(n, 128) == NULL);
	CHECK_STR(valid_display_name(n, 130), "err.name.long");
	memset(n, 'z', sizeof(n));
	CHECK(valid_display_name(n, 64) == NULL);
	CHECK_STR(valid_display_name(n, 65), "err.name.long");
}

TEST(valid_message_text)
{
	CHECK(valid_message_text(STRLEN("hi"), 4000) == NULL);
	CHECK(valid_message_text(STRLEN("line1\nline2\tend"), 4000) == NULL);
	CHECK(valid_message_text(STRLEN("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"), 4000) ==
	      NULL);
	/* Bidi characters are legitimate in messages. */
	CHECK(valid_message_text(STRLEN("a\xe2\x81\xa7" "b\xe2\x81\xa9"), 4000) == NULL);
	CHECK_STR(valid_message_text(STRLEN(""), 4000), "err.text.empty");
	CHECK_STR(valid_message_text(STRLEN(" "), 4000), "err.text.empty");
	CHECK_STR(valid_message_text(STRLEN(" \n\t \n"), 4000), "err.text.empty");
	CHECK_STR(valid_message_text(STRLEN("\xc2\xa0\xe2\x80\x8b\xef\xbb\xbf"), 4000), "err.text.empty");
	CHECK_STR(valid_message_text(STRLEN("a\rb"), 4000), "err.text.control");
	CHECK_STR(valid_message_text(STRLEN("a\x01"), 4000), "err.text.control");
	CHECK_STR(valid_message_text(STRLEN("a\x1b"), 4000), "err.text.control");
	CHECK_STR(valid_message_text(STRLEN("a\x7f"), 4000), "err.text.control");
	CHECK_STR(valid_message_text(STRLEN("a\xc2\x85"), 4000), "err.text.control");
	CHECK_STR(valid_message_text(STRLEN("a\0b"), 4000), "err.encoding");
	CHECK_STR(valid_message_text(STRLEN("a\xc0\x80"), 4000), "err.encoding");
	/* Max: counted in code points, after trimming. */
	CHECK(valid_message_text(STRLEN("abcde"), 5) == NULL);
	CHECK_STR(valid_message_text(STRLEN("abcdef"), 5), "err.text.long");
	CHECK(valid_message_text(STRLEN("  \nabcde\n  "), 5) == NULL);
	CHECK(valid_message_text(STRLEN("a b c"), 5) == NULL);
	CHECK_STR(valid_message_text(STRLEN(" a b c "), 4), "err.text.long");
	CHECK(valid_message_text(STRLEN("\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96"), 5) == NULL);
	CHECK_STR(valid_message_text(STRLEN("\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96\xd0\x96"), 5),
		  "err.text.long");
	CHECK(valid_message_text(STRLEN("x"), 1) == NULL);
}

/* ---------------------------------------------------------------- numbers */

TEST(parse_id)
{
	int64_t v = 77;
	CHECK(parse_id("1", &v) && v == 1);
	CHECK(parse_id("42", &v) && v == 42);
	CHECK(parse_id("9007199254740992", &v) && v == 9007199254740992LL);
	CHECK(parse_id("1000000000000000", &v) && v == 1000000000000000LL);
	v = 77;
	CHECK(!parse_id("9007199254740993", &v));
	CHECK(!parse_id("9999999999999999", &v));
	CHECK(!parse_id("10000000000000000", &v));
	CHECK(!parse_id("99999999999999999999999999999999999999", &v));
	CHECK(!parse_id("18446744073709551617", &v));
	CHECK(!parse_id("0", &v));
	CHECK(!parse_id("00", &v));
	CHECK(!parse_id("01", &v));
	CHECK(!parse_id("-1", &v));
	CHECK(!parse_id("+1", &v));
	CHECK(!parse_id("", &v));
	CHECK(!parse_id(NULL, &v));
	CHECK(!parse_id("12a", &v));
	CHECK(!parse_id("a12", &v));
	CHECK(!parse_id(" 12", &v));
	CHECK(!parse_id("12 ", &v));
	CHECK(!parse_id("1.0", &v));
	CHECK(!parse_id("1e3", &v));
	CHECK(!parse_id("0x10", &v));
	CHECK(v == 77); /* untouched on failure */
}

TEST(parse_int_range)
{
	int64_t v = 77;
	CHECK(parse_int_range("0", 0, 10, &v) && v == 0);
	CHECK(parse_int_range("10", 0, 10, &v) && v == 10);
	CHECK(parse_int_range("-5", -10, 10, &v) && v == -5);
	CHECK(parse_int_range("9223372036854775807", INT64_MIN, INT64_MAX, &v) && v == INT64_MAX);
	CHECK(parse_int_range("-9223372036854775808", INT64_MIN, INT64_MAX, &v) && v == INT64_MIN);
	v = 77;
	CHECK(!parse_int_range("9223372036854775808", INT64_MIN, INT64_MAX, &v));
	CHECK(!parse_int_range("-9223372036854775809", INT64_MIN, INT64_MAX, &v));
	CHECK(!parse_int_range("99999999999999999999999", INT64_MIN, INT64_MAX, &v));
	CHECK(!parse_int_range("11", 0, 10, &v));
	CHECK(!parse_int_range("-1", 0, 10, &v));
	CHECK(!parse_int_range("", 0, 10, &v));
	CHECK(!parse_int_range(NULL, 0, 10, &v));
	CHECK(!parse_int_range("-", 0, 10, &v));
	CHECK(!parse_int_range("+1", 0, 10, &v));
	CHECK(!parse_int_range("01", 0, 10, &v));
	CHECK(!parse_int_range("-0", -10, 10, &v));
	CHECK(!parse_int_range("1a", 0, 10, &v));
	CHECK(!parse_int_range(" 1", 0, 10, &v));
	CHECK(!parse_int_range("1 ", 0, 10, &v));
	CHECK(!parse_int_range("--1", -10, 10, &v));
	CHECK(v == 77);
}

TEST(find_and_get)
{
	struct input in = {NULL, 0};
	CHECK(input_find(&in, "a") == NULL);
	CHECK(input_find(NULL, "a") == NULL);
	CHECK(input_get(NULL, "a") == NULL);
	CHECK(JSON(&A, "{\"n\":null,\"o\":[],\"b\":false}", &in) == INPUT_OK);
	CHECK(input_find(&in, "n") != NULL);
	CHECK(input_get(&in, "n") == NULL);
	CHECK(input_find(&in, "o") != NULL);
	CHECK(input_get(&in, "o") == NULL);
	CHECK_STR(input_get(&in, "b"), "false");
	CHECK(input_find(&in, "B") == NULL); /* case-sensitive */
	arena_reset(&A);
}

TEST(valid_group_fields)
{
	CHECK(valid_group_name("Team", 4) == NULL);
	CHECK_STR(valid_group_name("", 0), "err.group.name_empty");
	CHECK_STR(valid_group_name("   ", 3), "err.group.name_empty");
	CHECK_STR(valid_group_name("a\nb", 3), "err.name.control");
	char name[GROUP_NAME_MAX * 2 + 3];
	size_t n = 0;
	for (int i = 0; i < GROUP_NAME_MAX; i++) { /* 128 x "\xd1\x8f" (ya) */
		name[n++] = '\xd1';
		name[n++] = '\x8f';
	}
	CHECK(valid_group_name(name, n) == NULL);
	name[n++] = 'x';
	CHECK_STR(valid_group_name(name, n), "err.group.name_long");
	CHECK(valid_group_description("", 0) == NULL);
	CHECK(valid_group_description("line\nline\ttab", 13) == NULL);
	CHECK_STR(valid_group_description("a\x01", 2), "err.group.description_control");
	char desc[GROUP_DESCRIPTION_MAX + 2];
	memset(desc, 'd', sizeof(desc));
	CHECK(valid_group_description(desc, GROUP_DESCRIPTION_MAX) == NULL);
	CHECK_STR(valid_group_description(desc, GROUP_DESCRIPTION_MAX + 1), "err.group.description_long");
	CHECK_STR(valid_group_description("\xff", 1), "err.encoding");
}

int main(void)
{
	arena_init(&A);
	RUN(url_basic);
	RUN(url_empty_and_missing_eq);
	RUN(url_plus_and_percent);
	RUN(url_bad_escapes);
	RUN(url_nul_and_bad_utf8);
	RUN(url_too_many_pairs);
	RUN(cookies);
	RUN(cookies_many);
	RUN(json_valid);
	RUN(json_whitespace_and_empty);
	RUN(json_trailing_and_malformed);
	RUN(json_top_level_must_be_object);
	RUN(json_numbers_and_literals);
	RUN(json_single_quotes);
	RUN(json_nul_and_surrogates);
	RUN(json_invalid_utf8);
	RUN(json_duplicate_keys);
	RUN(json_depth);
	RUN(json_too_many_members);
	RUN(utf8);
	RUN(valid_email);
	RUN(valid_password);
	RUN(valid_nickname);
	RUN(valid_display_name);
	RUN(valid_message_text);
	RUN(parse_id);
	RUN(parse_int_range);
	RUN(find_and_get);
	RUN(valid_group_fields);
	arena_free(&A);
	return unit_summary();
}
