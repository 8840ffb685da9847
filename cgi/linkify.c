/* linkify.c: escaped plain text with links (see linkify.h). A link starts
 * with http:// or https:// (any case) not preceded by a letter or digit and
 * runs to the next space, control character, quote or angle bracket;
 * trailing punctuation is not part of it, nor an unbalanced ')'. */
#include "linkify.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool ends_url(unsigned char c)
{
	return c <= ' ' || c == 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' ||
	       c == '`';
}

/* Length of the address at s (0 when s does not start one). */
static size_t url_len(const char *s)
{
	size_t scheme = strncasecmp(s, "https://", 8) == 0 ? 8
			: strncasecmp(s, "http://", 7) == 0 ? 7 : 0;
	if (scheme == 0)
		return 0;
	size_t n = scheme;
	while (s[n] && !ends_url((unsigned char)s[n]))
		n++;
	for (;;) {
		char c = s[n - 1];
		if (n > scheme && strchr(".,;:!?", c)) {
			n--;
			continue;
		}
		if (n > scheme && c == ')') {
			int open = 0, close = 0;
			for (size_t i = scheme; i < n; i++)
				open += s[i] == '(', close += s[i] == ')';
			if (close > open) {
				n--;
				continue;
			}
		}
		break;
	}
	return n > scheme ? n : 0;
}

char *linkify(struct arena *a, const char *text)
{
	struct buf b = BUF_INIT;
	size_t plain = 0, i = 0;
	size_t len = text ? strlen(text) : 0;
	while (i < len) {
		size_t n = (i == 0 || !is_alnum((unsigned char)text[i - 1])) ? url_len(text + i) : 0;
		if (n == 0) {
			i++;
			continue;
		}
		buf_html_escape(&b, text + plain, i - plain);
		buf_puts(&b, "<a href=\"");
		buf_html_escape(&b, text + i, n);
		buf_puts(&b, "\" rel=\"nofollow noopener noreferrer ugc\" target=\"_blank\">");
		buf_html_escape(&b, text + i, n);
		buf_puts(&b, "</a>");
		i += n;
		plain = i;
	}
	buf_html_escape(&b, text ? text + plain : "", len - plain);
	char *out = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return out;
}
