/* jpegstrip.h: a JPEG's metadata removed without decoding it. The
 * entropy-coded image data is copied as it is (no quality lost, ~1 ms for
 * a 12-megapixel photo instead of a full decode and re-encode), every
 * APPn segment (EXIF, XMP, ICC, IPTC, JFIF thumbnails) and comment is
 * dropped, wherever it stands, and anything after the end marker. */
#ifndef MESSLY_JPEGSTRIP_H
#define MESSLY_JPEGSTRIP_H

#include <stddef.h>

#include "buf.h"

/* 0 with the stripped JPEG in out; -1 when the file must go the long way
 * (a full re-encode): not a well-formed JPEG, an Adobe segment (its colour
 * transform would be lost), or an EXIF orientation other than 1 (the
 * pixels must be turned, which needs decoding). */
int jpeg_strip(const unsigned char *in, size_t len, struct buf *out);

#endif
