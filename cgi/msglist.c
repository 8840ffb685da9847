/* msglist.c: grouping and date separators of a chat page's message list
 * (see msglist.h), computed in the one pass that follows loading the page;
 * static/chatux.js applies the same rules in the reader's time zone. */
#include "msglist.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "view.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long days_from_civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS" at the start of iso. */
static bool parse_parts(const char *iso, int p[6])
{
	static const int at[6] = {0, 5, 8, 11, 14, 17}, len[6] = {4, 2, 2, 2, 2, 2};
	if (iso == NULL || strlen(iso) < 19 || iso[4] != '-' || iso[7] != '-' ||
	    iso[10] != 'T' || iso[13] != ':' || iso[16] != ':')
		return false;
	for (int i = 0; i < 6; i++)
		if (!digits(iso + at[i], len[i], &p[i]))
			return false;
	return p[1] >= 1 && p[1] <= 12 && p[2] >= 1 && p[2] <= 31;
}

bool msglist_parse_time(const char *iso, long long *out)
{
	int p[6];
	if (!parse_parts(iso, p))
		return false;
	*out = days_from_civil(p[0], p[1], p[2]) * 86400 + p[3] * 3600 + p[4] * 60 + p[5];
	return true;
}

/* Replace {day}, {month} and {year} in pattern. */
static void fill_date(struct buf *b, const char *pattern, int d, const char *month, int y)
{
	for (const char *p = pattern; *p;) {
		if (strncmp(p, "{day}", 5) == 0) {
			buf_printf(b, "%d", d);
			p += 5;
		} else if (strncmp(p, "{month}", 7) == 0) {
			buf_puts(b, month);
			p += 7;
		} else if (strncmp(p, "{year}", 6) == 0) {
			buf_printf(b, "%d", y);
			p += 6;
		} else {
			buf_putc(b, *p++);
		}
	}
}

void msglist_day_label(const struct templates *t, const char *lang, int y, int m, int d,
		       long long today, char *out, size_t size)
{
	long long day = days_from_civil(y, m, d);
	const char *fixed = day == today ? "day.today" : day == today - 1 ? "day.yesterday" : NULL;
	if (fixed) {
		snprintf(out, size, "%s", i18n_get(t, lang, fixed));
		return;
	}
	char mkey[16];
	snprintf(mkey, sizeof(mkey), "day.month.%d", m);
	/* this year's dates without the year, as the script's Intl format */
	long long ty = 1970 + today / 366;
	while (days_from_civil(ty + 1, 1, 1) <= today)
		ty++;
	while (days_from_civil(ty, 1, 1) > today)
		ty--;
	struct buf b = BUF_INIT;
	fill_date(&b, i18n_get(t, lang, y == ty ? "day.date" : "day.date_year"), d,
		  i18n_get(t, lang, mkey), y);
	snprintf(out, size, "%s", b.data ? b.data : "");
	buf_free(&b);
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static long long sender_of(struct json_object *msg)
{
	struct json_object *s, *id;
	if (!json_object_object_get_ex(msg, "sender", &s) || s == NULL ||
	    !json_object_object_get_ex(s, "id", &id))
		return 0;
	return json_object_get_int64(id);
}

static bool flag(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

void msglist_decorate(const struct templates *t, const char *lang,
		      struct json_object *messages, time_t now)
{
	long long today = (long long)now / 86400, prev_day = -1, prev_at = 0, prev_sender = 0;
	bool prev_groupable = false;
	size_t n = json_object_array_length(messages);
	for (size_t i = 0; i < n; i++) {
		struct json_object *msg = json_object_array_get_idx(messages, i);
		int p[6];
		if (!parse_parts(str_of(msg, "created_at"), p)) {
			prev_groupable = false;
			continue;
		}
		long long day = days_from_civil(p[0], p[1], p[2]);
		long long at = day * 86400 + p[3] * 3600 + p[4] * 60 + p[5];
		long long sender = sender_of(msg);
		const char *kind = str_of(msg, "kind");
		bool groupable = sender != 0 && !(kind && strcmp(kind, "service") == 0) &&
				 !flag(msg, "collapsed");
		if (day != prev_day) {
			char label[128], iso[11];
			msglist_day_label(t, lang, p[0], p[1], p[2], today, label, sizeof(label));
			snprintf(iso, sizeof(iso), "%04d-%02d-%02d", p[0], p[1], p[2]);
			struct json_object *sep = json_object_new_object();
			jset_str(sep, "day", iso);
			jset_str(sep, "label", label);
			jset(msg, "day_sep", sep);
		} else if (groupable && prev_groupable && sender == prev_sender &&
			   at - prev_at <= MSGLIST_GROUP_SECONDS && at >= prev_at &&
			   !flag(msg, "unread_first")) {
			jset_bool(msg, "grouped", 1);
		}
		prev_day = day;
		prev_at = at;
		prev_sender = sender;
		prev_groupable = groupable;
	}
}
