/* db.h: the database layer. Every SQL statement Messly runs is listed here
 * (enum stmt), prepared once per connection, and run with parameters only.
 * Results belong to the request's arena (PQclear runs at its reset). */
#ifndef MESSLY_DB_H
#define MESSLY_DB_H

#include <libpq-fe.h>

#include "app.h"

enum stmt {
	STMT_SESSION_USER,    /* token hash -> user */
	STMT_SESSION_CREATE,  /* new session row */
	STMT_SESSION_DELETE,  /* logout */
	STMT_LOGIN_LOOKUP,    /* email or nickname -> user + password hash + limit */
	STMT_REGISTER,        /* user + welcome chat + welcome message + session */
	STMT_USERS_SEARCH,    /* nickname prefix search */
	STMT_SET_LANG,        /* user's language */
	STMT_CHATS_LIST,      /* the user's chats with last message */
	STMT_CHAT_GET,        /* one chat, membership checked */
	STMT_DIRECT_OPEN,     /* find or create a direct chat */
	STMT_MESSAGES_BEFORE, /* a page of history, membership checked */
	STMT_EVENTS_AFTER,    /* catch-up after a seq, membership checked */
	STMT_SEND,            /* session + send budget + bump seq + insert + idempotency + fan-out list */
	STMT_READ,            /* move the read position forward, unread left, fan-out list */
	/* group chats (h_groups.c) */
	STMT_GROUP_CREATE,    /* chat + owner + members + "created" message */
	STMT_GROUP_INFO,      /* name, description, viewer's role, members with roles */
	STMT_GROUP_ROLES,     /* viewer's role and a target user's (by nickname) */
	STMT_GROUP_EDIT,      /* rename / describe: up to two service messages */
	STMT_GROUP_ADD,       /* add a member + "added" */
	STMT_GROUP_REMOVE,    /* remove a member + "removed" */
	STMT_GROUP_SET_ROLE,  /* promote / demote + service message */
	STMT_GROUP_TRANSFER,  /* owner -> admin, target -> owner + "owner" */
	STMT_GROUP_LEAVE,     /* leave (an owner hands over) + "left" */
	STMT_GROUP_DELETE,    /* delete the group, return who was in it */
	STMT_INVITE_CREATE,   /* new invite link */
	STMT_INVITES_LIST,    /* a group's links that are not revoked */
	STMT_INVITE_REVOKE,   /* revoke a link, viewer's role checked */
	STMT_INVITE_GET,      /* a link's group and state, for the join page */
	STMT_INVITE_JOIN,     /* count a use + add the member + "joined" */
	/* profiles, settings, blocking (h_profile.c, h_security.c, h_blocks.c, h_export.c) */
	STMT_USER_PROFILE,    /* a user's public profile by nickname */
	STMT_ME_UPDATE,       /* name, about, nickname, preferences (NULL: unchanged) */
	STMT_ME_SECRET,       /* the password hash, to check the current password */
	STMT_PASSWORD_SET,    /* new hash + end every other session (their hashes) */
	STMT_EMAIL_SET,       /* new email (password hash unchanged meanwhile) */
	STMT_SESSIONS_LIST,   /* the user's live sessions */
	STMT_SESSION_END,     /* end one session by id (its hash) */
	STMT_SESSIONS_END_OTHERS, /* end all but the current session (their hashes) */
	STMT_BLOCK,           /* block a user by nickname */
	STMT_UNBLOCK,         /* unblock a user by nickname */
	STMT_BLOCKS_LIST,     /* the users I blocked */
	STMT_BLOCK_STATE,     /* a direct chat's peer and the blocks between us */
	STMT_EXPORT_CHATS,    /* every chat of the user */
	STMT_EXPORT_MESSAGES, /* a page of one chat's messages, membership checked */
	STMT_ACCOUNT_DELETE,  /* anonymise the user, drop sessions and blocks */
	/* deploy: maintenance */
	STMT_SESSIONS_PURGE,  /* delete expired sessions (messly maintenance) */
	/* limits (cgi/ratelimit.c) */
	STMT_AUTH_FAILED,     /* record a failed login (account + address) */
	STMT_AUTH_TAKE,       /* take one attempt from an address's hourly budget */
	/* files and avatars (h_files.c, h_avatars.c) */
	STMT_MEMBER,          /* is the user a member of the chat */
	STMT_SEND_FILES,      /* STMT_SEND for a file message + its file rows */
	STMT_FILE_GET,        /* one file, membership checked */
	STMT_FILES_LIST,      /* a chat's files, newest first, membership checked */
	STMT_AVATAR_SET_USER, /* new avatar row for the user + who shares a chat */
	STMT_AVATAR_CLEAR_USER, /* the user has no avatar + who shares a chat */
	STMT_AVATAR_SET_CHAT, /* new group picture, owners only + members */
	STMT_AVATAR_GET,      /* an avatar the viewer may see */
	/* read state, typing, presence, notifications, search (h_readstate.c,
	 * presence.c, h_search.c) */
	STMT_RECEIPTS,        /* the other members' read positions, receipts allowing */
	STMT_READERS,         /* who has read a message, membership checked */
	STMT_OTHER_MEMBERS,   /* the other members of a chat, membership checked */
	STMT_NOTIFY_SET,      /* a member's notification level */
	STMT_SETTINGS_GET,    /* read receipts and presence privacy */
	STMT_SETTINGS_SET,
	STMT_PRESENCE_SUB,    /* nchan subscribe hook: one more connection */
	STMT_PRESENCE_UNSUB,  /* nchan unsubscribe hook: one connection less */
	STMT_PRESENCE_PING,   /* heartbeat of a connected client */
	STMT_PRESENCE_GET,    /* {online, last_seen} of users as privacy allows */
	STMT_MESSAGES_AROUND, /* a page of history around a seq, membership checked */
	STMT_SEARCH,          /* full-text search in the viewer's chats */
	/* operations (h_ops.c) */
	STMT_HEALTH,          /* the database answers */
	STMT_AVATARS_PURGE,   /* avatar rows nobody uses any more (maintenance) */
	STMT_BLOBS_UNUSED,    /* which of these blob hashes nothing refers to */
	/* admin panel (h_admin.c, admin_cli.c) */
	STMT_ADMIN_CLI_ROLE,      /* messly admin promote|demote NICKNAME, audited */
	STMT_ADMIN_DASHBOARD,     /* one row of figures */
	STMT_ADMIN_ACTIVITY,      /* 30 days: messages and active users per day */
	STMT_ADMIN_USERS,         /* search, filter, sort, page (with the total) */
	STMT_ADMIN_USER,          /* one user's details */
	STMT_ADMIN_USER_SESSIONS, /* that user's sessions */
	STMT_ADMIN_DEACTIVATE,    /* + sessions ended, audited */
	STMT_ADMIN_REACTIVATE,
	STMT_ADMIN_ROLE,          /* promote / demote, audited */
	STMT_ADMIN_SESSIONS_END,  /* every session of a user, audited */
	STMT_ADMIN_PASSWORD,      /* a new password, sessions ended, audited */
	STMT_ADMIN_DELETE,        /* account deletion by an admin, audited */
	STMT_ADMIN_AUDIT,         /* the audit log, filtered, paged */
	STMT_ADMIN_CHATS,         /* search, filter, page (with the total) */
	STMT_ADMIN_CHAT,          /* one chat's facts, no message content */
	STMT_ADMIN_CHAT_MEMBERS,  /* its members and roles */
	STMT_ADMIN_CHAT_RENAME,   /* + service message, audited */
	STMT_ADMIN_CHAT_REMOVE,   /* a member out + service message, audited */
	STMT_ADMIN_CHAT_TRANSFER, /* a new owner + service message, audited */
	STMT_ADMIN_CHAT_DELETE,   /* the chat and everything in it, audited */
	STMT_SERVER_SETTINGS,     /* the panel's settings, key/value rows */
	STMT_REGISTER_GATE,       /* open?, welcome text, consumes a sign-up link */
	STMT_SIGNUP_INVITE_DONE,  /* the link's user, or the link back after a failure */
	STMT_UPLOAD_CAP,          /* max_upload from the panel, or NULL */
	STMT_ADMIN_SETTINGS_SET,  /* the settings form, audited */
	STMT_ADMIN_INVITE_CREATE, /* a sign-up link, audited */
	STMT_ADMIN_INVITES,       /* the sign-up links not used */
	STMT_EXPORT_FILES,    /* the files the user uploaded (data export) */
	STMT_MSG_GET,         /* a message with its chat's members, membership checked */
	STMT_MSG_EDIT,        /* the author edits a text message: bump seq + version */
	STMT_MSG_DELETE,      /* the author or a group admin deletes: bump seq + version */
	STMT_REACT,           /* add/remove/toggle a reaction: bump seq + version */
	STMT_REACTIONS_LIST,  /* who reacted with what, membership checked */
	STMT_FORWARD,         /* a text message copied into another chat of the viewer */
	STMT_PIN,             /* pin/unpin: bump seq by two, version + service message */
	STMT_PINS,            /* a chat's pinned messages, membership checked */
	STMT_MENTION_CANDIDATES, /* members to suggest after "@", membership checked */
	STMT_MESSAGES_BEFORE_ME, /* session + a page of history, membership checked */
	STMT_PRESENCE_PEER,   /* the presence of a direct chat's peer, membership checked */
	STMT__MAX
};

