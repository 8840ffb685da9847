/* log.h: logging to stderr with the process id. User text is escaped and
 * truncated (log_safe) so a request cannot forge log lines. */
#ifndef MESSLY_LOG_H
#define MESSLY_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One structured line per request: method, route pattern (never the raw
 * path, so no user text), status and time. */
void log_request(const char *method, const char *route, int status, double ms);
/* Escape control bytes, cut at 200 bytes; returns a static per-call slot
 * (valid until the 4th next call). For logging only. */
const char *log_safe(const char *s);

#endif
