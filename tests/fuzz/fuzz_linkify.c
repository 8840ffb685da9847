/* fuzz_linkify.c: libFuzzer target for linkify (a profile's about text as
 * HTML), valid_about and the User-Agent helpers. Build: clang
 * -fsanitize=fuzzer,address,undefined -Icgi tests/fuzz/fuzz_linkify.c
 * cgi/linkify.c cgi/useragent.c cgi/input.c cgi/buf.c cgi/arena.c
 * $(pkg-config --cflags --libs json-c)
 * Checks: outside the tags linkify writes, no markup character survives;
 * every link is http(s). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input.h"
#include "linkify.h"
#include "useragent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char OPEN[] = "<a href=\"";
static const char MID[] = "\" rel=\"nofollow noopener noreferrer ugc\" target=\"_blank\">";
static const char CLOSE[] = "</a>";

/* Text between tags: escaped, so none of < > " ' ` can appear. */
static void check_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr("<>\"'`", s[i]) != NULL && s[i] != '\0')
			abort();
}

static void check_html(const char *h)
{
	for (;;) {
		const char *a = strstr(h, OPEN);
		if (a == NULL) {
			check_text(h, strlen(h));
			return;
		}
		check_text(h, (size_t)(a - h));
		const char *href = a + sizeof(OPEN) - 1;
		if (strncasecmp(href, "http://", 7) != 0 && strncasecmp(href, "https://", 8) != 0)
			abort();
		const char *mid = strstr(href, MID);
		if (mid == NULL)
			abort();
		check_text(href, (size_t)(mid - href));
		const char *text = mid + sizeof(MID) - 1;
		const char *close = strstr(text, CLOSE);
		if (close == NULL)
			abort();
		check_text(text, (size_t)(close - text));
		h = close + sizeof(CLOSE) - 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	char *s = arena_strndup(&a, (const char *)data, size);
	(void)valid_about(s, strlen(s));
	check_html(linkify(&a, s));
	const char *ua = ua_clean(&a, s), *browser, *os;
	if (strlen(ua) > UA_MAX)
		abort();
	ua_describe(&a, ua, &browser, &os);
	if (browser == NULL || os == NULL)
		abort();
	arena_free(&a);
	return 0;
}
