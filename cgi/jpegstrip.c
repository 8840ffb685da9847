/* jpegstrip.c: JPEG metadata removed without decoding (see jpegstrip.h).
 * A JPEG is a sequence of marker segments (FF xx, a 16-bit big-endian
 * length counting itself, the payload); after each SOS header comes
 * entropy-coded data in which FF is followed by 00 (a stuffed byte) or by
 * D0..D7 (restart markers); any other FF starts the next segment (after
 * fill bytes FF, which are dropped). Every length is checked against the input. */
#include "jpegstrip.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define M_SOI 0xD8
#define M_EOI 0xD9
#define M_SOS 0xDA
#define M_APP0 0xE0
#define M_APP1 0xE1
#define M_APP14 0xEE
#define M_APP15 0xEF
#define M_COM 0xFE

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

static unsigned tiff16(const unsigned char *p, int big)
{
	return big ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static uint32_t tiff32(const unsigned char *p, int big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		   : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The Orientation tag (0x0112) of IFD0 in an APP1 payload: 1 when the
 * payload is not EXIF or has none; -1 when it cannot be read. */
static int exif_orientation(const unsigned char *p, size_t n)
{
	if (n < 6 || memcmp(p, "Exif\0\0", 6) != 0)
		return 1; /* XMP or another APP1: no orientation */
	p += 6;
	n -= 6;
	if (n < 8 || !((p[0] == 'I' && p[1] == 'I') || (p[0] == 'M' && p[1] == 'M')))
		return -1;
	int big = p[0] == 'M';
	if (tiff16(p + 2, big) != 42)
		return -1;
	uint32_t ifd = tiff32(p + 4, big);
	if (ifd > n || n - ifd < 2)
		return -1;
	unsigned count = tiff16(p + ifd, big);
	if ((n - ifd - 2) / 12 < count)
		return -1;
	for (unsigned i = 0; i < count; i++) {
		const unsigned char *e = p + ifd + 2 + 12 * (size_t)i;
		if (tiff16(e, big) != 0x0112)
			continue;
		if (tiff16(e + 2, big) != 3 || tiff32(e + 4, big) != 1)
			return -1; /* not one SHORT */
		return (int)tiff16(e + 8, big);
	}
	return 1;
}

/* Copy entropy-coded data from in[i]; returns the offset of the marker
 * that ends it (its FF), or len when the data runs off the end. */
static size_t copy_scan(const unsigned char *in, size_t len, size_t i, struct buf *out)
{
	size_t start = i;
	while (i < len) {
		const unsigned char *ff = memchr(in + i, 0xFF, len - i);
		if (ff == NULL)
			break;
		i = (size_t)(ff - in);
		if (i + 1 >= len)
			break;
		unsigned char m = in[i + 1];
		if (m == 0x00 || (m >= 0xD0 && m <= 0xD7)) {
			i += 2; /* a stuffed byte or a restart marker: data */
			continue;
		}
		/* a marker, or fill bytes before one (skipped by the caller) */
		buf_append(out, in + start, i - start);
		return i;
	}
	buf_append(out, in + start, len - start);
	return len;
}

int jpeg_strip(const unsigned char *in, size_t len, struct buf *out)
{
	if (len < 4 || in[0] != 0xFF || in[1] != M_SOI)
		return -1;
	buf_reset(out);
	buf_append(out, in, 2);
	size_t i = 2;
	bool scanned = false;
	while (i < len) {
		if (in[i] != 0xFF)
			return -1;
		while (i + 1 < len && in[i + 1] == 0xFF)
			i++; /* fill bytes */
		if (i + 1 >= len)
			return -1;
		unsigned char m = in[i + 1];
		if (m == M_EOI) {
			buf_append(out, in + i, 2);
			return scanned ? 0 : -1; /* anything after the end is dropped */
		}
		if (m == 0x00 || m == 0x01 || m == M_SOI || (m >= 0xD0 && m <= 0xD7))
			return -1; /* not where a segment belongs */
		if (i + 4 > len)
			return -1;
		size_t seg = be16(in + i + 2);
		if (seg < 2 || seg > len - i - 2)
			return -1;
		const unsigned char *payload = in + i + 4;
		size_t plen = seg - 2;
		if (m == M_APP14 && plen >= 5 && memcmp(payload, "Adobe", 5) == 0)
			return -1; /* its colour transform flag matters to decoders */
		if (m == M_APP1 && exif_orientation(payload, plen) != 1)
			return -1; /* the pixels must be turned: the long way */
		bool drop = (m >= M_APP0 && m <= M_APP15) || m == M_COM;
		if (!drop)
			buf_append(out, in + i, 2 + seg);
		i += 2 + seg;
		if (m == M_SOS) {
			scanned = true;
			i = copy_scan(in, len, i, out);
		}
	}
	return -1; /* no end marker */
}
