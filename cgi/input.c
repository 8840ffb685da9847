/* input.c: decoding of untrusted request bytes (query, form, JSON, cookies)
 * and the field validators (see input.h).
 *
 * Message catalog keys the validators return (copy these into the catalog):
 *   err.encoding        text is not valid UTF-8 or contains NUL
 *                       (valid_password, valid_display_name, valid_message_text)
 *   err.email.format    not 3..254 bytes, not exactly one '@', empty local part
 *                       or domain, leading/trailing/double dot, a space, a
 *                       control character or one of "(),:;<>[\]
 *   err.password.short  fewer than 8 code points
 *   err.password.long   more than 256 code points
 *   err.nickname.format not 3..32 of [a-z0-9_]
 *   err.name.empty      empty, or only spaces/invisible characters
 *   err.name.long       more than 64 code points
 *   err.name.control    a control character, line/paragraph separator or
 *                       bidi override/isolate
 *   err.text.empty      empty, or only whitespace/invisible characters
 *   err.text.long       more than max_chars code points after trimming
 *   err.text.control    a control character other than \n and \t
 *                       (valid_message_text, valid_about)
 *   err.about.long      more than 500 code points (valid_about)
 *
 * JSON strategy: two independent passes must both accept the body.
 *   1. utf8_valid() over the raw bytes (json-c's VALIDATE_UTF8 lets
 *      overlongs, surrogates and > U+10FFFF through), then a small strict
 *      RFC 8259 scanner written here (json-c's STRICT mode still accepts
 *      single quotes, NaN/Infinity, "1." and raw control characters in
 *      strings). The scanner also rejects "\u0000" and lone surrogate escapes,
 *      caps nesting at INPUT_MAX_JSON_DEPTH and top-level members at
 *      INPUT_MAX_PAIRS, counts every object member at every depth, and
 *      remembers the raw text of each top-level value.
 *   2. json-c (strict, UTF-8 validating, depth-capped) builds the tree and
 *      decodes the strings.
 * Duplicate keys: json-c keeps only the last of equal keys (after escape
 * decoding, so "a" and "\u0061" collide), so the tree holds fewer members
 * than the text names exactly when some object has a duplicate key. Comparing
 * the scanner's member count with the tree's (recursively, every depth)
 * detects duplicates anywhere. Numbers keep their JSON text by taking the
 * scanner's raw span (json-c clamps big integers and turns -0 into 0). */
#include "input.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

/* ---------------------------------------------------------------- UTF-8 */

bool utf8_valid(const char *s, size_t len)
{
	if (len == 0)
		return true;
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	while (p < end) {
		unsigned c = *p;
		if (c == 0)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		}
		size_t n;
		uint32_t cp, min;
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
			min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
			min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false; /* continuation byte, C0/C1, F5..FF */
		}
		if ((size_t)(end - p) <= n)
			return false; /* truncated */
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		p += n + 1;
	}
	return true;
}

size_t utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Next code point of valid UTF-8 at s[*i], advancing *i. */
static uint32_t utf8_next(const char *s, size_t len, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	uint32_t c = p[0];
	size_t n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
	if (n > len - *i - 1)
		n = len - *i - 1; /* never happens for valid input */
	uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
	for (size_t k = 1; k <= n; k++)
		cp = (cp << 6) | (p[k] & 0x3F);
	*i += n + 1;
	return cp;
}

/* -------------------------------------------------------------- urlencoded */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode '+' and %XX of s[0..n) into a NUL-terminated arena copy, which must
 * be valid UTF-8 without NUL. */
static enum input_err url_decode(struct arena *a, const char *s, size_t n,
				 const char **out, size_t *outlen)
{
	char *d = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			d[o++] = ' ';
		} else if (c == '%') {
			if (n - i < 3)
				return INPUT_EBADENC;
			int hi = hexval((unsigned char)s[i + 1]);
			int lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return INPUT_EBADENC;
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[o++] = (char)c;
		}
	}
	d[o] = '\0';
	if (!utf8_valid(d, o))
		return INPUT_EBADENC;
	*out = d;
	*outlen = o;
	return INPUT_OK;
}

enum input_err input_parse_urlencoded(struct arena *a, const char *s, size_t len,
				      struct input *out)
{
	out->pairs = NULL;
	out->n = 0;
	if (s == NULL || len == 0)
		return INPUT_OK;

