/* search.c: query words, safe snippets and dates for search (see search.h). */
#include "search.h"

#include <string.h>

#include "buf.h"

static bool word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* Length of the word starting at p, cut to SEARCH_WORD_MAX bytes at a
 * character boundary; *full gets the uncut length. */
static size_t word_len(const char *p, size_t *full)
{
	size_t n = 0;
	while (p[n] && word_byte((unsigned char)p[n]))
		n++;
	*full = n;
	if (n > SEARCH_WORD_MAX) {
		n = SEARCH_WORD_MAX;
		while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
			n--;
	}
	return n;
}

static size_t char_count(const char *p, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)p[i] & 0xC0) != 0x80;
	return c;
}

const char *search_words(struct arena *a, const char *q, int *n, bool *last_prefix)
{
	struct buf out = BUF_INIT;
	buf_putc(&out, '{');
	*n = 0;
	*last_prefix = false;
	for (const char *p = q; *p && *n < SEARCH_WORDS_MAX;) {
		if (!word_byte((unsigned char)*p)) {
			p++;
			continue;
		}
		size_t full, len = word_len(p, &full);
		if (len > 0) {
			buf_puts(&out, *n ? ",\"" : "\"");
			buf_append(&out, p, len); /* letters and digits only: no quoting needed */
			buf_putc(&out, '"');
			*last_prefix = char_count(p, len) >= 3;
			(*n)++;
		}
		p += full;
	}
	buf_putc(&out, '}');
	char *s = arena_strdup(a, out.data);
	buf_free(&out);
	return s;
}

char *search_snippet_html(struct arena *a, const char *raw)
{
	struct buf out = BUF_INIT;
	bool open = false;
	const char *run = raw;
	for (const char *p = raw;; p++) {
		if (*p != SNIPPET_START && *p != SNIPPET_STOP && *p != '\0')
			continue;
		buf_html_escape(&out, run, (size_t)(p - run));
		if (*p == SNIPPET_START && !open) {
			buf_puts(&out, "<mark>");
			open = true;
		} else if (*p == SNIPPET_STOP && open) {
			buf_puts(&out, "</mark>");
			open = false;
		}
		if (*p == '\0')
			break;
		run = p + 1;
	}
	if (open)
		buf_puts(&out, "</mark>");
	char *s = arena_strdup(a, out.data ? out.data : "");
	buf_free(&out);
	return s;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool search_date_ok(const char *s)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap);
}
