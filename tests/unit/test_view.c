/* test_view.c: the JSON writer of the API (view_json_write) against json-c's
 * own, and the message model's fast path for plain messages
 * (message_set_extra) against the parser's result, and message previews
 * against the byte-by-byte writer they replaced. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "unit.h"
#include "view.h"

/* view_json_write(o) as a malloc'd string. */
static char *ours(struct json_object *o)
{
	struct buf b = BUF_INIT;
	view_json_write(&b, o);
	char *s = strdup(b.data ? b.data : "");
	buf_free(&b);
	return s;
}

static const char *theirs(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Parse json, write it both ways, compare. */
static int same_as_json_c(const char *json)
{
	struct json_object *o = json_tokener_parse(json);
	if (o == NULL && strcmp(json, "null") != 0)
		return 0;
	char *a = ours(o);
	int eq = strcmp(a, theirs(o)) == 0;
	if (!eq)
		printf("  ours   %s\n  json-c %s\n", a, theirs(o));
	free(a);
	json_object_put(o);
	return eq;
}

TEST(scalars_and_nesting)
{
	CHECK(same_as_json_c("null"));
	CHECK(same_as_json_c("true"));
	CHECK(same_as_json_c("[false,0,-1,9007199254740991,-9223372036854775808]"));
	CHECK(same_as_json_c("{}"));
	CHECK(same_as_json_c("[]"));
	CHECK(same_as_json_c("{\"a\":{\"b\":[1,{\"c\":null}],\"d\":\"x\"},\"e\":[]}"));
	CHECK(same_as_json_c("[1.5,-0.25,1e300,3.0]"));
}

TEST(string_escapes)
{
	CHECK(same_as_json_c("\"plain\""));
	CHECK(same_as_json_c("\"quote \\\" backslash \\\\ slash / done\""));
	CHECK(same_as_json_c("\"\\b\\f\\n\\r\\t\""));
	CHECK(same_as_json_c("\"\\u0001\\u001f\\u007f x\""));
	CHECK(same_as_json_c("\"пример текста \\u2028 😀 <script>\""));
	CHECK(same_as_json_c("{\"key \\\"q\\\"\\n\":\"v\"}"));
	/* a string with an embedded NUL is written whole, as json-c does */
	struct json_object *s = json_object_new_string_len("a\0b", 3);
	char *a = ours(s);
	CHECK_STR(a, "\"a\\u0000b\"");
	CHECK_STR(a, theirs(s));
	free(a);
	json_object_put(s);
}

/* The writer scans eight bytes at a time: every byte value at every offset of
 * strings from 1 to 24 bytes long (so in the first word, a later one and the
 * bytewise tail), among plain bytes and among bytes from 0x80 up, against json-c. */
static int byte_at_offsets(unsigned char filler)
{
	char s[24];
	for (size_t len = 1; len <= sizeof(s); len++)
		for (size_t at = 0; at < len; at++)
			for (int c = 1; c < 256; c++) {
				memset(s, filler, len);
				s[at] = (char)c;
				struct json_object *o = json_object_new_string_len(s, (int)len);
				char *a = ours(o);
				int eq = strcmp(a, theirs(o)) == 0;
				if (!eq)
					printf("  len %zu at %zu byte %d: ours %s json-c %s\n", len, at, c,
					       a, theirs(o));
				free(a);
				json_object_put(o);
				if (!eq)
					return 0;
			}
	return 1;
}

TEST(string_escapes_word_at_a_time)
{
	CHECK(byte_at_offsets('a'));
	CHECK(byte_at_offsets(0xd0)); /* lead and continuation bytes of UTF-8 */
	CHECK(byte_at_offsets(0x80));
	CHECK(byte_at_offsets('"'));
	CHECK(byte_at_offsets(0x1f));
	CHECK(same_as_json_c("\"\\u0000 at the start, a long run of plain text after it, \\\" then more\""));
}

TEST(objects_built_by_handlers)
{
	struct json_object *m = json_object_new_object();
	jset_str(m, "text", "line\nnext");
	jset_str(m, "none", NULL);
	jset_int(m, "id", 42);
	jset_bool(m, "ok", 1);
	jset(m, "list", json_object_new_array());
	char *a = ours(m);
	CHECK_STR(a, "{\"text\":\"line\\nnext\",\"none\":null,\"id\":42,\"ok\":true,\"list\":[]}");
	CHECK_STR(a, theirs(m));
	free(a);
	json_object_put(m);
}

/* message_set_extra on msg with extra; the result written as JSON. */
static char *extra(const char *x)
{
	struct json_object *m = json_object_new_object();
	message_set_extra(m, x);
	char *s = ours(m);
	json_object_put(m);
	return s;
}

TEST(plain_message_fast_path)
{
	/* exactly what json_build_object() writes for a message with nothing
	 * beyond its text (MSG_EXTRA in db.c) ... */
	char *fast = extra("{\"files\" : null, \"edited\" : false, \"mentions\" : null, \"deleted\" : false, \"pinned\" : false,"
			   " \"forwarded\" : null, \"reply\" : null, \"reactions\" : null}");
	/* ... and the same value spelt otherwise, which takes the parser */
	char *parsed = extra("{\"files\":null,\"edited\":false,\"mentions\":null,\"deleted\":false,\"pinned\":false,"
			     "\"forwarded\":null,\"reply\":null,\"reactions\":null}");
	CHECK_STR(fast, parsed);
	CHECK_STR(fast, "{\"mentions\":[],\"edited\":false,\"deleted\":false,\"pinned\":false,\"reactions\":[]}");
	free(fast);
	free(parsed);
	/* anything else still comes through the parser */
	char *edited = extra("{\"files\" : null, \"edited\" : true, \"mentions\" : null, \"deleted\" : false, \"pinned\" : true,"
			     " \"forwarded\" : null, \"reply\" : null, \"reactions\" :"
			     " [{\"emoji\":\"👍\",\"count\":1,\"users\":[7]}]}");
	CHECK_STR(edited, "{\"mentions\":[],\"edited\":true,\"deleted\":false,\"pinned\":true,"
			  "\"reactions\":[{\"emoji\":\"👍\",\"count\":1,\"users\":[7]}]}");
	free(edited);
}

/* message_add_preview as it was before it wrote into one array (byte by byte
 * into a buf), kept here as the reference for the current one. */
static char *preview_reference(const char *p)
{
	struct buf out = BUF_INIT;
	size_t chars = 0;
	bool space = false, line_start = true;
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n' || c == ' ' || c == '\t') {
			space = out.len > 0;
			line_start = line_start || c == '\n';
			continue;
		}
		if (c == '*' || c == '_' || c == '~' || c == '`' ||
		    (line_start && (c == '#' || c == '>')))
			continue;
		bool lead = (c & 0xC0) != 0x80;
		if (lead && chars == 140)
			break;
		if (space) {
			buf_putc(&out, ' ');
			space = false;
		}
		line_start = false;
		buf_putc(&out, (char)c);
		chars += lead;
	}
	if (*p)
		buf_puts(&out, "\xE2\x80\xA6");
	char *r = strdup(out.data ? out.data : "");
	buf_free(&out);
	return r;
}