	/* Count non-empty pieces before allocating anything. */
	size_t count = 0;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t plen = amp ? (size_t)(amp - (s + i)) : len - i;
		if (plen > 0 && ++count > INPUT_MAX_PAIRS)
			return INPUT_ETOOBIG;
		i += plen + 1;
	}
	if (count == 0)
		return INPUT_OK;

	struct input_pair *pairs = arena_calloc(a, count, sizeof(*pairs));
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		const char *piece = s + i;
		const char *amp = memchr(piece, '&', len - i);
		size_t plen = amp ? (size_t)(amp - piece) : len - i;
		i += plen + 1;
		if (plen == 0)
			continue;
		const char *eq = memchr(piece, '=', plen);
		size_t nlen = eq ? (size_t)(eq - piece) : plen;
		struct input_pair *p = &pairs[n];
		size_t dummy;
		enum input_err e = url_decode(a, piece, nlen, &p->name, &dummy);
		if (e != INPUT_OK)
			return e;
		if (eq)
			e = url_decode(a, eq + 1, plen - nlen - 1, &p->value, &p->len);
		else
			e = url_decode(a, "", 0, &p->value, &p->len);
		if (e != INPUT_OK)
			return e;
		p->kind = IK_STRING;
		n++;
	}
	out->pairs = pairs;
	out->n = n;
	return INPUT_OK;
}

/* -------------------------------------------------------------------- JSON */

struct jspan {
	const char *start;
	size_t len;
	enum input_kind kind;
};

struct jscan {
	const char *p, *end;
	size_t keys;        /* object members named in the text, all depths */
	enum input_err err; /* why the scan failed */
	struct jspan *top;  /* top-level values, INPUT_MAX_PAIRS slots */
	size_t ntop;
};

static bool jfail(struct jscan *sc, enum input_err e)
{
	sc->err = e;
	return false;
}

static void jws(struct jscan *sc)
{
	while (sc->p < sc->end &&
	       (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

static bool jhex4(struct jscan *sc, uint32_t *v)
{
	if (sc->end - sc->p < 4)
		return jfail(sc, INPUT_EBADJSON);
	*v = 0;
	for (int k = 0; k < 4; k++) {
		int h = hexval((unsigned char)sc->p[k]);
		if (h < 0)
			return jfail(sc, INPUT_EBADJSON);
		*v = (*v << 4) | (uint32_t)h;
	}
	sc->p += 4;
	return true;
}

/* sc->p at the opening quote. */
static bool jstring(struct jscan *sc)
{
	sc->p++;
	for (;;) {
		if (sc->p >= sc->end)
			return jfail(sc, INPUT_EBADJSON);
		unsigned char c = (unsigned char)*sc->p++;
		if (c == '"')
			return true;
		if (c < 0x20)
			return jfail(sc, INPUT_EBADJSON);
		if (c != '\\')
			continue; /* bytes >= 0x80: the whole body is valid UTF-8 */
		if (sc->p >= sc->end)
			return jfail(sc, INPUT_EBADJSON);
		c = (unsigned char)*sc->p++;
		if (c != '\0' && strchr("\"\\/bfnrt", c) != NULL)
			continue;
		if (c != 'u')
			return jfail(sc, INPUT_EBADJSON);
		uint32_t v;
		if (!jhex4(sc, &v))
			return false;
		if (v == 0 || (v >= 0xDC00 && v <= 0xDFFF))
			return jfail(sc, INPUT_EBADENC); /* NUL, lone low surrogate */
		if (v >= 0xD800 && v <= 0xDBFF) {
			uint32_t lo;
			if (sc->end - sc->p < 2 || sc->p[0] != '\\' || sc->p[1] != 'u')
				return jfail(sc, INPUT_EBADENC);
			sc->p += 2;
			if (!jhex4(sc, &lo))
				return false;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return jfail(sc, INPUT_EBADENC);
		}
	}
}

static bool jdigits(struct jscan *sc)
{
	const char *start = sc->p;
	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
		sc->p++;
	return sc->p > start ? true : jfail(sc, INPUT_EBADJSON);
}

static bool jnumber(struct jscan *sc)
{
	if (sc->p < sc->end && *sc->p == '-')
		sc->p++;
	if (sc->p < sc->end && *sc->p == '0')
		sc->p++;
	else if (!jdigits(sc))
		return false;
	if (sc->p < sc->end && *sc->p == '.') {
		sc->p++;
		if (!jdigits(sc))
			return false;
	}
	if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
		sc->p++;
		if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
			sc->p++;
		if (!jdigits(sc))
			return false;
	}
	return true;
}

static bool jliteral(struct jscan *sc, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n) != 0)
		return jfail(sc, INPUT_EBADJSON);
	sc->p += n;
	return true;
}

