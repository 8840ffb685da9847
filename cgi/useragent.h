/* useragent.h: what the sessions page shows of a User-Agent header: a
 * cleaned copy to store, and the browser and system it names ("Firefox",
 * "Linux"). Pure functions (unit-tested). */
#ifndef MESSLY_USERAGENT_H
#define MESSLY_USERAGENT_H

#include "arena.h"

#define UA_MAX 256

/* Printable ASCII only (anything else becomes '?'), at most UA_MAX bytes;
 * "" for NULL. */
char *ua_clean(struct arena *a, const char *ua);
/* The browser (or, for other programs, the agent's first word, e.g. "curl")
 * and the operating system; each "" when unknown. */
void ua_describe(struct arena *a, const char *ua, const char **browser, const char **os);

#endif
