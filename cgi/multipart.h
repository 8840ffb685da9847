/* multipart.h: a streaming multipart/form-data parser (RFC 7578, RFC 2046).
 * The body is fed in chunks of any size; part headers are parsed into a
 * bounded buffer, part bodies are handed to callbacks as they arrive, so
 * memory does not grow with the size of an upload. Pure code over an arena:
 * unit-tested and fuzzed (tests/fuzz/fuzz_multipart.c). */
#ifndef MESSLY_MULTIPART_H
#define MESSLY_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define MP_MAX_HEADER 8192 /* bytes of one part's header block */
#define MP_MAX_PARTS 64
#define MP_MAX_BOUNDARY 70 /* RFC 2046 */

enum mp_err {
	MP_OK = 0,
	MP_EBOUNDARY, /* Content-Type is not multipart/form-data with a valid boundary */
	MP_ESYNTAX,   /* malformed delimiter line or part headers */
	MP_ETOOBIG,   /* header block or number of parts over the caps */
	MP_ETRUNC,    /* the body ended before the closing delimiter */
	MP_EABORT,    /* a callback asked to stop */
};

/* One part's headers. Strings live in the parser's arena; filename is NULL
 * when the part is a plain field (no filename parameter); filename*
 * (RFC 5987, UTF-8 only) wins over filename. Bytes are as sent: the caller
 * validates and sanitizes them. */
struct mp_part {
	const char *name;
	const char *filename;
	const char *content_type;
};

/* Callbacks return 0 to go on, anything else to stop (MP_EABORT). */
struct mp_handler {
	int (*begin)(void *ctx, const struct mp_part *part);
	int (*data)(void *ctx, const char *data, size_t len);
	int (*end)(void *ctx);
	void *ctx;
};

enum mp_state { MP_PREAMBLE, MP_AFTER_DELIM, MP_AFTER_DASH, MP_PADDING, MP_HEADERS, MP_BODY, MP_DONE };

struct multipart {
	struct arena *arena;
	struct mp_handler h;
	char delim[2 + 2 + MP_MAX_BOUNDARY + 1]; /* "\r\n--" boundary */
	size_t dlen;
	size_t match;      /* bytes of delim matched so far */
	enum mp_state state;
	char head[MP_MAX_HEADER];
	size_t head_len;
	size_t parts;
	bool in_part;      /* begin was called, end not yet */
	enum mp_err err;   /* sticky */
};

/* Take the boundary from a Content-Type header value. */
enum mp_err mp_init(struct multipart *m, struct arena *a, const char *content_type,
		    const struct mp_handler *h);
/* Feed the next bytes of the body. Errors are sticky. */
enum mp_err mp_feed(struct multipart *m, const char *data, size_t len);
/* The body ended: MP_OK only when the closing delimiter was seen. */
enum mp_err mp_finish(struct multipart *m);

/* Exposed for tests: parse a Content-Disposition value of a part. */
bool mp_parse_disposition(struct arena *a, const char *v, const char **name,
			  const char **filename);

#endif