static bool jcontainer(struct jscan *sc, int depth, bool top);

/* A value at sc->p (whitespace already skipped); depth of its container. */
static bool jvalue(struct jscan *sc, int depth, enum input_kind *kind)
{
	if (sc->p >= sc->end)
		return jfail(sc, INPUT_EBADJSON);
	switch (*sc->p) {
	case '"':
		*kind = IK_STRING;
		return jstring(sc);
	case '{':
	case '[':
		*kind = IK_OTHER;
		return jcontainer(sc, depth + 1, false);
	case 't':
		*kind = IK_BOOL;
		return jliteral(sc, "true");
	case 'f':
		*kind = IK_BOOL;
		return jliteral(sc, "false");
	case 'n':
		*kind = IK_NULL;
		return jliteral(sc, "null");
	default:
		*kind = IK_NUMBER;
		if (*sc->p != '-' && (*sc->p < '0' || *sc->p > '9'))
			return jfail(sc, INPUT_EBADJSON);
		return jnumber(sc);
	}
}

/* An object or array at sc->p, at nesting level depth (top level = 1). */
static bool jcontainer(struct jscan *sc, int depth, bool top)
{
	if (depth > INPUT_MAX_JSON_DEPTH)
		return jfail(sc, INPUT_ETOOBIG);
	bool object = *sc->p == '{';
	char close = object ? '}' : ']';
	sc->p++;
	jws(sc);
	if (sc->p < sc->end && *sc->p == close) {
		sc->p++;
		return true;
	}
	for (;;) {
		if (object) {
			if (sc->p >= sc->end || *sc->p != '"')
				return jfail(sc, INPUT_EBADJSON);
			if (!jstring(sc))
				return false;
			sc->keys++;
			jws(sc);
			if (sc->p >= sc->end || *sc->p != ':')
				return jfail(sc, INPUT_EBADJSON);
			sc->p++;
			jws(sc);
		}
		const char *start = sc->p;
		enum input_kind kind;
		if (!jvalue(sc, depth, &kind))
			return false;
		if (top) {
			if (sc->ntop >= INPUT_MAX_PAIRS)
				return jfail(sc, INPUT_ETOOBIG);
			sc->top[sc->ntop].start = start;
			sc->top[sc->ntop].len = (size_t)(sc->p - start);
			sc->top[sc->ntop].kind = kind;
			sc->ntop++;
		}
		jws(sc);
		if (sc->p >= sc->end)
			return jfail(sc, INPUT_EBADJSON);
		if (*sc->p == close) {
			sc->p++;
			return true;
		}
		if (*sc->p != ',')
			return jfail(sc, INPUT_EBADJSON);
		sc->p++;
		jws(sc);
	}
}

/* Object members in the tree, at every depth. */
static size_t json_members(struct json_object *o)
{
	size_t n = 0;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			n += 1 + json_members(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t len = json_object_array_length(o);
		for (size_t i = 0; i < len; i++)
			n += json_members(json_object_array_get_idx(o, i));
	}
	return n;
}

static enum input_kind json_kind(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return IK_STRING;
	case json_type_int:
	case json_type_double:
		return IK_NUMBER;
	case json_type_boolean:
		return IK_BOOL;
	case json_type_null:
		return IK_NULL;
	default:
		return IK_OTHER;
	}
}

