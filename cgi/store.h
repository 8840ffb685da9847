/* store.h: the content-addressed blob store under MESSLY_FILES_DIR.
 * A blob is named by the SHA-256 of its bytes (DIR/ab/abcdef..., 64 hex
 * digits), so the same bytes are stored once. New bytes go to a temp file
 * (DIR/tmp/) while they are hashed, and are renamed into place only when
 * the caller commits; a temp file not committed is removed when the
 * request's arena is reset, so a refused upload leaves nothing behind. */
#ifndef MESSLY_STORE_H
#define MESSLY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "crypto.h"
#include "filemeta.h"

struct store_tmp {
	int fd;
	char *path;        /* NULL once committed or removed */
	struct sha256_ctx sha;
	uint64_t size;
	unsigned char head[SNIFF_BYTES];
	size_t head_len;
	char hex[65];      /* after store_tmp_finish */
	int err;           /* errno of a failed write or flush (ENOSPC: disk full) */
	char *wbuf;        /* STORE_WBUF bytes gathered before each write(2) */
	size_t wlen;
};

/* The multipart parser hands over the data between CRs (a delimiter starts
 * with one), about every 256 bytes of a photo: 16,000 write(2) calls for
 * 2 MB unbuffered. */
#define STORE_WBUF 65536

/* Create DIR and DIR/tmp if missing (0700). 0 or -1 (logged). */
int store_prepare(const char *dir);
/* Remove temp files older than max_age seconds (left by a crash). */
void store_sweep(const char *dir, long max_age);

/* A new temp file in DIR/tmp (opened for writing when open_fd, else only
 * a fresh name for a child process to create); removed at the arena's
 * reset unless committed. NULL on failure (logged). */
struct store_tmp *store_tmp_new(struct arena *a, const char *dir, bool open_fd);
/* Buffered; an error may surface at a later write or at store_tmp_finish. */
int store_tmp_write(struct store_tmp *t, const void *data, size_t len);
/* Write out what is buffered, close, and compute hex. 0 or -1 (t->err).
 * Not synced yet: store_commit() syncs what is kept, so the bytes of an
 * upload that is replaced by its re-encoded copy never wait for the disk. */
int store_tmp_finish(struct store_tmp *t);
/* Hash a finished file at path into hex and its size. 0 or -1. */
int store_hash_file(const char *path, char hex[65], uint64_t *size);

/* Move the temp file at *path to its place (DIR/ab/HEX) after syncing
 * it, then sync the directory; or drop it when that blob exists already.
 * *path becomes NULL. 0, or -1 with errno (ENOSPC, EDQUOT: the disk is
 * full). */
int store_commit(const char *dir, char **path, const char *hex);
/* The same for n (at most STORE_COMMIT_MAX) files at once: every file
 * synced, then every one renamed, then their directories synced. Done one
 * by one, each directory sync was a journal commit of its own (4-6 ms here
 * for an image's three blobs); after all the renames the first one commits
 * them all. On failure the files not yet moved stay temp files (removed
 * with the request's arena). */
#define STORE_COMMIT_MAX 8
int store_commit_all(const char *dir, char **const paths[], const char *const hex[], size_t n);

/* "ab/abcdef..." for a hex digest, or NULL when hex is not 64 hex digits. */
char *store_rel(struct arena *a, const char *hex);
bool store_hex_ok(const char *hex);

#endif
