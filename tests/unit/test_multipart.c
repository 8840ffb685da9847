/* test_multipart.c: the streaming multipart parser, fed whole and in
 * every split, with hostile input. */
#include <stdlib.h>

#include "buf.h"
#include "multipart.h"
#include "unit.h"

struct got {
	char names[8][64], files[8][64], data[8][256];
	size_t len[8];
	int parts, ended, abort_at;
};

static int on_begin(void *ctx, const struct mp_part *p)
{
	struct got *g = ctx;
	if (g->parts == g->abort_at)
		return 1;
	if (g->parts >= 8) {
		g->parts++;
		return 0;
	}
	snprintf(g->names[g->parts], 64, "%s", p->name);
	snprintf(g->files[g->parts], 64, "%s", p->filename ? p->filename : "(none)");
	g->len[g->parts] = 0;
	g->parts++;
	return 0;
}

static int on_data(void *ctx, const char *d, size_t n)
{
	struct got *g = ctx;
	int i = g->parts - 1;
	if (i < 8 && g->len[i] + n < sizeof(g->data[i])) {
		memcpy(g->data[i] + g->len[i], d, n);
		g->len[i] += n;
		g->data[i][g->len[i]] = '\0';
	}
	return 0;
}

static int on_end(void *ctx)
{
	((struct got *)ctx)->ended++;
	return 0;
}

#define CT "multipart/form-data; boundary=XyZ"
static const char body[] =
	"preamble\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
	"tok\r\n"
	"--XyZ  \r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\n"
	"Content-Type: text/plain\r\n\r\n"
	"line1\r\n--XyNot a delimiter\r\n\r--X\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"x\"; filename*=UTF-8''%D1%84.txt\r\n\r\n"
	"\r\n"
	"--XyZ--\r\nepilogue";

/* Feed body in pieces of `step` bytes. */
static enum mp_err run(const char *b, size_t len, size_t step, struct got *g, const char *ct)
{
	struct arena a;
	arena_init(&a);
	memset(g, 0, sizeof(*g));
	g->abort_at = -1;
	struct multipart m;
	struct mp_handler h = {on_begin, on_data, on_end, g};
	enum mp_err e = mp_init(&m, &a, ct, &h);
	for (size_t i = 0; e == MP_OK && i < len; i += step)
		e = mp_feed(&m, b + i, len - i < step ? len - i : step);
	if (e == MP_OK)
		e = mp_finish(&m);
	arena_free(&a);
	return e;
}

TEST(whole_and_every_split)
{
	for (size_t step = 1; step <= sizeof(body); step++) {
		struct got g;
		enum mp_err e = run(body, sizeof(body) - 1, step, &g, CT);
		CHECK(e == MP_OK);
		CHECK(g.parts == 3 && g.ended == 3);
		CHECK_STR(g.names[0], "csrf");
		CHECK_STR(g.data[0], "tok");
		CHECK_STR(g.files[0], "(none)");
		CHECK_STR(g.files[1], "a \"b\".txt");
		CHECK_STR(g.data[1], "line1\r\n--XyNot a delimiter\r\n\r--X");
		CHECK_STR(g.files[2], "\xD1\x84.txt");
		CHECK(g.len[2] == 0);
		if (unit_cur_failed) {
			printf("  (step %zu)\n", step);
			break;
		}
	}
}

TEST(boundaries)
{
	struct got g;
	CHECK(run(body, 10, 10, &g, "text/plain") == MP_EBOUNDARY);
	CHECK(run(body, 10, 10, &g, "multipart/form-data") == MP_EBOUNDARY);
	CHECK(run(body, 10, 10, &g, "multipart/form-data; boundary=") == MP_EBOUNDARY);
	CHECK(run(body, 10, 10, &g, "multipart/form-data; boundary=a\rb") == MP_EBOUNDARY);
	char longb[120] = "multipart/form-data; boundary=";
	memset(longb + strlen(longb), 'a', 71);
	CHECK(run(body, 10, 10, &g, longb) == MP_EBOUNDARY);
	static const char q[] = "--a b\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--a b--";
	CHECK(run(q, sizeof(q) - 1, 3, &g, "multipart/form-data; charset=x; boundary=\"a b\"") == MP_OK);
	CHECK(g.parts == 1);
	CHECK_STR(g.data[0], "v");
}