/* Fill out from the parsed root, using the scanner's top-level spans. */
static enum input_err json_pairs(struct arena *a, struct json_object *root,
				 const struct jscan *sc, struct input *out)
{
	size_t n = (size_t)json_object_object_length(root);
	if (n != sc->ntop)
		return INPUT_EBADJSON; /* cannot happen without duplicates */
	struct input_pair *pairs = n ? arena_calloc(a, n, sizeof(*pairs)) : NULL;
	size_t i = 0;
	json_object_object_foreach(root, key, v)
	{
		struct input_pair *p = &pairs[i];
		const struct jspan *span = &sc->top[i];
		i++;
		size_t klen = strlen(key);
		if (!utf8_valid(key, klen))
			return INPUT_EBADENC;
		p->name = arena_strndup(a, key, klen);
		p->kind = json_kind(v);
		if (p->kind != span->kind)
			return INPUT_EBADJSON; /* tree and text disagree */
		switch (p->kind) {
		case IK_STRING: {
			const char *str = json_object_get_string(v);
			size_t slen = (size_t)json_object_get_string_len(v);
			if (strlen(str) != slen || !utf8_valid(str, slen))
				return INPUT_EBADENC;
			p->value = arena_strndup(a, str, slen);
			p->len = slen;
			break;
		}
		case IK_NUMBER:
			p->value = arena_strndup(a, span->start, span->len);
			p->len = span->len;
			break;
		case IK_BOOL:
			p->value = json_object_get_boolean(v) ? "true" : "false";
			p->len = strlen(p->value);
			break;
		default:
			p->value = NULL;
			p->len = 0;
			if (p->kind == IK_OTHER)
				p->raw = arena_strndup(a, span->start, span->len);
			break;
		}
	}
	out->pairs = pairs;
	out->n = n;
	return INPUT_OK;
}

enum input_err input_parse_json(struct arena *a, const char *s, size_t len,
				struct input *out)
{
	out->pairs = NULL;
	out->n = 0;
	if (s == NULL || len == 0)
		return INPUT_EBADJSON;
	if (len > INT_MAX)
		return INPUT_ETOOBIG;
	if (!utf8_valid(s, len))
		return INPUT_EBADENC;

	/* Pass 1: the strict scanner. */
	struct jscan sc = {.p = s, .end = s + len, .err = INPUT_EBADJSON};
	sc.top = arena_calloc(a, INPUT_MAX_PAIRS, sizeof(*sc.top));
	jws(&sc);
	if (sc.p >= sc.end || *sc.p != '{')
		return INPUT_EBADJSON; /* the top level must be an object */
	if (!jcontainer(&sc, 1, true))
		return sc.err;
	jws(&sc);
	if (sc.p != sc.end)
		return INPUT_EBADJSON;

	/* Pass 2: json-c. Its depth counts one more level than ours (depth 16
	 * admits only 15 nested containers), hence the + 1. */
	struct json_tokener *tok = json_tokener_new_ex(INPUT_MAX_JSON_DEPTH + 1);
	if (tok == NULL)
		abort(); /* out of memory: see arena.h */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	struct json_object *root = json_tokener_parse_ex(tok, s, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	enum input_err e = INPUT_OK;
	if (root == NULL || jerr != json_tokener_success) {
		e = jerr == json_tokener_error_depth ? INPUT_ETOOBIG : INPUT_EBADJSON;
	} else if (!json_object_is_type(root, json_type_object)) {
		e = INPUT_EBADJSON;
	} else {
		for (size_t i = end; i < len && e == INPUT_OK; i++)
			if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
				e = INPUT_EBADJSON;
		if (e == INPUT_OK && json_members(root) != sc.keys)
			e = INPUT_EBADJSON; /* duplicate key somewhere */
		if (e == INPUT_OK)
			e = json_pairs(a, root, &sc, out);
	}
	json_object_put(root); /* every value was copied into the arena */
	if (e != INPUT_OK) {
		out->pairs = NULL;
		out->n = 0;
	}
	return e;
}

/* ----------------------------------------------------------------- cookies */

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 6265 cookie-octet. */
static bool is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	       (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

static bool is_sp(char c) { return c == ' ' || c == '\t'; }

void input_parse_cookies(struct arena *a, const char *header, struct input *out)
{
	out->pairs = NULL;
	out->n = 0;
	if (header == NULL || *header == '\0')
		return;
	size_t slots = 1;
	for (const char *c = header; *c && slots < INPUT_MAX_PAIRS; c++)
		if (*c == ';')
			slots++;
	struct input_pair *pairs = arena_calloc(a, slots, sizeof(*pairs));
	size_t n = 0;
	const char *s = header;
	while (*s && n < slots) {
		size_t plen = strcspn(s, ";");
		const char *b = s, *e = s + plen;
		s = *e ? e + 1 : e;
		while (b < e && is_sp(*b))
			b++;
		while (e > b && is_sp(e[-1]))
			e--;
		const char *eq = memchr(b, '=', (size_t)(e - b));
		if (eq == NULL)
			continue;
		const char *ne = eq;
		while (ne > b && is_sp(ne[-1]))
			ne--;
		const char *vb = eq + 1;
		while (vb < e && is_sp(*vb))
			vb++;
		const char *ve = e;
		if (ne == b)
			continue; /* empty name */
		bool ok = true;
		for (const char *c = b; c < ne && ok; c++)
			ok = is_tchar((unsigned char)*c);
		if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
			vb++;
			ve--;
		}
		for (const char *c = vb; c < ve && ok; c++)
			ok = is_cookie_octet((unsigned char)*c);
		if (!ok)
			continue;
		struct input_pair *p = &pairs[n++];
		p->name = arena_strndup(a, b, (size_t)(ne - b));
		p->value = arena_strndup(a, vb, (size_t)(ve - vb));
		p->len = (size_t)(ve - vb);
		p->kind = IK_STRING;
	}
	out->pairs = pairs;
	out->n = n;
}

/* ------------------------------------------------------------------ lookup */

const struct input_pair *input_find(const struct input *in, const char *name)
{
	if (in == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < in->n; i++)
		if (strcmp(in->pairs[i].name, name) == 0)
			return &in->pairs[i];
	return NULL;
}

const char *input_get(const struct input *in, const char *name)
{
	const struct input_pair *p = input_find(in, name);
	if (p == NULL || p->kind == IK_OTHER || p->kind == IK_NULL)
		return NULL;
	return p->value;
}

/* -------------------------------------------------------------- validators */

/* Refused in names and e-mail addresses: C0, DEL, C1, line/paragraph
 * separators, bidi embeddings/overrides and isolates. */
static bool is_name_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
	       cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Refused in message text: C0 except \t and \n, DEL, C1. */
static bool is_text_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F);
}

