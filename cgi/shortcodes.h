/* shortcodes.h: emoji shortcodes like ":smile:" (see shortcodes.c). */
#ifndef MESSLY_SHORTCODES_H
#define MESSLY_SHORTCODES_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define SHORTCODE_NAME_MAX 32

/* The emoji of a shortcode name (without the colons), or NULL. */
const char *shortcode_emoji(const char *name, size_t len);
/* s[0..n) into out with every known ":name:" replaced by its emoji. */
void shortcodes_replace(struct buf *out, const char *s, size_t n);

#endif
