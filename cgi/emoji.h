/* emoji.h: is a string exactly one emoji grapheme (see emoji.c). */
#ifndef MESSLY_EMOJI_H
#define MESSLY_EMOJI_H

#include <stdbool.h>
#include <stddef.h>

/* The longest emoji we accept, in bytes (a ZWJ family is about 25). */
#define EMOJI_MAX_BYTES 64

/* True when s[0..len) is one emoji: a pictograph with an optional
 * variation selector, skin tone or tag sequence, several joined by ZWJ;
 * a flag (two regional indicators); or a keycap (0-9 # * FE0F 20E3). */
bool emoji_valid(const char *s, size_t len);

#endif
