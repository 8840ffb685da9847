/* groups.c: the permission rules of group chats (see groups.h).
 * Owner: everything. Admin: rename, add, remove plain members, invite
 * links. Member: read, write, view the info page, leave. */
#include "groups.h"

#include <string.h>

enum group_role group_role_parse(const char *s)
{
	if (s == NULL)
		return ROLE_NONE;
	if (strcmp(s, "owner") == 0)
		return ROLE_OWNER;
	if (strcmp(s, "admin") == 0)
		return ROLE_ADMIN;
	if (strcmp(s, "member") == 0)
		return ROLE_MEMBER;
	return ROLE_NONE;
}

const char *group_role_name(enum group_role role)
{
	switch (role) {
	case ROLE_OWNER: return "owner";
	case ROLE_ADMIN: return "admin";
	case ROLE_MEMBER: return "member";
	default: return NULL;
	}
}

/* The lowest role that may do each action. */
static const enum group_role needed[GA__MAX] = {
	[GA_VIEW] = ROLE_MEMBER,
	[GA_RENAME] = ROLE_ADMIN,
	[GA_DESCRIBE] = ROLE_OWNER,
	[GA_ADD] = ROLE_ADMIN,
	[GA_REMOVE] = ROLE_ADMIN,
	[GA_SET_ROLE] = ROLE_OWNER,
	[GA_TRANSFER] = ROLE_OWNER,
	[GA_LEAVE] = ROLE_MEMBER,
	[GA_DELETE] = ROLE_OWNER,
	[GA_INVITE] = ROLE_ADMIN,
};

int group_may(enum group_action a, enum group_role me)
{
	if (me == ROLE_NONE)
		return 404;
	if ((int)a < 0 || a >= GA__MAX)
		return 403;
	return me >= needed[a] ? 0 : 403;
}

int group_may_target(enum group_action a, enum group_role me, enum group_role target)
{
	if (group_may(a, me) != 0 || target == ROLE_NONE || target == ROLE_OWNER)
		return 403;
	switch (a) {
	case GA_REMOVE:
		/* admins remove plain members only; the owner anyone else */
		return me == ROLE_OWNER || target == ROLE_MEMBER ? 0 : 403;
	case GA_SET_ROLE:
	case GA_TRANSFER:
		return me == ROLE_OWNER ? 0 : 403;
	default:
		return 403;
	}
}
