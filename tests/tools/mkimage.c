/* mkimage.c: test helper that makes real images with MagickWand and looks
 * into the ones Messly serves (there is no `convert` binary on the test
 * machines). Not part of the server; built by `make tools`.
 *
 *   mkimage jpeg|png|gif|webp OUT W H [--orient N] [--gps] [--frames N] [--alpha] [--noise A]
 *       four coloured quadrants (top-left red, top-right lime, bottom-left
 *       blue, bottom-right yellow) with a little noise; --orient/--gps add
 *       an EXIF block (JPEG only) with that Orientation and a GPS position;
 *       --frames makes an animated GIF; --noise A adds Gaussian noise of
 *       strength A (ImageMagick's "attenuate"), so that a JPEG weighs what
 *       a camera photo of its size does (make bench).
 *   mkimage gifbomb OUT N      a 1x1 GIF with N frames (written by hand)
 *   mkimage probe FILE         JSON: format, width, height, frames, exif
 *       (number of exif:* properties), profiles, comment, and the colour
 *       names of the four quadrants (tl tr bl br).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <wand/MagickWand.h>
#pragma GCC diagnostic pop

static void put16(unsigned char *p, unsigned v) { p[0] = v & 255; p[1] = (v >> 8) & 255; }
static void put32(unsigned char *p, unsigned v)
{
	put16(p, v & 0xFFFF);
	put16(p + 2, v >> 16);
}

static unsigned char *ifd_entry(unsigned char *p, unsigned tag, unsigned type, unsigned count,
				unsigned value)
{
	put16(p, tag);
	put16(p + 2, type);
	put32(p + 4, count);
	put32(p + 8, value);
	return p + 12;
}

/* "Exif\0\0" + a little-endian TIFF: IFD0 {Orientation, GPS pointer},
 * GPS IFD {N 48 51 24, E 2 17 40}. Returns the length. */
static size_t exif_block(unsigned char *out, int orient, int gps)
{
	unsigned char *t = out + 6;
	memcpy(out, "Exif\0\0", 6);
	memset(t, 0, 140);
	memcpy(t, "II*\0", 4);
	put32(t + 4, 8);
	unsigned char *p = t + 8;
	put16(p, 1 + (gps ? 1 : 0));
	p = ifd_entry(p + 2, 0x0112, 3, 1, (unsigned)orient);
	if (gps)
		p = ifd_entry(p, 0x8825, 4, 1, 38);
	put32(p, 0);
	if (!gps)
		return 6 + 8 + 2 + 12 + 4;
	p = t + 38;
	put16(p, 4);
	p = ifd_entry(p + 2, 0x0001, 2, 2, 'N');
	p = ifd_entry(p, 0x0002, 5, 3, 92);
	p = ifd_entry(p, 0x0003, 2, 2, 'E');
	p = ifd_entry(p, 0x0004, 5, 3, 116);
	put32(p, 0);
	unsigned rat[12] = {48, 1, 51, 1, 2400, 100, 2, 1, 17, 1, 4000, 100};
	for (int i = 0; i < 12; i++)
		put32(t + 92 + 4 * i, rat[i]);
	return 6 + 140;
}

static int write_out(const char *path, const unsigned char *a, size_t alen,
		     const unsigned char *b, size_t blen)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return 1;
	int bad = fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen);
	return fclose(f) != 0 || bad;
}

static const char *extra_noise; /* --noise A */

static void quadrants(MagickWand *w, size_t width, size_t height, int alpha)
{
	PixelWand *bg = NewPixelWand();
	PixelSetColor(bg, alpha ? "none" : "white");
	MagickNewImage(w, width, height, bg);
	DrawingWand *d = NewDrawingWand();
	const char *colors[4] = {"red", "lime", "blue", "yellow"};
	for (int i = 0; i < 4; i++) {
		PixelWand *c = NewPixelWand();
		PixelSetColor(c, colors[i]);
		DrawSetFillColor(d, c);
		double x = (i % 2) * (double)width / 2, y = (i / 2) * (double)height / 2;
		DrawRectangle(d, x, y, x + (double)width / 2 - 1, y + (double)height / 2 - 1);
		DestroyPixelWand(c);
	}
	MagickDrawImage(w, d);
	DestroyDrawingWand(d);
	DestroyPixelWand(bg);
	MagickAddNoiseImage(w, UniformNoise);
	if (extra_noise) {
		MagickSetImageArtifact(w, "attenuate", extra_noise);
		MagickAddNoiseImage(w, GaussianNoise);
	}
}