static int preview_same(const char *text)
{
	struct json_object *m = json_object_new_object();
	jset_str(m, "text", text);
	message_add_preview(m);
	struct json_object *v = NULL;
	json_object_object_get_ex(m, "preview", &v);
	char *want = preview_reference(text);
	int eq = v != NULL && strcmp(json_object_get_string(v), want) == 0;
	if (!eq)
		printf("  text %s\n  got  %s\n  want %s\n", text, v ? json_object_get_string(v) : "(none)", want);
	free(want);
	json_object_put(m);
	return eq;
}

TEST(preview_as_before)
{
	CHECK(preview_same(""));
	CHECK(preview_same("   \n\t "));
	CHECK(preview_same("# Title\n> quote **bold** _it_ ~s~ `code` #not-heading"));
	CHECK(preview_same("  leading and   inner\n\nblank lines  "));
	CHECK(preview_same("пример текста с эмодзи 😀 и ещё"));
	/* long texts: cut at 140 code points, never inside a character; over the
	 * 512-byte stack array too */
	struct buf b = BUF_INIT;
	for (int i = 0; i < 200; i++)
		buf_puts(&b, i % 3 ? "ж" : "a ");
	CHECK(preview_same(b.data));
	buf_reset(&b);
	for (int i = 0; i < 300; i++)
		buf_puts(&b, "😀*\n");
	CHECK(preview_same(b.data));
	buf_reset(&b);
	for (int i = 0; i < 139; i++)
		buf_putc(&b, 'x');
	CHECK(preview_same(b.data));
	buf_puts(&b, "y");
	CHECK(preview_same(b.data));
	buf_puts(&b, "\xd0\xb6 ");
	CHECK(preview_same(b.data));
	buf_reset(&b);
	/* pseudo-random mixes of the bytes the rules care about */
	static const char *const pieces[] = {" ", "\n", "\t", "*", "_", "~", "`", "#", ">", "a", "ж",
					     "😀", "\x80", "\xbf", "\xe2\x80"};
	unsigned seed = 12345;
	for (int round = 0; round < 2000; round++) {
		buf_reset(&b);
		int n = (int)(seed % 400);
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&b, pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))]);
		}
		seed = seed * 1103515245u + 12345u;
		if (!preview_same(b.data ? b.data : "")) {
			CHECK(0);
			break;
		}
	}
	buf_free(&b);
}

int main(void)
{
	RUN(scalars_and_nesting);
	RUN(string_escapes);
	RUN(string_escapes_word_at_a_time);
	RUN(objects_built_by_handlers);
	RUN(plain_message_fast_path);
	RUN(preview_as_before);
	return unit_summary();
}
