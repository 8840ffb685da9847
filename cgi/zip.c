/* zip.c: a store-only ZIP writer (see zip.h). Format: PKWARE APPNOTE 6.3,
 * sections 4.3.7 (local header), 4.3.12 (central directory header) and
 * 4.3.16 (end of central directory record). All numbers little-endian. */
#include "zip.h"

#include <string.h>

#define ZIP_LIMIT 0xFFFFFFFFu

static uint32_t crc_table[256];
static int crc_ready;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	crc_ready = 1;
}

uint32_t crc32_update(uint32_t crc, const void *data, size_t n)
{
	if (!crc_ready)
		crc_init(); /* idempotent: a race writes the same values */
	const unsigned char *p = data;
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

static void put16(struct buf *b, uint16_t v)
{
	char x[2] = {(char)(v & 0xFF), (char)(v >> 8)};
	buf_append(b, x, 2);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, (uint16_t)(v & 0xFFFF));
	put16(b, (uint16_t)(v >> 16));
}

void zip_init(struct zip *z, struct buf *out, time_t when)
{
	memset(z, 0, sizeof(*z));
	z->out = out;
	struct tm tm;
	if (gmtime_r(&when, &tm) == NULL || tm.tm_year < 80) {
		z->dos_date = (1 << 5) | 1; /* 1980-01-01 */
		return;
	}
	z->dos_time = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
	z->dos_date = (uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

/* The fields shared by the local and the central header, from "version
 * needed" to the name length. */
static void common_fields(struct zip *z, struct buf *b, uint32_t crc, uint32_t size,
			  uint16_t name_len)
{
	put16(b, 10);          /* version needed: 1.0 (stored) */
	put16(b, 1u << 11);    /* flags: UTF-8 names */
	put16(b, 0);           /* method: stored */
	put16(b, z->dos_time);
	put16(b, z->dos_date);
	put32(b, crc);
	put32(b, size);        /* compressed size */
	put32(b, size);        /* uncompressed size */
	put16(b, name_len);
}

int zip_add(struct zip *z, const char *name, const void *data, size_t len)
{
	size_t name_len = strlen(name);
	size_t offset = z->out->len;
	if (z->failed || name_len == 0 || name_len > 0xFFFF || z->entries >= ZIP_MAX_ENTRIES ||
	    len > ZIP_LIMIT || offset > ZIP_LIMIT - 30 - name_len - len) {
		z->failed = 1;
		return -1;
	}
	uint32_t crc = crc32_update(0, data, len);
	put32(z->out, 0x04034b50);
	common_fields(z, z->out, crc, (uint32_t)len, (uint16_t)name_len);
	put16(z->out, 0);      /* extra field length */
	buf_append(z->out, name, name_len);
	buf_append(z->out, data, len);

	put32(&z->dir, 0x02014b50);
	put16(&z->dir, 0x031E); /* made by: Unix, spec 3.0 */
	common_fields(z, &z->dir, crc, (uint32_t)len, (uint16_t)name_len);
	put16(&z->dir, 0);      /* extra field length */
	put16(&z->dir, 0);      /* comment length */
	put16(&z->dir, 0);      /* disk number */
	put16(&z->dir, 0);      /* internal attributes */
	put32(&z->dir, 0100644u << 16); /* external: a regular file, rw-r--r-- */
	put32(&z->dir, (uint32_t)offset);
	buf_append(&z->dir, name, name_len);
	z->entries++;
	return 0;
}

int zip_finish(struct zip *z)
{
	int rc = -1;
	size_t start = z->out->len;
	if (!z->failed && start <= ZIP_LIMIT && z->dir.len <= ZIP_LIMIT - start) {
		if (z->dir.len)
			buf_append(z->out, z->dir.data, z->dir.len);
		put32(z->out, 0x06054b50);
		put16(z->out, 0);                      /* this disk */
		put16(z->out, 0);                      /* disk with the directory */
		put16(z->out, (uint16_t)z->entries);   /* entries on this disk */
		put16(z->out, (uint16_t)z->entries);   /* entries in all */
		put32(z->out, (uint32_t)z->dir.len);
		put32(z->out, (uint32_t)start);
		put16(z->out, 0);                      /* comment length */
		rc = 0;
	}
	buf_free(&z->dir);
	return rc;
}