static int make(const char *fmt, const char *out, size_t width, size_t height, int orient,
		int gps, int frames, int alpha)
{
	MagickWand *w = NewMagickWand();
	for (int i = 0; i < (frames > 0 ? frames : 1); i++) {
		quadrants(w, width, height, alpha);
		MagickSetImageDelay(w, 10);
	}
	for (char *p = (char *)fmt; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	MagickResetIterator(w);
	while (MagickNextImage(w))
		MagickSetImageFormat(w, fmt);
	MagickSetFormat(w, fmt);
	size_t len;
	unsigned char *blob = frames > 1 ? MagickGetImagesBlob(w, &len) : MagickGetImageBlob(w, &len);
	if (blob == NULL)
		return 1;
	int rc;
	if (strcmp(fmt, "JPEG") == 0 && (orient || gps)) {
		unsigned char seg[4 + 200];
		size_t n = exif_block(seg + 4, orient ? orient : 1, gps);
		seg[0] = 0xFF;
		seg[1] = 0xE1;
		seg[2] = (unsigned char)((n + 2) >> 8);
		seg[3] = (unsigned char)((n + 2) & 255);
		/* SOI, then our APP1, then the rest */
		FILE *f = fopen(out, "wb");
		rc = f == NULL || fwrite(blob, 1, 2, f) != 2 || fwrite(seg, 1, n + 4, f) != n + 4 ||
		     fwrite(blob + 2, 1, len - 2, f) != len - 2;
		if (f && fclose(f) != 0)
			rc = 1;
	} else {
		rc = write_out(out, blob, len, NULL, 0);
	}
	MagickRelinquishMemory(blob);
	DestroyMagickWand(w);
	return rc;
}

static int gifbomb(const char *out, long frames)
{
	static const unsigned char head[] = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0,
					     0, 0, 0, 255, 255, 255};
	static const unsigned char frame[] = {0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0,
					      2, 2, 0x44, 0x01, 0};
	FILE *f = fopen(out, "wb");
	if (f == NULL)
		return 1;
	int bad = fwrite(head, 1, sizeof(head), f) != sizeof(head);
	for (long i = 0; i < frames && !bad; i++)
		bad = fwrite(frame, 1, sizeof(frame), f) != sizeof(frame);
	bad |= fputc(0x3B, f) == EOF;
	return fclose(f) != 0 || bad;
}

static const char *color_at(MagickWand *w, double fx, double fy)
{
	static char name[4][16];
	static int slot;
	PixelWand *p = NewPixelWand();
	size_t x = (size_t)(fx * (double)MagickGetImageWidth(w));
	size_t y = (size_t)(fy * (double)MagickGetImageHeight(w));
	MagickGetImagePixelColor(w, (ssize_t)x, (ssize_t)y, p);
	double r = PixelGetRed(p), g = PixelGetGreen(p), b = PixelGetBlue(p);
	DestroyPixelWand(p);
	const char *n = r > .6 && g > .6 && b < .4 ? "yellow" : r > .6 && g < .4 && b < .4 ? "red"
		      : g > .6 && r < .4 && b < .4 ? "lime" : b > .6 && r < .4 && g < .4 ? "blue"
		      : "other";
	slot = (slot + 1) % 4;
	snprintf(name[slot], sizeof(name[slot]), "%s", n);
	return name[slot];
}

static int probe(const char *path)
{
	MagickWand *w = NewMagickWand();
	if (MagickReadImage(w, path) != MagickTrue) {
		printf("{\"error\": \"unreadable\"}\n");
		return 1;
	}
	size_t frames = MagickGetNumberImages(w);
	MagickSetFirstIterator(w);
	size_t nexif = 0, nprof = 0;
	char **props = MagickGetImageProperties(w, "exif:*", &nexif);
	char **profs = MagickGetImageProfiles(w, "*", &nprof);
	char *comment = MagickGetImageProperty(w, "comment");
	char *fmt = MagickGetImageFormat(w);
	printf("{\"format\": \"%s\", \"width\": %zu, \"height\": %zu, \"frames\": %zu, "
	       "\"exif\": %zu, \"profiles\": %zu, \"comment\": %s, \"tl\": \"%s\", \"tr\": \"%s\", "
	       "\"bl\": \"%s\", \"br\": \"%s\"}\n",
	       fmt, MagickGetImageWidth(w), MagickGetImageHeight(w), frames, nexif, nprof,
	       comment ? "true" : "false", color_at(w, .1, .1), color_at(w, .9, .1),
	       color_at(w, .1, .9), color_at(w, .9, .9));
	if (props)
		MagickRelinquishMemory(props);
	if (profs)
		MagickRelinquishMemory(profs);
	if (comment)
		MagickRelinquishMemory(comment);
	MagickRelinquishMemory(fmt);
	DestroyMagickWand(w);
	return 0;
}

int main(int argc, char **argv)
{
	/* the helper reads and writes freely: not under the server's policy */
	unsetenv("MAGICK_CONFIGURE_PATH");
	if (argc < 3)
		return 2;
	MagickWandGenesis();
	int rc = 2;
	if (strcmp(argv[1], "probe") == 0) {
		rc = probe(argv[2]);
	} else if (strcmp(argv[1], "gifbomb") == 0 && argc == 4) {
		rc = gifbomb(argv[2], atol(argv[3]));
	} else if (argc >= 5) {
		int orient = 0, gps = 0, frames = 0, alpha = 0;
		for (int i = 5; i < argc; i++) {
			if (strcmp(argv[i], "--orient") == 0 && i + 1 < argc)
				orient = atoi(argv[++i]);
			else if (strcmp(argv[i], "--gps") == 0)
				gps = 1;
			else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
				frames = atoi(argv[++i]);
			else if (strcmp(argv[i], "--alpha") == 0)
				alpha = 1;
			else if (strcmp(argv[i], "--noise") == 0 && i + 1 < argc)
				extra_noise = argv[++i];
		}
		rc = make(argv[1], argv[2], (size_t)atol(argv[3]), (size_t)atol(argv[4]), orient, gps,
			  frames, alpha);
	}
	MagickWandTerminus();
	return rc;
}
