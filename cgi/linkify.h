/* linkify.h: plain text (a profile's "about") as HTML: every character
 * escaped, http:// and https:// addresses made links. Pure (unit-tested,
 * fuzz-friendly); the result may be output raw ({{{about_html}}}). */
#ifndef MESSLY_LINKIFY_H
#define MESSLY_LINKIFY_H

#include "arena.h"

char *linkify(struct arena *a, const char *text);

#endif
