/* test_jpegstrip.c: JPEG metadata removed without decoding (jpegstrip.h):
 * what is dropped, what is kept byte for byte, and the hostile or unusual
 * files that must take the long way (a full re-encode). */
#include <string.h>

#include "jpegstrip.h"
#include "unit.h"

/* Segments used to build test files. */
#define SOI "\xFF\xD8"
#define EOI "\xFF\xD9"
#define JFIF "\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
#define DQT "\xFF\xDB\x00\x05\x00\x01\x02"
#define SOF "\xFF\xC0\x00\x0B\x08\x00\x10\x00\x10\x01\x01\x11\x00"
#define DHT "\xFF\xC4\x00\x04\x00\x00"
#define SOS "\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00"
#define COM "\xFF\xFE\x00\x08secret"
#define XMP "\xFF\xE1\x00\x0Ahttp://x"
#define ICC "\xFF\xE2\x00\x06ICC_"
/* scan data with a stuffed FF 00, a restart marker and fill bytes */
#define DATA "\x12\x34\xFF\x00\x56\xFF\xD3\x78\x9A"
#define FILL "\xFF\xFF"

/* An APP1 EXIF block: IFD0 with one Orientation entry of value o. */
static size_t exif(unsigned char *p, int big, unsigned o)
{
	static const unsigned char le[] = "\xFF\xE1\x00\x22" "Exif\0\0" "II\x2A\x00\x08\x00\x00\x00"
					 "\x01\x00" "\x12\x01\x03\x00\x01\x00\x00\x00\x01\x00\x00\x00"
					 "\x00\x00\x00\x00";
	static const unsigned char be[] = "\xFF\xE1\x00\x22" "Exif\0\0" "MM\x00\x2A\x00\x00\x00\x08"
					 "\x00\x01" "\x01\x12\x00\x03\x00\x00\x00\x01\x00\x01\x00\x00"
					 "\x00\x00\x00\x00";
	size_t n = sizeof(le) - 1;
	memcpy(p, big ? be : le, n);
	if (big)
		p[4 + 6 + 8 + 2 + 8] = (unsigned char)(o >> 8), p[4 + 6 + 8 + 2 + 9] = (unsigned char)o;
	else
		p[4 + 6 + 8 + 2 + 8] = (unsigned char)o, p[4 + 6 + 8 + 2 + 9] = (unsigned char)(o >> 8);
	return n;
}

static struct buf out = BUF_INIT;

static int strip(const void *in, size_t len) { return jpeg_strip(in, len, &out); }
#define STRIP(lit) strip(lit, sizeof(lit) - 1)
#define SAME(lit) (out.len == sizeof(lit) - 1 && memcmp(out.data, lit, sizeof(lit) - 1) == 0)

TEST(metadata_dropped_image_kept)
{
	/* APP0, XMP, COM before the frame, ICC between two progressive scans,
	 * fill bytes before a marker, junk after the end */
	CHECK(STRIP(SOI JFIF XMP DQT COM SOF DHT SOS DATA FILL ICC DHT SOS DATA EOI "trailing junk") == 0);
	CHECK(SAME(SOI DQT SOF DHT SOS DATA DHT SOS DATA EOI));
	/* nothing to drop: the same bytes */
	CHECK(STRIP(SOI DQT SOF DHT SOS DATA EOI) == 0);
	CHECK(SAME(SOI DQT SOF DHT SOS DATA EOI));
}

TEST(exif_orientation)
{
	for (int big = 0; big < 2; big++) {
		unsigned char f[256];
		size_t n = 0;
		memcpy(f, SOI, 2);
		n = 2;
		size_t at = n;
		n += exif(f + n, big, 1);
		memcpy(f + n, SOF SOS DATA EOI, sizeof(SOF SOS DATA EOI) - 1);
		n += sizeof(SOF SOS DATA EOI) - 1;
		CHECK(strip(f, n) == 0); /* upright: EXIF dropped */
		CHECK(SAME(SOI SOF SOS DATA EOI));
		for (unsigned o = 2; o <= 8; o += 3) {
			exif(f + at, big, o);
			CHECK(strip(f, n) == -1); /* turned: the long way */
		}
		exif(f + at, big, 0);
		CHECK(strip(f, n) == -1);
		/* an IFD that claims more entries than the segment holds */
		exif(f + at, big, 1);
		f[at + 4 + 6 + 8 + (big ? 1 : 0)] = 0x40;
		CHECK(strip(f, n) == -1);
	}
}

TEST(long_way)
{
	CHECK(STRIP("") == -1);
	CHECK(STRIP("\x89PNG\r\n\x1a\n") == -1);
	CHECK(STRIP(SOI) == -1);
	CHECK(STRIP(SOI DQT SOF SOS DATA) == -1);             /* no end marker */
	CHECK(STRIP(SOI DQT EOI) == -1);                      /* no scan */
	CHECK(STRIP(SOI "\xFF\xDB\x00\x40\x00" EOI) == -1);   /* a length past the end */
	CHECK(STRIP(SOI "\xFF\xDB\x00\x01" SOS DATA EOI) == -1); /* a length below 2 */
	CHECK(STRIP(SOI "\x00\x11" SOS DATA EOI) == -1);      /* no marker where one belongs */
	CHECK(STRIP(SOI SOI SOS DATA EOI) == -1);
	CHECK(STRIP(SOI "\xFF\xD0" SOS DATA EOI) == -1);      /* a restart marker outside a scan */
	CHECK(STRIP(SOI "\xFF\xEE\x00\x0E" "Adobe\x00\x64\x00\x00\x00\x00\x02" SOF SOS DATA EOI) == -1);
	CHECK(STRIP(SOI DQT SOS "\x12\xFF") == -1);           /* data ends on FF */
	CHECK(STRIP(SOI DQT SOS DATA FILL) == -1);
}

int main(void)
{
	RUN(metadata_dropped_image_kept);
	RUN(exif_orientation);
	RUN(long_way);
	buf_free(&out);
	return unit_summary();
}
