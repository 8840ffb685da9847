/* fuzz_json.c: libFuzzer target for input_parse_json. Build: clang
 * -fsanitize=fuzzer,address,undefined -Icgi tests/fuzz/fuzz_json.c
 * cgi/input.c cgi/arena.c $(pkg-config --cflags --libs json-c) */
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
	enum input_err e = input_parse_json(&a, (const char *)data, size, &in);
	if (e != INPUT_OK && (in.n != 0 || in.pairs != NULL))
		abort();
	if (e == INPUT_OK) {
		if (in.n > INPUT_MAX_PAIRS || !utf8_valid((const char *)data, size))
			abort();
		for (size_t i = 0; i < in.n; i++) {
			const struct input_pair *p = &in.pairs[i];
			if (!utf8_valid(p->name, strlen(p->name)))
				abort();
			/* Names are unique: the first match is this pair. */
			if (input_find(&in, p->name) != p)
				abort();
			if (p->kind == IK_OTHER || p->kind == IK_NULL) {
				if (p->value != NULL || input_get(&in, p->name) != NULL)
					abort();
				continue;
			}
			if (p->value == NULL || strlen(p->value) != p->len ||
			    !utf8_valid(p->value, p->len))
				abort();
			if (p->kind == IK_BOOL && strcmp(p->value, "true") != 0 &&
			    strcmp(p->value, "false") != 0)
				abort();
		}
	}
	arena_free(&a);
	return 0;
}
