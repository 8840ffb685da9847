/* buf.h: a growable byte buffer (response bodies, rendered templates).
 * A buf owns its malloc'd storage; buf_free releases it. Append functions
 * abort on out-of-memory (see arena.h for the policy). */
#ifndef MESSLY_BUF_H
#define MESSLY_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* For arena_defer(a, buf_free_cb, b). */
void buf_free_cb(void *b);
void buf_reset(struct buf *b); /* len = 0, keeps storage */
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Escapers: one per output context. */
void buf_html_escape(struct buf *b, const char *s, size_t len); /* text and attributes */
void buf_url_encode(struct buf *b, const char *s, size_t len);  /* a query value or path segment */

#endif
