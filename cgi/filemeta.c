/* filemeta.c: type detection, name sanitizing and download headers (see
 * filemeta.h). */
#include "filemeta.h"

#include <string.h>
#include <strings.h>

#include "buf.h"

static bool starts(const unsigned char *h, size_t len, const char *magic, size_t n)
{
	return len >= n && memcmp(h, magic, n) == 0;
}

/* Case-insensitive search for s in the first len bytes. */
static bool contains_ci(const unsigned char *h, size_t len, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp((const char *)h + i, s, n) == 0)
			return true;
	return false;
}

/* Text that is valid UTF-8 (a cut at the end of the head is allowed). */
static bool looks_text(const unsigned char *h, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = h[i];
		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f'))
			return false;
		size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
					   : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (n == 0 || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4))
			return false;
		for (size_t k = 1; k < n; k++) {
			if (i + k >= len)
				return true; /* cut by the head */
			if ((h[i + k] & 0xC0) != 0x80)
				return false;
		}
		i += n;
	}
	return true;
}

static const char *sniff_markup(const unsigned char *h, size_t len)
{
	size_t i = 0;
	if (starts(h, len, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
		i++;
	if (i >= len || h[i] != '<')
		return NULL;
	if (contains_ci(h + i, len - i, "<svg"))
		return "image/svg+xml";
	if (contains_ci(h + i, len - i, "<!doctype html") || contains_ci(h + i, len - i, "<html") ||
	    contains_ci(h + i, len - i, "<script") || contains_ci(h + i, len - i, "<body") ||
	    contains_ci(h + i, len - i, "<head") || contains_ci(h + i, len - i, "<iframe"))
		return "text/html";
	if (starts(h + i, len - i, "<?xml", 5))
		return "application/xml";
	return NULL;
}

const char *filemeta_sniff(const unsigned char *h, size_t len)
{
	if (starts(h, len, "\xFF\xD8\xFF", 3))
		return "image/jpeg";
	if (starts(h, len, "\x89PNG\r\n\x1A\n", 8))
		return "image/png";
	if (starts(h, len, "GIF87a", 6) || starts(h, len, "GIF89a", 6))
		return "image/gif";
	if (len >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (starts(h, len, "%PDF-", 5))
		return "application/pdf";
	if (starts(h, len, "PK\x03\x04", 4) || starts(h, len, "PK\x05\x06", 4))
		return "application/zip";
	if (starts(h, len, "\x1F\x8B", 2))
		return "application/gzip";
	if (len >= 12 && memcmp(h + 4, "ftyp", 4) == 0)
		return "video/mp4";
	if (starts(h, len, "ID3", 3) || (len >= 2 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0))
		return "audio/mpeg";
	if (starts(h, len, "OggS", 4))
		return "audio/ogg";
	const char *markup = sniff_markup(h, len);
	if (markup)
		return markup;
	if (len > 0 && looks_text(h, len))
		return "text/plain";
	return "application/octet-stream";
}

bool filemeta_is_image_type(const char *t)
{
	return t && (strcmp(t, "image/jpeg") == 0 || strcmp(t, "image/png") == 0 ||
		     strcmp(t, "image/gif") == 0 || strcmp(t, "image/webp") == 0);
}

/* Decode one UTF-8 code point at s[*i]; -1 for an invalid sequence (one
 * byte consumed). */
static long utf8_at(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
				: (c & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0 || *i + n > len) {
		(*i)++;
		return -1;
	}
	long cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
	for (size_t k = 1; k < n; k++) {
		if ((s[*i + k] & 0xC0) != 0x80) {
			(*i)++;
			return -1;
		}
		cp = (cp << 6) | (s[*i + k] & 0x3F);
	}
	static const long min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		(*i)++;
		return -1;
	}
	*i += n;
	return cp;
}

static bool dropped(long cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||     /* C0, DEL, C1 */
	       (cp >= 0x200B && cp <= 0x200F) ||               /* zero width, LRM/RLM */
	       (cp >= 0x202A && cp <= 0x202E) ||               /* bidi embeddings/overrides */
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF; /* isolates, BOM */
}

static void put_cp(struct buf *b, long cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, u, n);
}

/* Cut s (valid UTF-8) to at most max bytes on a character boundary, keeping
 * an extension of up to 16 bytes. */
static char *cut_name(struct arena *a, const char *s, size_t max)
{
	size_t len = strlen(s);
	if (len <= max)
		return arena_strdup(a, s);
	const char *dot = strrchr(s, '.');
	size_t ext = dot && dot != s && strlen(dot) <= 16 ? strlen(dot) : 0;
	size_t keep = max - ext;
	while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
		keep--;
	char *out = arena_alloc(a, keep + ext + 1);
	memcpy(out, s, keep);
	memcpy(out + keep, s + len - ext, ext);
	out[keep + ext] = '\0';
	return out;
}

char *filemeta_sanitize_name(struct arena *a, const char *sent)
{
	if (sent == NULL)
		sent = "";
	const char *base = sent;
	for (const char *p = sent; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	const unsigned char *s = (const unsigned char *)base;
	size_t len = strlen(base), i = 0;
	struct buf b = BUF_INIT;
	while (i < len) {
		long cp = utf8_at(s, len, &i);
		if (cp < 0)
			cp = 0xFFFD;
		if (dropped(cp))
			continue;
		if ((cp == '.' || cp == ' ') && b.len == 0)
			continue; /* no hidden names, no "..", no leading blanks */
		put_cp(&b, cp);
	}
	while (b.len > 0 && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '.'))
		b.data[--b.len] = '\0';
	char *out = cut_name(a, b.len ? b.data : "file", FILE_NAME_MAX);
	buf_free(&b);
	return out;
}

static bool attr_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       strchr("!#$&+-.^_`|~", c) != NULL;
}

char *filemeta_disposition(struct arena *a, const char *name, bool inline_ok)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, inline_ok ? "inline; filename=\"" : "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		buf_putc(&b, *p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\' && *p != '%'
				     ? (char)*p : '_');
	buf_puts(&b, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (attr_char(*p))
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	char *out = arena_strdup(a, b.data);
	buf_free(&b);
	return out;
}

const char *filemeta_served_type(const char *t)
{
	static const char *const plain[] = {
		"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf",
		"application/zip", "application/gzip", "video/mp4", "audio/mpeg", "audio/ogg"};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (t && strcmp(t, plain[i]) == 0)
			return plain[i];
	if (t && strcmp(t, "text/plain") == 0)
		return "text/plain; charset=utf-8";
	return "application/octet-stream";
}

const char *filemeta_icon(const char *t)
{
	if (t == NULL)
		return "file";
	if (strncmp(t, "image/", 6) == 0)
		return strcmp(t, "image/svg+xml") == 0 ? "code" : "image";
	if (strcmp(t, "application/pdf") == 0)
		return "pdf";
	if (strcmp(t, "application/zip") == 0 || strcmp(t, "application/gzip") == 0)
		return "archive";
	if (strncmp(t, "audio/", 6) == 0)
		return "audio";
	if (strncmp(t, "video/", 6) == 0)
		return "video";
	if (strcmp(t, "text/plain") == 0)
		return "text";
	if (strcmp(t, "text/html") == 0 || strcmp(t, "application/xml") == 0)
		return "code";
	return "file";
}
