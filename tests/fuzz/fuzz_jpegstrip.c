/* fuzz_jpegstrip.c: libFuzzer target for the lossless JPEG metadata
 * stripper. What it accepts comes out no longer, from SOI to EOI, and is a
 * fixed point: stripped again it is accepted and unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jpegstrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	struct buf a = BUF_INIT, b = BUF_INIT;
	if (jpeg_strip(data, size, &a) == 0) {
		const unsigned char *p = (const unsigned char *)a.data;
		if (a.len > size || a.len < 4 || p[0] != 0xFF || p[1] != 0xD8 || p[a.len - 2] != 0xFF ||
		    p[a.len - 1] != 0xD9)
			abort();
		if (jpeg_strip(p, a.len, &b) != 0 || b.len != a.len || memcmp(a.data, b.data, a.len) != 0)
			abort();
	}
	buf_free(&a);
	buf_free(&b);
	return 0;
}
