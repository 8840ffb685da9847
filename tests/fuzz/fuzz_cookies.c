/* fuzz_cookies.c: libFuzzer target for input_parse_cookies. Build: clang
 * -fsanitize=fuzzer,address,undefined -Icgi tests/fuzz/fuzz_cookies.c
 * cgi/input.c cgi/arena.c $(pkg-config --cflags --libs json-c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A header is a C string: stop at the first NUL, as the server would. */
	char *header = malloc(size + 1);
	if (header == NULL)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';

	struct arena a;
	arena_init(&a);
	struct input in;
	input_parse_cookies(&a, header, &in);
	if (in.n > INPUT_MAX_PAIRS)
		abort();
	for (size_t i = 0; i < in.n; i++) {
		const struct input_pair *p = &in.pairs[i];
		if (p->name[0] == '\0' || p->value == NULL ||
		    strlen(p->value) != p->len || p->kind != IK_STRING)
			abort();
		/* Names and values are printable ASCII without ';' or space. */
		for (const char *c = p->name; *c; c++)
			if (*c <= ' ' || *c >= 0x7F || *c == ';' || *c == '=')
				abort();
		for (const char *c = p->value; *c; c++)
			if (*c <= ' ' || *c >= 0x7F || *c == ';')
				abort();
		if (input_find(&in, p->name) == NULL)
			abort();
	}
	arena_free(&a);
	free(header);
	return 0;
}