/* Spaces and invisible characters: a name or message made only of these is
 * empty; message text is trimmed of them (and \t, \n, \r) at both ends. */
static bool is_blank(uint32_t cp)
{
	switch (cp) {
	case 0x20: case 0xA0: case 0x34F: case 0x115F: case 0x1160:
	case 0x1680: case 0x180E: case 0x202F: case 0x205F: case 0x2060:
	case 0x2800: case 0x3000: case 0x3164: case 0xFEFF: case 0xFFA0:
		return true;
	default:
		return cp >= 0x2000 && cp <= 0x200D;
	}
}

const char *valid_email(const char *s, size_t len)
{
	if (s == NULL || len < 3 || len > 254 || !utf8_valid(s, len))
		return "err.email.format";
	const char *at = memchr(s, '@', len);
	if (at == NULL || memchr(at + 1, '@', len - (size_t)(at - s) - 1) != NULL)
		return "err.email.format";
	size_t local = (size_t)(at - s), domain = len - local - 1;
	if (local == 0 || domain == 0 || s[0] == '.' || at[-1] == '.' ||
	    at[1] == '.' || s[len - 1] == '.')
		return "err.email.format";
	for (size_t i = 0; i < len;) {
		if (i + 1 < len && s[i] == '.' && s[i + 1] == '.')
			return "err.email.format";
		uint32_t cp = utf8_next(s, len, &i);
		if (cp == ' ' || is_name_control(cp) ||
		    (cp < 0x80 && strchr("\"(),:;<>[\\]", (int)cp) != NULL))
			return "err.email.format";
	}
	return NULL;
}

const char *valid_password(const char *s, size_t len)
{
	if (s == NULL && len != 0)
		return "err.encoding";
	if (!utf8_valid(s, len))
		return "err.encoding";
	size_t n = utf8_count(s, len);
	if (n < 8)
		return "err.password.short";
	if (n > 256)
		return "err.password.long";
	return NULL;
}

const char *valid_nickname(const char *s, size_t len)
{
	if (s == NULL || len < 3 || len > 32)
		return "err.nickname.format";
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return "err.nickname.format";
	}
	return NULL;
}

static const char *const reserved_nicknames[] = {
	"admin", "administrator", "messly", "support", "system", "root", "moderator",
	"help", "info", "api", "static", "connect", "me", "null", "staff", "security",
	"official", "team", "settings", "deleted", NULL};

