/* filemeta.h: what a file is and how it is named, as pure functions:
 * the type detected from the first bytes (never from the name or the
 * client's Content-Type), the display name sanitized from what the client
 * sent, and the Content-Disposition/Content-Type a download is served with.
 * Unit-tested in tests/unit/test_filemeta.c. */
#ifndef MESSLY_FILEMETA_H
#define MESSLY_FILEMETA_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define SNIFF_BYTES 512   /* how much of the head detection looks at */
#define FILE_NAME_MAX 200 /* bytes of a sanitized name */

/* The MIME type of content starting with head[0..len). One of
 * image/jpeg, image/png, image/gif, image/webp, image/svg+xml,
 * application/pdf, application/zip, application/gzip, text/html,
 * application/xml, video/mp4, audio/mpeg, audio/ogg, text/plain,
 * application/octet-stream. */
const char *filemeta_sniff(const unsigned char *head, size_t len);

/* One of the four image types ImageMagick may decode. */
bool filemeta_is_image_type(const char *type);

/* The display name: the last path component of what was sent, invalid
 * UTF-8 replaced, control and bidirectional-override characters removed,
 * leading dots and spaces dropped, cut to FILE_NAME_MAX bytes on a
 * character boundary keeping the extension; "file" when nothing is left. */
char *filemeta_sanitize_name(struct arena *a, const char *sent);

/* Content-Disposition for a download: inline only when inline_ok, with an
 * ASCII fallback filename="..." and filename*=UTF-8''... (RFC 5987/6266). */
char *filemeta_disposition(struct arena *a, const char *name, bool inline_ok);

/* The Content-Type a file is served with: its type when harmless to label
 * (images that are served inline, PDF, archives, media, text/plain with a
 * charset), application/octet-stream for markup and the unknown. */
const char *filemeta_served_type(const char *type);

/* A short icon class for the type: image, pdf, archive, text, audio,
 * video, code, file. */
const char *filemeta_icon(const char *type);

#endif
