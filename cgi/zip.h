/* zip.h: a store-only ZIP archive written into a buffer (local headers,
 * central directory, CRC-32; no compression, no ZIP64), for the data
 * export. Names are UTF-8 (flag bit 11). */
#ifndef MESSLY_ZIP_H
#define MESSLY_ZIP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

#define ZIP_MAX_ENTRIES 65535

struct zip {
	struct buf *out;   /* the archive grows here */
	struct buf dir;    /* central directory, appended at zip_finish */
	size_t entries;
	uint16_t dos_time, dos_date;
	int failed;        /* too many entries or over 4 GiB */
};

/* CRC-32 (IEEE 802.3, as in ZIP and gzip) of n bytes, continuing crc
 * (start with 0). */
uint32_t crc32_update(uint32_t crc, const void *data, size_t n);

/* Start an archive appended to out; entries are stamped with when (UTC). */
void zip_init(struct zip *z, struct buf *out, time_t when);
/* Add one file. Returns 0, or -1 (archive too large or name too long). */
int zip_add(struct zip *z, const char *name, const void *data, size_t len);
/* Write the central directory and its end record. Returns 0 or -1. Frees
 * the zip's own memory either way. */
int zip_finish(struct zip *z);

#endif
