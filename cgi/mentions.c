/* mentions.c: @nickname tokens, their marker in stored HTML and the
 * read-time link to the current nickname (see mentions.h). */
#include "mentions.h"

#include <ctype.h>
#include <string.h>

#define NICK_MIN 3
#define NICK_MAX 32

static bool word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

size_t mention_token(const char *s, size_t len, size_t i)
{
	if (i >= len || s[i] != '@' || (i > 0 && word_char((unsigned char)s[i - 1])))
		return 0;
	size_t j = i + 1;
	while (j < len && word_char((unsigned char)s[j]) && j - i - 1 <= NICK_MAX)
		j++;
	size_t n = j - i - 1;
	if (n < NICK_MIN || n > NICK_MAX)
		return 0;
	return j - i;
}

const char *mentions_add(struct mentions *m, struct arena *a, const char *tok, size_t len)
{
	if (len < 2)
		return NULL;
	char *nick = arena_strndup(a, tok + 1, len - 1);
	for (char *p = nick; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->nick[i], nick) == 0)
			return m->nick[i];
	if (m->n == MENTIONS_MAX)
		return NULL;
	m->nick[m->n++] = nick;
	return nick;
}

const char *mentions_param(struct arena *a, const struct mentions *m)
{
	if (m == NULL || m->n == 0)
		return NULL;
	struct buf b = BUF_INIT;
	buf_putc(&b, '{');
	for (size_t i = 0; i < m->n; i++) { /* word characters only: no quoting */
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, m->nick[i]);
	}
	buf_putc(&b, '}');
	char *out = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return out;
}

static const char *find_user(const struct mention_user *users, size_t n, const char *w, size_t wlen)
{
	for (size_t i = 0; i < n; i++)
		if (users[i].written && users[i].nickname && strlen(users[i].written) == wlen &&
		    strncmp(users[i].written, w, wlen) == 0)
			return users[i].nickname;
	return NULL;
}

/* One marker at p (past MENTION_OPEN): written nick, then "\">", the token
 * text, MENTION_CLOSE. Returns the end, or NULL when it is not one. */
static const char *marker(const char *p, const char **w, size_t *wlen, const char **text,
			  size_t *tlen)
{
	const char *q = strchr(p, '"');
	if (q == NULL || q[1] != '>')
		return NULL;
	*w = p;
	*wlen = (size_t)(q - p);
	*text = q + 2;
	const char *end = strstr(*text, MENTION_CLOSE);
	if (end == NULL)
		return NULL;
	*tlen = (size_t)(end - *text);
	return end + sizeof(MENTION_CLOSE) - 1;
}

void mentions_rewrite(struct buf *out, const char *html, const struct mention_user *users,
		      size_t n)
{
	const char *p = html ? html : "";
	for (;;) {
		const char *hit = strstr(p, MENTION_OPEN);
		const char *w, *text, *end = NULL;
		size_t wlen = 0, tlen = 0;
		if (hit)
			end = marker(hit + sizeof(MENTION_OPEN) - 1, &w, &wlen, &text, &tlen);
		if (end == NULL) {
			buf_puts(out, p);
			return;
		}
		buf_append(out, p, (size_t)(hit - p));
		const char *nick = find_user(users, n, w, wlen);
		if (nick) {
			buf_puts(out, "<a class=\"mention\" href=\"/u/");
			buf_url_encode(out, nick, strlen(nick));
			buf_puts(out, "\">@");
			buf_html_escape(out, nick, strlen(nick));
			buf_puts(out, "</a>");
		} else {
			buf_append(out, text, tlen); /* already escaped by cmark */
		}
		p = end;
	}
}
