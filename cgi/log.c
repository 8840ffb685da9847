/* log.c: timestamped log lines on stderr (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void log_line(const char *level, const char *fmt, va_list ap)
{
	char msg[1024], when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	fprintf(stderr, "%s messly[%d] %s: %s\n", when, (int)getpid(), level, msg);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}

const char *log_safe(const char *s)
{
	static char slots[4][256];
	static int next;
	char *out = slots[next];
	next = (next + 1) % 4;
	size_t o = 0;
	for (size_t i = 0; s && s[i] && o < 200; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\\') {
			o += (size_t)snprintf(out + o, 256 - o, "\\x%02x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

void log_request(const char *method, const char *route, int status, double ms)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s messly[%d] request method=%s route=%s status=%d ms=%.3f\n", when,
		(int)getpid(), method, route, status, ms);
}