/* Columns of ME_COLS (the current user, user_from_row() in model.c); a
 * statement's own columns after them are read at ME_NCOLS + k. */
#define ME_NCOLS 12

/* Column 11 of a message row (MSG_EXTRA in db.c) for a message with nothing
 * beyond its text: written by the statement as this constant (it is what
 * json_build_object() would write), and recognised by message_set_extra()
 * in model.c without parsing. */
#define MSG_EXTRA_PLAIN \
	"{\"files\" : null, \"edited\" : false, \"mentions\" : null, \"deleted\" : false, \"pinned\" : false," \
	" \"forwarded\" : null, \"reply\" : null, \"reactions\" : null}"

enum db_status {
	DB_OK,
	DB_UNAVAILABLE, /* no connection: answer 503 */
	DB_CONFLICT,    /* unique violation; see db_conflict() */
	DB_ERROR,       /* anything else: logged, answer 500 */
};

struct db;

struct db *db_new(const char *conninfo);
void db_free(struct db *db);
/* Connect (if needed) and prepare every statement. 0 or -1. */
int db_connect(struct db *db);

/* Run a prepared statement with n text parameters (NULL = SQL NULL).
 * On DB_OK *res is the result (cleared with the request's arena). */
enum db_status db_run(struct req *r, enum stmt s, const char *const *params, int n,
		      PGresult **res);
