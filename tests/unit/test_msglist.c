/* test_msglist.c: grouping by sender and minute, and date separators
 * (msglist_decorate()) in both languages. */
#include <stdio.h>
#include <string.h>

#include "msglist.h"
#include "template.h"
#include "unit.h"

static struct json_object *msg(long long sender, const char *at, const char *kind)
{
	struct json_object *m = json_object_new_object(), *s = json_object_new_object();
	json_object_object_add(s, "id", json_object_new_int64(sender));
	json_object_object_add(m, "sender", s);
	json_object_object_add(m, "created_at", json_object_new_string(at));
	json_object_object_add(m, "kind", json_object_new_string(kind));
	return m;
}

static bool grouped(struct json_object *list, size_t i)
{
	struct json_object *v;
	return json_object_object_get_ex(json_object_array_get_idx(list, i), "grouped", &v) &&
	       json_object_get_boolean(v);
}

static const char *sep(struct json_object *list, size_t i)
{
	struct json_object *s, *l;
	if (!json_object_object_get_ex(json_object_array_get_idx(list, i), "day_sep", &s) ||
	    !json_object_object_get_ex(s, "label", &l))
		return NULL;
	return json_object_get_string(l);
}

TEST(parse_time)
{
	long long t;
	CHECK(msglist_parse_time("1970-01-02T00:00:01.000Z", &t) && t == 86401);
	CHECK(msglist_parse_time("2026-11-28T10:20:35.123Z", &t) && t == 1795861235);
	CHECK(!msglist_parse_time("2026-13-28T10:20:35Z", &t));
	CHECK(!msglist_parse_time("yesterday", &t));
	CHECK(!msglist_parse_time(NULL, &t));
}

TEST(groups_and_days)
{
	char err[512] = "";
	struct templates *t = templates_load("templates", err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL)
		return;
	long long now;
	CHECK(msglist_parse_time("2026-11-28T12:00:00.000Z", &now));
	struct json_object *l = json_object_new_array();
	json_object_array_add(l, msg(1, "2025-03-02T09:00:00.000Z", "text"));   /* 0 new day */
	json_object_array_add(l, msg(1, "2026-11-26T23:58:00.000Z", "text"));   /* 1 new day */
	json_object_array_add(l, msg(1, "2026-11-27T00:01:00.000Z", "text"));   /* 2 yesterday */
	json_object_array_add(l, msg(1, "2026-11-27T00:05:00.000Z", "text"));   /* 3 grouped */
	json_object_array_add(l, msg(2, "2026-11-27T00:06:00.000Z", "text"));   /* 4 other */
	json_object_array_add(l, msg(2, "2026-11-27T00:20:00.000Z", "text"));   /* 5 too late */
	json_object_array_add(l, msg(2, "2026-11-27T00:21:00.000Z", "service"));/* 6 service */
	json_object_array_add(l, msg(2, "2026-11-27T00:22:00.000Z", "text"));   /* 7 after svc */
	json_object_array_add(l, msg(2, "2026-11-28T00:00:00.000Z", "text"));   /* 8 today */
	json_object_array_add(l, msg(2, "2026-11-28T00:04:59.000Z", "file"));   /* 9 grouped */
	msglist_decorate(t, "en", l, (time_t)now);
	const bool want[] = {false, false, false, true, false, false, false, false, false, true};
	for (size_t i = 0; i < 10; i++) {
		if (grouped(l, i) != want[i])
			printf("  message %zu grouped: %d\n", i, grouped(l, i));
		CHECK(grouped(l, i) == want[i]);
	}
	CHECK_STR(sep(l, 0), "March 2, 2025");
	CHECK_STR(sep(l, 1), "November 26");
	CHECK_STR(sep(l, 2), "Yesterday");
	CHECK(sep(l, 3) == NULL && sep(l, 7) == NULL && sep(l, 9) == NULL);
	CHECK_STR(sep(l, 8), "Today");
	json_object_put(l);
	l = json_object_new_array();
	json_object_array_add(l, msg(1, "2025-03-02T09:00:00.000Z", "text"));
	json_object_array_add(l, msg(1, "2026-11-26T10:00:00.000Z", "text"));
	json_object_array_add(l, msg(1, "2026-11-27T10:00:00.000Z", "text"));
	json_object_array_add(l, msg(1, "2026-11-28T10:00:00.000Z", "text"));
	msglist_decorate(t, "ru", l, (time_t)now);
	CHECK_STR(sep(l, 0), "2 марта 2025 г.");
	CHECK_STR(sep(l, 1), "26 ноября");
	CHECK_STR(sep(l, 2), "Вчера");
	CHECK_STR(sep(l, 3), "Сегодня");
	json_object_put(l);
	/* the unread divider breaks a group; a bad time groups nothing */
	l = json_object_new_array();
	json_object_array_add(l, msg(1, "2026-11-28T10:00:00.000Z", "text"));
	struct json_object *u = msg(1, "2026-11-28T10:01:00.000Z", "text");
	json_object_object_add(u, "unread_first", json_object_new_boolean(1));
	json_object_array_add(l, u);
	json_object_array_add(l, msg(1, "garbage", "text"));
	json_object_array_add(l, msg(1, "2026-11-28T10:02:00.000Z", "text"));
	msglist_decorate(t, "en", l, (time_t)now);
	CHECK(!grouped(l, 1) && !grouped(l, 2) && !grouped(l, 3));
	json_object_put(l);
	templates_free(t);
}

int main(void)
{
	RUN(parse_time);
	RUN(groups_and_days);
	return unit_summary();
}
