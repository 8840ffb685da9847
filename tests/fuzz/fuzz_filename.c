/* fuzz_filename.c: libFuzzer target for the upload file-name sanitizer and
 * the content sniffer. A sanitized name is valid UTF-8, not empty, has no
 * path separator, no control or bidi character, and is not "." or "..";
 * the sniffed type is always one of the known MIME strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filemeta.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int bad_char(const unsigned char *p, size_t n, size_t i)
{
	unsigned char c = p[i];
	if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
		return 1;
	/* U+202A..U+202E, U+2066..U+2069 (bidi controls): E2 80 AA..AE, E2 81 A6..A9 */
	if (c == 0xE2 && i + 2 < n + 0 && ((p[i + 1] == 0x80 && p[i + 2] >= 0xAA && p[i + 2] <= 0xAE) ||
					   (p[i + 1] == 0x81 && p[i + 2] >= 0xA6 && p[i + 2] <= 0xA9)))
		return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	struct arena a;
	arena_init(&a);
	char *sent = arena_strndup(&a, (const char *)data, size);
	char *name = filemeta_sanitize_name(&a, sent);
	if (name != NULL) {
		size_t n = strlen(name);
		if (n == 0 || !utf8_valid(name, n) || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			abort();
		for (size_t i = 0; i < n; i++)
			if (bad_char((const unsigned char *)name, n, i))
				abort();
	}
	const char *type = filemeta_sniff(data, size);
	if (type == NULL || strchr(type, '/') == NULL)
		abort();
	arena_free(&a);
	return 0;
}