bool nickname_reserved(const char *n)
{
	if (n == NULL)
		return false;
	if (strncmp(n, "deleted_", 8) == 0)
		return true;
	for (int i = 0; reserved_nicknames[i]; i++)
		if (strcmp(n, reserved_nicknames[i]) == 0)
			return true;
	return false;
}

const char *valid_display_name(const char *s, size_t len)
{
	if (len == 0 || s == NULL)
		return "err.name.empty";
	if (!utf8_valid(s, len))
		return "err.encoding";
	bool visible = false;
	size_t n = 0;
	for (size_t i = 0; i < len; n++) {
		uint32_t cp = utf8_next(s, len, &i);
		if (is_name_control(cp))
			return "err.name.control";
		if (!is_blank(cp))
			visible = true;
	}
	if (!visible)
		return "err.name.empty";
	if (n > 64)
		return "err.name.long";
	return NULL;
}

const char *valid_message_text(const char *s, size_t len, size_t max_chars)
{
	if (len == 0 || s == NULL)
		return "err.text.empty";
	if (!utf8_valid(s, len))
		return "err.encoding";
	size_t n = 0, first = 0, last = 0; /* code points up to the last visible */
	bool visible = false;
	for (size_t i = 0; i < len;) {
		uint32_t cp = utf8_next(s, len, &i);
		if (is_text_control(cp))
			return "err.text.control";
		n++;
		if (!is_blank(cp) && cp != '\t' && cp != '\n') {
			if (!visible)
				first = n;
			visible = true;
			last = n;
		}
	}
	if (!visible)
		return "err.text.empty";
	if (last - first + 1 > max_chars)
		return "err.text.long";
	return NULL;
}

#define ABOUT_MAX_CHARS 500

const char *valid_about(const char *s, size_t len)
{
	if (s == NULL || len == 0)
		return NULL;
	if (!utf8_valid(s, len))
		return "err.encoding";
	size_t n = 0;
	for (size_t i = 0; i < len; n++) {
		uint32_t cp = utf8_next(s, len, &i);
		if (is_text_control(cp))
			return "err.text.control";
	}
	return n > ABOUT_MAX_CHARS ? "err.about.long" : NULL;
}

/* ----------------------------------------------------------------- numbers */

bool parse_id(const char *s, int64_t *out)
{
	if (s == NULL || s[0] < '1' || s[0] > '9')
		return false; /* empty, sign, leading zero, 0 */
	uint64_t v = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 16)
			return false; /* 2^53 has 16 digits */
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (UINT64_C(1) << 53))
		return false;
	*out = (int64_t)v;
	return true;
}

bool parse_int_range(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (s == NULL)
		return false;
	bool neg = *s == '-';
	const char *d = neg ? s + 1 : s;
	if (d[0] < '0' || d[0] > '9')
		return false;
	if (d[0] == '0' && (d[1] != '\0' || neg))
		return false; /* leading zero, "-0" */
	/* Accumulate the magnitude; INT64_MIN's is INT64_MAX + 1. */
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t v = 0;
	for (; *d; d++) {
		if (*d < '0' || *d > '9')
			return false;
		unsigned digit = (unsigned)(*d - '0');
		if (v > (limit - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v)
			: (int64_t)v;
	if (r < min || r > max)
		return false;
	*out = r;
	return true;
}

/* ------------------------------------------------------------ group chats */

const char *valid_group_name(const char *s, size_t len)
{
	if (len == 0 || s == NULL)
		return "err.group.name_empty";
	if (!utf8_valid(s, len))
		return "err.encoding";
	bool visible = false;
	size_t n = 0;
	for (size_t i = 0; i < len; n++) {
		uint32_t cp = utf8_next(s, len, &i);
		if (is_name_control(cp))
			return "err.name.control";
		if (!is_blank(cp))
			visible = true;
	}
	if (!visible)
		return "err.group.name_empty";
	if (n > GROUP_NAME_MAX)
		return "err.group.name_long";
	return NULL;
}

const char *valid_group_description(const char *s, size_t len)
{
	if (len == 0 || s == NULL)
		return NULL;
	if (!utf8_valid(s, len))
		return "err.encoding";
	size_t n = 0;
	for (size_t i = 0; i < len; n++) {
		uint32_t cp = utf8_next(s, len, &i);
		if (is_text_control(cp))
			return "err.group.description_control";
	}
	return n > GROUP_DESCRIPTION_MAX ? "err.group.description_long" : NULL;
}

bool valid_client_id(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}
