/* emoji.c: validation of one emoji grapheme (reactions). A small state
 * machine over code points; the pictograph ranges are those of Unicode's
 * Extended_Pictographic property, coarsened to blocks. */
#include "emoji.h"

#include <stdint.h>

/* Decode one UTF-8 code point at *p (strict: no overlongs, surrogates). */
static bool next_cp(const unsigned char **p, const unsigned char *end, uint32_t *cp)
{
	const unsigned char *s = *p;
	if (s >= end)
		return false;
	uint32_t c = s[0];
	int n;
	uint32_t min;
	if (c < 0x80) {
		*cp = c;
		*p = s + 1;
		return true;
	} else if ((c & 0xE0) == 0xC0) {
		n = 1, c &= 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2, c &= 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 3, c &= 0x07, min = 0x10000;
	} else {
		return false;
	}
	if (end - s <= n)
		return false;
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return false;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return false;
	*cp = c;
	*p = s + n + 1;
	return true;
}

static bool pictograph(uint32_t c)
{
	static const uint32_t ranges[][2] = {
		{0x00A9, 0x00A9}, {0x00AE, 0x00AE}, {0x203C, 0x203C}, {0x2049, 0x2049},
		{0x2122, 0x2122}, {0x2139, 0x2139}, {0x2194, 0x2199}, {0x21A9, 0x21AA},
		{0x231A, 0x231B}, {0x2328, 0x2328}, {0x23CF, 0x23CF}, {0x23E9, 0x23F3},
		{0x23F8, 0x23FA}, {0x24C2, 0x24C2}, {0x25AA, 0x25AB}, {0x25B6, 0x25B6},
		{0x25C0, 0x25C0}, {0x25FB, 0x25FE}, {0x2600, 0x27BF}, {0x2934, 0x2935},
		{0x2B05, 0x2B07}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55},
		{0x3030, 0x3030}, {0x303D, 0x303D}, {0x3297, 0x3297}, {0x3299, 0x3299},
		{0x1F000, 0x1F0FF}, {0x1F10D, 0x1F10F}, {0x1F12F, 0x1F12F}, {0x1F16C, 0x1F171},
		{0x1F17E, 0x1F17F}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F1AD, 0x1F1E5},
		{0x1F201, 0x1F20F}, {0x1F21A, 0x1F21A}, {0x1F22F, 0x1F22F}, {0x1F232, 0x1F23A},
		{0x1F23C, 0x1F23F}, {0x1F249, 0x1F3FA}, {0x1F400, 0x1F53D}, {0x1F546, 0x1F64F},
		{0x1F680, 0x1F6FF}, {0x1F774, 0x1F77F}, {0x1F7D5, 0x1F7FF}, {0x1F80C, 0x1F80F},
		{0x1F848, 0x1F84F}, {0x1F85A, 0x1F85F}, {0x1F888, 0x1F88F}, {0x1F8AE, 0x1F8FF},
		{0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1FAFF}, {0x1FC00, 0x1FFFD},
	};
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return true;
	return false;
}

#define ZWJ 0x200D
#define VS16 0xFE0F
#define KEYCAP 0x20E3
#define REGIONAL(c) ((c) >= 0x1F1E6 && (c) <= 0x1F1FF)
#define SKIN(c) ((c) >= 0x1F3FB && (c) <= 0x1F3FF)
#define TAG(c) ((c) >= 0xE0020 && (c) <= 0xE007E)
#define TAG_END 0xE007F

/* Joined elements at most (the longest RGI sequences have 4 people). */
#define ELEMENTS_MAX 8

/* One element: a pictograph with its modifiers; *p after it. */
static bool element(const unsigned char **p, const unsigned char *end)
{
	uint32_t c;
	if (!next_cp(p, end, &c) || !pictograph(c))
		return false;
	const unsigned char *save = *p;
	if (!next_cp(p, end, &c)) {
		*p = save;
		return true;
	}
	if (c == VS16 || SKIN(c)) {
		save = *p;
		if (!next_cp(p, end, &c)) {
			*p = save;
			return true;
		}
	}
	if (TAG(c)) { /* a subdivision flag: tags then the cancel tag */
		int n = 1;
		while (next_cp(p, end, &c) && TAG(c))
			if (++n > 8)
				return false;
		return c == TAG_END && n >= 2;
	}
	*p = save;
	return true;
}

bool emoji_valid(const char *s, size_t len)
{
	if (s == NULL || len == 0 || len > EMOJI_MAX_BYTES)
		return false;
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	uint32_t a, b, c;
	const unsigned char *q = p;
	if (!next_cp(&q, end, &a))
		return false;
	if (REGIONAL(a)) /* a flag: exactly two regional indicators */
		return next_cp(&q, end, &b) && REGIONAL(b) && q == end;
	if ((a >= '0' && a <= '9') || a == '#' || a == '*') { /* a keycap */
		if (!next_cp(&q, end, &b))
			return false;
		if (b == VS16 && !next_cp(&q, end, &b))
			return false;
		return b == KEYCAP && q == end;
	}
	for (int n = 0; n < ELEMENTS_MAX; n++) {
		if (!element(&p, end))
			return false;
		if (p == end)
			return true;
		if (!next_cp(&p, end, &c) || c != ZWJ)
			return false;
	}
	return false;
}
