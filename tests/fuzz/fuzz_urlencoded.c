/* fuzz_urlencoded.c: libFuzzer target for input_parse_urlencoded and the
 * validators. Build: clang -fsanitize=fuzzer,address,undefined -Icgi
 * tests/fuzz/fuzz_urlencoded.c cgi/input.c cgi/arena.c $(pkg-config --cflags
 * --libs json-c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	struct input in;
	enum input_err e = input_parse_urlencoded(&a, (const char *)data, size, &in);
	if (e != INPUT_OK && (in.n != 0 || in.pairs != NULL))
		abort();
	if (e == INPUT_OK) {
		if (in.n > INPUT_MAX_PAIRS)
			abort();
		for (size_t i = 0; i < in.n; i++) {
			const struct input_pair *p = &in.pairs[i];
			/* Decoded text is valid UTF-8 without NUL. */
			if (!utf8_valid(p->name, strlen(p->name)) ||
			    strlen(p->value) != p->len || !utf8_valid(p->value, p->len))
				abort();
			if (input_find(&in, p->name) == NULL)
				abort();
			/* Exercise the validators on hostile text. */
			(void)valid_email(p->value, p->len);
			(void)valid_password(p->value, p->len);
			(void)valid_nickname(p->value, p->len);
			(void)valid_display_name(p->value, p->len);
			(void)valid_message_text(p->value, p->len, 4000);
			int64_t v;
			if (parse_id(p->value, &v) && (v < 1 || v > (INT64_C(1) << 53)))
				abort();
			if (parse_int_range(p->value, -100, 100, &v) && (v < -100 || v > 100))
				abort();
		}
	}
	/* utf8_valid and utf8_count on the raw bytes too. */
	if (utf8_valid((const char *)data, size) &&
	    utf8_count((const char *)data, size) > size)
		abort();
	arena_free(&a);
	return 0;
}
