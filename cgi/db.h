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
	STMT_LOGIN_LOOKUP,    /* email or nickname -> user + password hash */
	STMT_REGISTER,        /* user + welcome chat + welcome message + session */
	STMT_USERS_SEARCH,    /* nickname prefix search */
	STMT_SET_LANG,        /* user's language */
	STMT_CHATS_LIST,      /* the user's chats with last message */
	STMT_CHAT_GET,        /* one chat, membership checked */
	STMT_DIRECT_OPEN,     /* find or create a direct chat */
	STMT_MESSAGES_BEFORE, /* a page of history, membership checked */
	STMT_EVENTS_AFTER,    /* catch-up after a seq, membership checked */
	STMT_SEND,            /* bump seq + insert + idempotency + fan-out list */
	STMT_READ,            /* move the read position forward, unread left, fan-out list */
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
	STMT__MAX
};

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
/* Name of the constraint (or unique index) behind the last DB_CONFLICT. */
const char *db_conflict(const struct db *db);

/* Row helpers: a column's text or NULL when SQL NULL; numbers; booleans. */
const char *db_text(const PGresult *res, int row, int col);
long long db_int(const PGresult *res, int row, int col);
int db_bool(const PGresult *res, int row, int col);

#endif
