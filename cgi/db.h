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
	STMT_READ,            /* move the read position forward */
	/* files and avatars (h_files.c, h_avatars.c) */
	STMT_MEMBER,          /* is the user a member of the chat */
	STMT_SEND_FILES,      /* STMT_SEND for a file message + its file rows */
	STMT_FILE_GET,        /* one file, membership checked */
	STMT_FILES_LIST,      /* a chat's files, newest first, membership checked */
	STMT_AVATAR_SET_USER, /* new avatar row for the user + who shares a chat */
	STMT_AVATAR_CLEAR_USER, /* the user has no avatar + who shares a chat */
	STMT_AVATAR_SET_CHAT, /* new group picture, owners only + members */
	STMT_AVATAR_GET,      /* an avatar the viewer may see */
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