/* A batch: statements sent together in libpq's pipeline mode, so that the
 * requests that need several reads wait for PostgreSQL once instead of once
 * each. Each statement still runs as its own transaction (a Sync after
 * each), so a failure of one leaves the others' results standing and is
 * reported as its own status. */
#define DB_BATCH_MAX 8
struct db_batch {
	int n;
	bool bad; /* a call was refused by db_batch_add */
	struct db_call {
		enum stmt s;
		const char *const *params;
		int nparams;
		enum db_status st; /* after db_batch_run */
		PGresult *res;     /* on DB_OK (cleared with the request's arena) */
	} calls[DB_BATCH_MAX];
};
/* Queue statement s (params copied to the request's arena); returns its
 * index in the batch, or -1 when the batch is full or s takes another count
 * of parameters (a programming error, logged; db_batch_run then fails). */
int db_batch_add(struct req *r, struct db_batch *b, enum stmt s, const char *const *params,
		 int n);
/* Send every queued statement, flush once, read the results in order.
 * DB_OK when each call has its own status (calls[i].st; a statement's
 * conflict is not kept for db_conflict()); DB_UNAVAILABLE when the
 * connection is down or broke (retried once on a new connection when every
 * statement in the batch may run again); DB_ERROR for a bad batch. */
enum db_status db_batch_run(struct req *r, struct db_batch *b);

/* Name of the constraint (or unique index) behind the last DB_CONFLICT. */
const char *db_conflict(const struct db *db);

/* Row helpers: a column's text or NULL when SQL NULL; numbers; booleans. */
const char *db_text(const PGresult *res, int row, int col);
long long db_int(const PGresult *res, int row, int col);
int db_bool(const PGresult *res, int row, int col);

#endif
