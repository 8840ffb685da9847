/* groups.h: who may do what in a group chat. The rules live here, once:
 * the handlers enforce them (and pass the roles they saw to the SQL, which
 * re-checks them under the same statement), the info page shows only the
 * actions they allow, and tests/unit/test_groups.c pins them down. */
#ifndef MESSLY_GROUPS_H
#define MESSLY_GROUPS_H

#include <stdbool.h>

enum group_role { ROLE_NONE, ROLE_MEMBER, ROLE_ADMIN, ROLE_OWNER };

enum group_action {
	GA_VIEW,     /* read, write, see the info page */
	GA_RENAME,   /* change the name */
	GA_DESCRIBE, /* change the description */
	GA_ADD,      /* add a member */
	GA_REMOVE,   /* remove a member (target rules below) */
	GA_SET_ROLE, /* promote to admin, demote to member */
	GA_TRANSFER, /* hand the ownership to another member */
	GA_LEAVE,    /* leave the group */
	GA_DELETE,   /* delete the group */
	GA_INVITE,   /* create, list and revoke invite links */
	GA__MAX
};

/* "owner" | "admin" | "member" -> role; anything else (NULL too) -> ROLE_NONE. */
enum group_role group_role_parse(const char *s);
const char *group_role_name(enum group_role role); /* NULL for ROLE_NONE */

/* May a viewer with this role do the action at all? 0 when allowed,
 * 404 for a non-member (the group's existence is not revealed), 403 for
 * a member whose role lacks the right. */
int group_may(enum group_action a, enum group_role me);

/* For actions on another member (GA_REMOVE, GA_SET_ROLE, GA_TRANSFER):
 * 0 when a viewer with role `me` may act on a member with role `target`,
 * else 403. Acting on oneself is the caller's concern (leave instead). */
int group_may_target(enum group_action a, enum group_role me, enum group_role target);

#endif
