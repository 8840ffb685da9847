/* test_router.c: the route table: paths, ids, methods, /api views. */
#include "router.h"
#include "unit.h"

static enum route_match match(const char *method, const char *path, bool api, int64_t ids[2],
			      const struct route **rt)
{
	ids[0] = ids[1] = 0;
	*rt = NULL;
	return router_match(method, path, api, ids, rt);
}

TEST(static_paths)
{
	int64_t ids[2];
	const struct route *rt;
	CHECK(match("GET", "/login", false, ids, &rt) == ROUTE_FOUND && rt != NULL);
	CHECK(match("POST", "/login", true, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/chats", true, ids, &rt) == ROUTE_FOUND && (rt->flags & R_SESSION));
	CHECK(match("HEAD", "/chats", false, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/nope", false, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/login/", false, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/loginx", false, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "", false, ids, &rt) == ROUTE_NOT_FOUND);
}

TEST(ids)
{
	int64_t ids[2];
	const struct route *rt;
	CHECK(match("GET", "/chats/42", true, ids, &rt) == ROUTE_FOUND && ids[0] == 42);
	CHECK(match("POST", "/chats/7/messages", true, ids, &rt) == ROUTE_FOUND && ids[0] == 7);
	CHECK(match("GET", "/chats/9007199254740992/events", true, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/chats/9007199254740993", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/chats/0", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/chats/-1", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/chats/01", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/chats/abc", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/chats/", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/chats/1/", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/chats/99999999999999999999999", true, ids, &rt) == ROUTE_NOT_FOUND);
}

TEST(methods)
{
	int64_t ids[2];
	const struct route *rt;
	CHECK(match("DELETE", "/chats/1/messages", true, ids, &rt) == ROUTE_BAD_METHOD);
	CHECK(match("DELETE", "/chats/1", true, ids, &rt) == ROUTE_FOUND);
	CHECK(match("DELETE", "/chats/1", false, ids, &rt) == ROUTE_BAD_METHOD); /* HTML: POST .../delete */
	CHECK(match("PATCH", "/chats/1", true, ids, &rt) == ROUTE_FOUND);
	CHECK(match("POST", "/me", true, ids, &rt) == ROUTE_BAD_METHOD);
	CHECK(match("GET", "/chats/1/read", true, ids, &rt) == ROUTE_BAD_METHOD);
	CHECK(match("PUT", "/login", false, ids, &rt) == ROUTE_BAD_METHOD);
	/* PUT routes (issue 6) */
	CHECK(match("PUT", "/chats/3/notifications", true, ids, &rt) == ROUTE_FOUND && ids[0] == 3);
	CHECK(match("POST", "/chats/3/notifications", false, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/chats/3/notifications", true, ids, &rt) == ROUTE_BAD_METHOD);
	CHECK(match("PUT", "/settings/privacy", true, ids, &rt) == ROUTE_FOUND);
}

TEST(words)
{
	int64_t ids[2];
	const struct route *rt;
	CHECK(match("DELETE", "/chats/5/members/ann_1", true, ids, &rt) == ROUTE_FOUND && ids[0] == 5);
	CHECK(match("POST", "/chats/5/members/@Ann/remove", false, ids, &rt) == ROUTE_FOUND);
	CHECK(match("PUT", "/chats/5/members/ann/role", true, ids, &rt) == ROUTE_FOUND);
	/* "*" takes any one segment; the handler validates it */
	CHECK(match("DELETE", "/chats/5/members/a.b", true, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/files/7/report 2024.pdf", false, ids, &rt) == ROUTE_FOUND && ids[0] == 7);
	CHECK(match("GET", "/files/7/a/b.pdf", false, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("DELETE", "/chats/5/members/", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("POST", "/invites/0123abcd/join", true, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/invites/0123abcd", false, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/invites/"
			   "0123456789012345678901234567890123456789012345678901234567890123",
		    false, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/invites/"
			   "01234567890123456789012345678901234567890123456789012345678901234",
		    false, ids, &rt) == ROUTE_FOUND);
	char longseg[300] = "/invites/";
	memset(longseg + 9, 'a', 256);
	longseg[9 + 256] = '\0';
	CHECK(match("GET", longseg, false, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/chats/new", false, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/chats/new", true, ids, &rt) == ROUTE_NOT_FOUND);
}

TEST(views)
{
	int64_t ids[2];
	const struct route *rt;
	/* pages that only exist as HTML */
	CHECK(match("GET", "/login", true, ids, &rt) == ROUTE_BAD_METHOD); /* only POST /api/login */
	CHECK(match("GET", "/connect", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/connect", false, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/", false, ids, &rt) == ROUTE_FOUND);
	CHECK(match("GET", "/", true, ids, &rt) == ROUTE_NOT_FOUND);
	/* the presence hooks are not reachable under /api (nginx keeps the HTML path internal) */
	CHECK(match("GET", "/_presence/sub", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/_presence/unsub", true, ids, &rt) == ROUTE_NOT_FOUND);
	CHECK(match("GET", "/_presence/sub", false, ids, &rt) == ROUTE_FOUND);
}

int main(void)
{
	RUN(static_paths);
	RUN(ids);
	RUN(methods);
	RUN(words);
	RUN(views);
	return unit_summary();
}
