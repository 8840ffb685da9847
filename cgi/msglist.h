/* msglist.h: how a chat page's message list reads: messages grouped by
 * sender and minute, and a date separator before each new day. */
#ifndef MESSLY_MSGLIST_H
#define MESSLY_MSGLIST_H

#include <json-c/json.h>
#include <stdbool.h>
#include <time.h>

#include "template.h"

/* A message continues the one before it (no name shown again) when both
 * are by the same sender, neither is a service message, they fall on the
 * same day and at most this many seconds apart. */
#define MSGLIST_GROUP_SECONDS 300

/* One pass over messages (oldest first, message objects as the chat page
 * renders them): sets "grouped" (true) on a message continuing the one
 * before it, and "day_sep": {day: "YYYY-MM-DD", label} on the first message
 * of each day (UTC), labelled "Today", "Yesterday" (relative to now) or a
 * date in lang's words. No allocation beyond the json objects it adds. */
void msglist_decorate(const struct templates *t, const char *lang,
		      struct json_object *messages, time_t now);

/* "2026-11-28T10:20:35.123Z" -> seconds since the epoch; false when it is
 * not such a time. */
bool msglist_parse_time(const char *iso, long long *out);

/* The label of a day (y, m 1..12, d) seen on day today (days since the
 * epoch), written into out (size bytes). */
void msglist_day_label(const struct templates *t, const char *lang, int y, int m, int d,
		       long long today, char *out, size_t size);

#endif