TEST(refused)
{
	struct got g;
	static const char trunc[] = "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nabc";
	CHECK(run(trunc, sizeof(trunc) - 1, 4, &g, CT) == MP_ETRUNC);
	static const char nodisp[] = "--XyZ\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XyZ--";
	CHECK(run(nodisp, sizeof(nodisp) - 1, 4, &g, CT) == MP_ESYNTAX);
	static const char noname[] = "--XyZ\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--XyZ--";
	CHECK(run(noname, sizeof(noname) - 1, 4, &g, CT) == MP_ESYNTAX);
	static const char badline[] = "--XyZx\r\n\r\n--XyZ--";
	CHECK(run(badline, sizeof(badline) - 1, 4, &g, CT) == MP_ESYNTAX);
	static const char nul[] = "--XyZ\r\nContent-Disposition: form-data; name=\"a\0b\"\r\n\r\n\r\n--XyZ--";
	CHECK(run(nul, sizeof(nul) - 1, 5, &g, CT) == MP_ESYNTAX);
	/* a header block over the cap */
	size_t n = MP_MAX_HEADER + 200;
	char *big = malloc(n + 64);
	strcpy(big, "--XyZ\r\nX: ");
	memset(big + 10, 'a', n);
	strcpy(big + 10 + n, "\r\n\r\n--XyZ--");
	CHECK(run(big, strlen(big), 1000, &g, CT) == MP_ETOOBIG);
	free(big);
	/* too many parts */
	struct buf b = BUF_INIT;
	for (int i = 0; i <= MP_MAX_PARTS; i++)
		buf_puts(&b, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n");
	buf_puts(&b, "--XyZ--");
	CHECK(run(b.data, b.len, 100, &g, CT) == MP_ETOOBIG);
	buf_free(&b);
}

TEST(callback_abort)
{
	struct arena a;
	arena_init(&a);
	struct got g;
	memset(&g, 0, sizeof(g));
	g.abort_at = 1;
	struct multipart m;
	struct mp_handler h = {on_begin, on_data, on_end, &g};
	CHECK(mp_init(&m, &a, CT, &h) == MP_OK);
	CHECK(mp_feed(&m, body, sizeof(body) - 1) == MP_EABORT);
	CHECK(mp_finish(&m) == MP_EABORT);
	CHECK(g.parts == 1);
	arena_free(&a);
}

TEST(disposition)
{
	struct arena a;
	arena_init(&a);
	const char *name, *file;
	CHECK(mp_parse_disposition(&a, "form-data; name=\"f\"; filename=\"C:\\dir\\x.png\"", &name, &file));
	CHECK_STR(file, "C:\\dir\\x.png");
	CHECK(mp_parse_disposition(&a, "form-data; name=f; filename*=utf-8'en'a%20b", &name, &file));
	CHECK_STR(file, "a b");
	/* a bad or NUL-bearing filename* leaves the plain one */
	CHECK(mp_parse_disposition(&a, "form-data; name=f; filename=p; filename*=UTF-8''%00x", &name, &file));
	CHECK_STR(file, "p");
	CHECK(!mp_parse_disposition(&a, "attachment; name=f", &name, &file));
	CHECK(!mp_parse_disposition(&a, "form-data; name=\"unterminated", &name, &file));
	arena_free(&a);
}

int main(void)
{
	RUN(whole_and_every_split);
	RUN(boundaries);
	RUN(refused);
	RUN(callback_abort);
	RUN(disposition);
	return unit_summary();
}
