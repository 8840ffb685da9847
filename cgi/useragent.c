/* useragent.c: User-Agent cleaning and device descriptions (see
 * useragent.h). The order of the tables matters: Edge and Opera say
 * "Chrome", Chrome says "Safari", Android says "Linux". */
#include "useragent.h"

#include <string.h>

struct ua_rule {
	const char *token, *name;
};

static const struct ua_rule browsers[] = {
	{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"YaBrowser/", "Yandex Browser"},
	{"SamsungBrowser/", "Samsung Internet"}, {"Firefox/", "Firefox"},
	{"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"}, {"Chromium/", "Chromium"},
	{"HeadlessChrome/", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	{NULL, NULL}};

static const struct ua_rule systems[] = {
	{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"},
	{"CrOS", "ChromeOS"}, {"Windows", "Windows"}, {"Mac OS X", "macOS"},
	{"Macintosh", "macOS"}, {"Linux", "Linux"}, {"X11", "Unix"}, {NULL, NULL}};

char *ua_clean(struct arena *a, const char *ua)
{
	if (ua == NULL)
		return arena_strdup(a, "");
	size_t n = strlen(ua);
	if (n > UA_MAX)
		n = UA_MAX;
	char *out = arena_strndup(a, ua, n);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7E)
			out[i] = '?';
	return out;
}

static const char *find(const struct ua_rule *rules, const char *ua)
{
	for (int i = 0; rules[i].token; i++)
		if (strstr(ua, rules[i].token))
			return rules[i].name;
	return NULL;
}

void ua_describe(struct arena *a, const char *ua, const char **browser, const char **os)
{
	*browser = *os = "";
	if (ua == NULL || *ua == '\0')
		return;
	const char *b = find(browsers, ua), *s = find(systems, ua);
	*os = s ? s : "";
	if (b) {
		*browser = b;
	} else if (strncmp(ua, "Mozilla/", 8) != 0) {
		/* e.g. "curl/8.1.2", "node" */
		size_t n = strcspn(ua, "/ (;");
		*browser = arena_strndup(a, ua, n > 40 ? 40 : n);
	}
}
