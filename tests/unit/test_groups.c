/* test_groups.c: the permission table of group chats (cgi/groups.c). */
#include "groups.h"
#include "unit.h"

TEST(roles)
{
	CHECK(group_role_parse("owner") == ROLE_OWNER);
	CHECK(group_role_parse("admin") == ROLE_ADMIN);
	CHECK(group_role_parse("member") == ROLE_MEMBER);
	CHECK(group_role_parse(NULL) == ROLE_NONE);
	CHECK(group_role_parse("Owner") == ROLE_NONE);
	CHECK(group_role_parse("") == ROLE_NONE);
	CHECK_STR(group_role_name(ROLE_ADMIN), "admin");
	CHECK(group_role_name(ROLE_NONE) == NULL);
}

/* Expected answers per action for owner, admin, member, non-member. */
TEST(actions)
{
	static const struct {
		enum group_action a;
		int want[4];
	} table[] = {
		{GA_VIEW, {0, 0, 0, 404}},
		{GA_RENAME, {0, 0, 403, 404}},
		{GA_DESCRIBE, {0, 403, 403, 404}},
		{GA_ADD, {0, 0, 403, 404}},
		{GA_REMOVE, {0, 0, 403, 404}},
		{GA_SET_ROLE, {0, 403, 403, 404}},
		{GA_TRANSFER, {0, 403, 403, 404}},
		{GA_LEAVE, {0, 0, 0, 404}},
		{GA_DELETE, {0, 403, 403, 404}},
		{GA_INVITE, {0, 0, 403, 404}},
	};
	const enum group_role who[4] = {ROLE_OWNER, ROLE_ADMIN, ROLE_MEMBER, ROLE_NONE};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		for (int j = 0; j < 4; j++)
			CHECK(group_may(table[i].a, who[j]) == table[i].want[j]);
	CHECK(group_may(GA__MAX, ROLE_OWNER) == 403);
}

TEST(targets)
{
	/* the owner removes admins and members, never the owner */
	CHECK(group_may_target(GA_REMOVE, ROLE_OWNER, ROLE_ADMIN) == 0);
	CHECK(group_may_target(GA_REMOVE, ROLE_OWNER, ROLE_MEMBER) == 0);
	CHECK(group_may_target(GA_REMOVE, ROLE_OWNER, ROLE_OWNER) == 403);
	/* admins remove plain members only */
	CHECK(group_may_target(GA_REMOVE, ROLE_ADMIN, ROLE_MEMBER) == 0);
	CHECK(group_may_target(GA_REMOVE, ROLE_ADMIN, ROLE_ADMIN) == 403);
	CHECK(group_may_target(GA_REMOVE, ROLE_ADMIN, ROLE_OWNER) == 403);
	CHECK(group_may_target(GA_REMOVE, ROLE_MEMBER, ROLE_MEMBER) == 403);
	CHECK(group_may_target(GA_REMOVE, ROLE_OWNER, ROLE_NONE) == 403);
	/* roles and ownership: the owner only */
	CHECK(group_may_target(GA_SET_ROLE, ROLE_OWNER, ROLE_MEMBER) == 0);
	CHECK(group_may_target(GA_SET_ROLE, ROLE_OWNER, ROLE_ADMIN) == 0);
	CHECK(group_may_target(GA_SET_ROLE, ROLE_ADMIN, ROLE_MEMBER) == 403);
	CHECK(group_may_target(GA_TRANSFER, ROLE_OWNER, ROLE_MEMBER) == 0);
	CHECK(group_may_target(GA_TRANSFER, ROLE_OWNER, ROLE_ADMIN) == 0);
	CHECK(group_may_target(GA_TRANSFER, ROLE_ADMIN, ROLE_MEMBER) == 403);
	/* not a target action */
	CHECK(group_may_target(GA_RENAME, ROLE_OWNER, ROLE_MEMBER) == 403);
}

int main(void)
{
	RUN(roles);
	RUN(actions);
	RUN(targets);
	return unit_summary();
}
