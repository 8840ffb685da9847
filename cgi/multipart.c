/* multipart.c: the streaming multipart/form-data parser (see multipart.h).
 * The delimiter "\r\n--boundary" starts with CR and CR cannot occur in a
 * boundary, so after a partial match fails the matched bytes are plain data
 * (they are exactly delim[0..match)) and scanning restarts at the byte that
 * broke the match. */
#include "multipart.h"

#include <string.h>
#include <strings.h>

static bool bchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       strchr("'()+_,-./:=? ", c) != NULL;
}

/* The boundary parameter of a Content-Type value, into out. */
static bool find_boundary(const char *ct, char *out, size_t cap)
{
	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0)
		return false;
	const char *p = ct + 19;
	for (;;) {
		p = strchr(p, ';');
		if (p == NULL)
			return false;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) == 0)
			break;
	}
	p += 9;
	size_t n = 0;
	bool quoted = *p == '"';
	if (quoted)
		p++;
	while (*p && (quoted ? *p != '"' : (*p != ';' && *p != ' ' && *p != '\t'))) {
		if (!bchar(*p) || n + 1 >= cap)
			return false;
		out[n++] = *p++;
	}
	if (quoted && *p != '"')
		return false;
	out[n] = '\0';
	return n >= 1 && n <= MP_MAX_BOUNDARY && out[n - 1] != ' ';
}

enum mp_err mp_init(struct multipart *m, struct arena *a, const char *content_type,
		    const struct mp_handler *h)
{
	memset(m, 0, sizeof(*m));
	m->arena = a;
	m->h = *h;
	char b[MP_MAX_BOUNDARY + 2];
	if (!find_boundary(content_type, b, sizeof(b)))
		return m->err = MP_EBOUNDARY;
	memcpy(m->delim, "\r\n--", 4);
	memcpy(m->delim + 4, b, strlen(b) + 1);
	m->dlen = 4 + strlen(b);
	m->state = MP_PREAMBLE;
	m->match = 2; /* the body's start counts as a line start */
	return MP_OK;
}

/* A parameter value: token or quoted-string (\" and \\ unescaped, other
 * backslashes kept, as browsers do not escape them). Advances *pp. */
