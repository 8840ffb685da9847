/* fuzz_emoji.c: libFuzzer target for emoji_valid (reactions).
 * Checks: an accepted string is at most EMOJI_MAX_BYTES, valid UTF-8
 * (utf8_valid agrees) and holds no ASCII but a keycap's digit, # or *. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emoji.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	if (!emoji_valid(s, size))
		return 0;
	if (size > EMOJI_MAX_BYTES || !utf8_valid(s, size))
		abort();
	for (size_t i = 0; i < size; i++)
		if (data[i] < 0x80 && !(i == 0 && strchr("0123456789#*", data[i]) && data[i]))
			abort();
	return 0;
}
