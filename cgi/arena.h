/* arena.h: a per-request memory pool. Everything a request allocates comes
 * from one arena and is freed in one place (arena_reset / arena_free), together
 * with registered cleanups (PQclear, json_object_put, free, ...). */
#ifndef MESSLY_ARENA_H
#define MESSLY_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena_cleanup;

struct arena {
	struct arena_block *blocks;     /* newest first */
	struct arena_cleanup *cleanups; /* run newest first */
	size_t used;                    /* bytes handed out, for limits/tests */
};

/* Initialise an empty arena (no allocation yet). */
void arena_init(struct arena *a);
/* Run every cleanup, free every block; the arena is empty and reusable. */
void arena_reset(struct arena *a);
/* Same as arena_reset (name for the final release). */
void arena_free(struct arena *a);

/* Zeroed memory, aligned for any type. Aborts on out-of-memory (written
 * policy: a worker that cannot allocate dies and the master restarts it). */
void *arena_alloc(struct arena *a, size_t n);
/* n * size with overflow check (aborts on overflow, like OOM). */
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
/* Copies n bytes and adds a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* Register fn(ptr) to run at reset. ptr NULL is ignored (nothing registered). */
void arena_defer(struct arena *a, void (*fn)(void *), void *ptr);

#endif