static char *param_value(struct arena *a, const char **pp)
{
	const char *p = *pp;
	size_t cap = strlen(p) + 1, n = 0;
	char *out = arena_alloc(a, cap);
	if (*p == '"') {
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			out[n++] = *p++;
		}
		if (*p != '"')
			return NULL;
		p++;
	} else {
		while (*p && *p != ';' && *p != ' ' && *p != '\t')
			out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p;
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 5987 ext-value: UTF-8'lang'percent-encoded. NULL when malformed or
 * in another charset. */
static char *ext_value(struct arena *a, const char *v)
{
	if (strncasecmp(v, "UTF-8'", 6) != 0)
		return NULL;
	const char *p = strchr(v + 6, '\'');
	if (p == NULL)
		return NULL;
	p++;
	char *out = arena_alloc(a, strlen(p) + 1);
	size_t n = 0;
	for (; *p; p++) {
		if (*p == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			if (lo < 0)
				return NULL;
			out[n++] = (char)(hi * 16 + lo);
			p += 2;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return strlen(out) == n ? out : NULL; /* no %00 */
}

bool mp_parse_disposition(struct arena *a, const char *v, const char **name,
			  const char **filename)
{
	*name = *filename = NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	if (strncasecmp(v, "form-data", 9) != 0)
		return false;
	const char *p = v + 9, *ext = NULL;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (*p != ';')
			return false;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *key = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		if (*p != '=')
			return false;
		size_t klen = (size_t)(p - key);
		p++;
		char *val = param_value(a, &p);
		if (val == NULL)
			return false;
		if (klen == 4 && strncasecmp(key, "name", 4) == 0)
			*name = val;
		else if (klen == 8 && strncasecmp(key, "filename", 8) == 0)
			*filename = val;
		else if (klen == 9 && strncasecmp(key, "filename*", 9) == 0)
			ext = ext_value(a, val);
	}
	if (ext)
		*filename = ext;
	return *name != NULL;
}

/* Parse the header block (without the final empty line) and begin a part. */
static enum mp_err parse_headers(struct multipart *m)
{
	if (memchr(m->head, '\0', m->head_len))
		return MP_ESYNTAX;
	m->head[m->head_len] = '\0';
	struct mp_part part = {0};
	bool have_disp = false;
	char *line = m->head;
	while (*line) {
		char *eol = strstr(line, "\r\n");
		if (eol == NULL)
			return MP_ESYNTAX;
		*eol = '\0';
		char *colon = strchr(line, ':');
		if (colon == NULL || colon == line || line[0] == ' ' || line[0] == '\t')
			return MP_ESYNTAX;
		*colon = '\0';
		const char *val = colon + 1;
		while (*val == ' ' || *val == '\t')
			val++;
		if (strcasecmp(line, "Content-Disposition") == 0) {
			if (have_disp || !mp_parse_disposition(m->arena, val, &part.name, &part.filename))
				return MP_ESYNTAX;
			have_disp = true;
		} else if (strcasecmp(line, "Content-Type") == 0) {
			part.content_type = arena_strdup(m->arena, val);
		}
		line = eol + 2;
	}
	if (!have_disp)
		return MP_ESYNTAX;
	if (++m->parts > MP_MAX_PARTS)
		return MP_ETOOBIG;
	m->in_part = true;
	if (m->h.begin && m->h.begin(m->h.ctx, &part) != 0)
		return MP_EABORT;
	return MP_OK;
}

static enum mp_err emit(struct multipart *m, const char *p, size_t n)
{
	if (n == 0 || m->state != MP_BODY || m->h.data == NULL)
		return MP_OK;
	return m->h.data(m->h.ctx, p, n) == 0 ? MP_OK : MP_EABORT;
}

static enum mp_err delimiter_seen(struct multipart *m)
{
	if (m->state == MP_BODY) {
		m->in_part = false;
		if (m->h.end && m->h.end(m->h.ctx) != 0)
			return MP_EABORT;
	}
	m->state = MP_AFTER_DELIM;
	m->match = 0;
	return MP_OK;
}

/* PREAMBLE or BODY: scan for the delimiter; returns bytes consumed. */
static size_t scan(struct multipart *m, const char *d, size_t n, enum mp_err *e)
{
	size_t i = 0, start = 0;
	while (i < n) {
		if (m->match == 0) {
			const char *cr = memchr(d + i, '\r', n - i);
			if (cr == NULL) {
				i = n;
				break;
			}
			i = (size_t)(cr - d);
		}
		if (d[i] == m->delim[m->match]) {
			if (m->match == 0 && (*e = emit(m, d + start, i - start)) != MP_OK)
				return i;
			m->match++;
			start = ++i;
			if (m->match == m->dlen) {
				*e = delimiter_seen(m);
				return i;
			}
			continue;
		}
		/* a partial match failed: those bytes were data */
		if ((*e = emit(m, m->delim, m->match)) != MP_OK)
			return i;
		m->match = 0;
		start = i;
		if (d[i] != '\r')
			i++;
	}
	if (m->match == 0)
		*e = emit(m, d + start, i - start);
	return i;
}

/* One byte of the line after a delimiter: "--" closes, else optional
 * white space and CRLF start the next part's headers. */
static enum mp_err after_delim(struct multipart *m, char c)
{
	switch (m->state) {
	case MP_AFTER_DELIM:
		if (c == '-') {
			m->state = MP_AFTER_DASH;
			return MP_OK;
		}
		m->state = MP_PADDING;
		m->match = 0;
		/* fall through */
	case MP_PADDING:
		if (m->match == 0 && (c == ' ' || c == '\t'))
			return MP_OK;
		if (m->match == 0 && c == '\r') {
			m->match = 1;
			return MP_OK;
		}
		if (m->match == 1 && c == '\n') {
			m->state = MP_HEADERS;
			m->head_len = 0;
			m->match = 0;
			return MP_OK;
		}
		return MP_ESYNTAX;
	case MP_AFTER_DASH:
		if (c != '-')
			return MP_ESYNTAX;
		m->state = MP_DONE;
		return MP_OK;
	default:
		return MP_ESYNTAX;
	}
}

static enum mp_err header_byte(struct multipart *m, char c)
{
	if (m->head_len + 1 >= sizeof(m->head))
		return MP_ETOOBIG;
	m->head[m->head_len++] = c;
	size_t n = m->head_len;
	bool end = (n == 2 && memcmp(m->head, "\r\n", 2) == 0) ||
		   (n >= 4 && memcmp(m->head + n - 4, "\r\n\r\n", 4) == 0);
	if (!end)
		return MP_OK;
	m->head_len = n == 2 ? 0 : n - 2; /* keep each line's CRLF */
	enum mp_err e = parse_headers(m);
	if (e != MP_OK)
		return e;
	m->state = MP_BODY;
	m->match = 0;
	return MP_OK;
}

enum mp_err mp_feed(struct multipart *m, const char *data, size_t len)
{
	size_t i = 0;
	while (i < len && m->err == MP_OK) {
		enum mp_err e = MP_OK;
		switch (m->state) {
		case MP_PREAMBLE:
		case MP_BODY:
			i += scan(m, data + i, len - i, &e);
			break;
		case MP_HEADERS:
			e = header_byte(m, data[i++]);
			break;
		case MP_DONE:
			return MP_OK; /* the epilogue is ignored */
		default:
			e = after_delim(m, data[i++]);
			break;
		}
		m->err = e;
	}
	return m->err;
}

enum mp_err mp_finish(struct multipart *m)
{
	if (m->err == MP_OK && m->state != MP_DONE)
		m->err = MP_ETRUNC;
	return m->err;
}
