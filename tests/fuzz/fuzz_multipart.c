/* fuzz_multipart.c: libFuzzer target for the streaming multipart parser.
 * The input is split at a point chosen by its first byte, so that every
 * delimiter straddling a chunk boundary gets exercised; the parse must give
 * the same parts whatever the split. Build: clang
 * -fsanitize=fuzzer,address,undefined -Icgi tests/fuzz/fuzz_multipart.c
 * cgi/multipart.c cgi/arena.c cgi/buf.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	size_t begins, ends, bytes;
	unsigned long sum;
};

static int on_begin(void *ctx, const struct mp_part *p)
{
	struct tally *t = ctx;
	if (p->name == NULL)
		abort(); /* a part always has a name */
	t->begins++;
	return 0;
}

static int on_data(void *ctx, const char *d, size_t n)
{
	struct tally *t = ctx;
	if (n == 0)
		abort();
	t->bytes += n;
	for (size_t i = 0; i < n; i++)
		t->sum = t->sum * 31 + (unsigned char)d[i];
	return 0;
}

static int on_end(void *ctx)
{
	struct tally *t = ctx;
	t->ends++;
	if (t->ends > t->begins)
		abort();
	return 0;
}

static enum mp_err parse(const char *d, size_t n, size_t split, struct tally *t)
{
	struct arena a;
	arena_init(&a);
	memset(t, 0, sizeof(*t));
	struct multipart m;
	struct mp_handler h = {on_begin, on_data, on_end, t};
	enum mp_err e = mp_init(&m, &a, "multipart/form-data; boundary=b0undary", &h);
	if (e == MP_OK)
		e = mp_feed(&m, d, split);
	if (e == MP_OK)
		e = mp_feed(&m, d + split, n - split);
	if (e == MP_OK)
		e = mp_finish(&m);
	arena_free(&a);
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *d = (const char *)data + 1;
	size_t n = size - 1, split = n ? data[0] % (n + 1) : 0;
	struct tally whole, parts;
	enum mp_err e1 = parse(d, n, 0, &whole);
	enum mp_err e2 = parse(d, n, split, &parts);
	if (e1 != e2)
		abort();
	if (e1 == MP_OK && (whole.begins != parts.begins || whole.bytes != parts.bytes ||
			    whole.sum != parts.sum || whole.begins != whole.ends))
		abort();
	return 0;
}
