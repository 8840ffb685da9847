/* db.c: one libpq connection per worker, every statement prepared at connect,
 * reconnect after PostgreSQL restarts, and error classification. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* ISO 8601 UTC with milliseconds. */
#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* A message row (11 columns): see message_from_row() in model.c. */
#define MSG_COLS \
	"m.id, m.seq, m.kind, m.body, m.html, m.client_id, " ISO("m.created_at") \
	", s.id, s.nickname, s.name, m.version_seq"

/* A chat row (9 columns) followed by its last message (MSG_COLS). */
#define CHAT_SELECT \
	"SELECT c.id, c.kind, c.title, c.last_seq, mb.last_read_seq, " ISO("c.last_message_at") \
	", p.id, p.nickname, p.name, " MSG_COLS \
	" FROM members mb JOIN chats c ON c.id = mb.chat_id" \
	" LEFT JOIN LATERAL (SELECT u.id, u.nickname, u.name FROM members m2" \
	"   JOIN users u ON u.id = m2.user_id" \
	"   WHERE m2.chat_id = c.id AND m2.user_id <> mb.user_id LIMIT 1) p ON c.kind = 'direct'" \
	" LEFT JOIN messages m ON m.chat_id = c.id AND m.seq = c.last_seq" \
	" LEFT JOIN users s ON s.id = m.sender_id"

/* History around a seq for a member: zero rows means "not a member"; one
 * row with NULL message columns means "member, nothing there". */
#define HISTORY(cond, key, order) \
	"SELECT c.last_seq, " MSG_COLS "," \
	" (SELECT min(seq) FROM messages WHERE chat_id = mb.chat_id)" \
	" FROM members mb JOIN chats c ON c.id = mb.chat_id" \
	" LEFT JOIN LATERAL (SELECT * FROM messages x WHERE x.chat_id = mb.chat_id AND " cond \
	"   ORDER BY x." key " " order " LIMIT $4) m ON true" \
	" LEFT JOIN users s ON s.id = m.sender_id" \
	" WHERE mb.chat_id = $2 AND mb.user_id = $1 ORDER BY m." key " ASC"

/* A send bucket's tokens now: refilled at $7 a second up to $6. */
#define SEND_TOKENS \
	"least($6::float8, b.tokens + $7::float8 * greatest(0, extract(epoch FROM now() - b.at))::float8)"

static const struct {
	const char *sql;
	int nparams;
} statements[STMT__MAX] = {
	[STMT_SESSION_USER] = {
		"SELECT u.id, u.nickname, u.name, u.email, u.lang, u.is_admin"
		" FROM sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.token_hash = $1::bytea AND s.expires_at > now()", 1},
	[STMT_SESSION_CREATE] = {
		"INSERT INTO sessions (token_hash, user_id, kind, expires_at)"
		" VALUES ($1::bytea, $2, $3, now() + make_interval(days => $4::int))", 4},
	[STMT_SESSION_DELETE] = {
		"DELETE FROM sessions WHERE token_hash = $1::bytea", 1},
	/* Always one row: the user (NULL columns when unknown), the key its
	 * failures count under, and the seconds until the account or the address
	 * may try again (NULL: allowed). Blocked while the window holds the
	 * budget's worth of failures: until the budget-th most recent is an hour old. */
	[STMT_LOGIN_LOOKUP] = {
		"WITH u AS (SELECT id, nickname, name, email, lang, is_admin, password_hash FROM users"
		"   WHERE (lower(email) = lower($1) OR lower(nickname) = lower($1))"
		"   AND NOT is_system AND password_hash IS NOT NULL LIMIT 1),"
		" k AS (SELECT coalesce('u:' || (SELECT id FROM u), 'l:' || lower($1)) AS acct)"
		" SELECT u.id, u.nickname, u.name, u.email, u.lang, u.is_admin, u.password_hash, k.acct,"
		"   ceil(extract(epoch FROM greatest("
		"     (SELECT a.at FROM auth_attempts a WHERE a.key = k.acct"
		"       AND a.at > now() - interval '1 hour' ORDER BY a.at DESC OFFSET $2::int - 1 LIMIT 1),"
		"     (SELECT a.at FROM auth_attempts a WHERE a.key = $3"
		"       AND a.at > now() - interval '1 hour' ORDER BY a.at DESC OFFSET $4::int - 1 LIMIT 1))"
		"   + interval '1 hour' - now()))::bigint"
		" FROM k LEFT JOIN u ON true", 4},
	[STMT_REGISTER] = {
		"WITH u AS (INSERT INTO users (email, nickname, name, password_hash, lang, is_admin)"
		"   VALUES ($1, $2, $3, $4, $5, NOT EXISTS (SELECT 1 FROM users WHERE NOT is_system))"
		"   RETURNING id, nickname, name, email, lang, is_admin),"
		" sys AS (SELECT id FROM users WHERE is_system AND nickname = 'messly'),"
		" c AS (INSERT INTO chats (kind, direct_key, last_seq)"
		"   SELECT 'direct', least(u.id, sys.id) || ':' || greatest(u.id, sys.id), 1 FROM u, sys"
		"   RETURNING id),"
		" mb AS (INSERT INTO members (chat_id, user_id, last_read_seq)"
		"   SELECT c.id, u.id, 0 FROM c, u UNION ALL SELECT c.id, sys.id, 1 FROM c, sys),"
		" msg AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html)"
		"   SELECT c.id, 1, 1, sys.id, 'text', $6, $7 FROM c, sys),"
		" s AS (INSERT INTO sessions (token_hash, user_id, kind, expires_at)"
		"   SELECT $8::bytea, u.id, $9, now() + make_interval(days => $10::int) FROM u)"
		" SELECT id, nickname, name, email, lang, is_admin FROM u", 10},
	[STMT_USERS_SEARCH] = {
		"SELECT id, nickname, name FROM users"
		" WHERE lower(nickname) LIKE $1 AND NOT is_system"
		" ORDER BY lower(nickname) = $2 DESC, lower(nickname) LIMIT 20", 2},
	[STMT_SET_LANG] = {
		"UPDATE users SET lang = $2 WHERE id = $1", 2},
	[STMT_CHATS_LIST] = {
		CHAT_SELECT " WHERE mb.user_id = $1"
		" ORDER BY c.last_message_at DESC, c.id DESC LIMIT 500", 1},
	[STMT_CHAT_GET] = {
		CHAT_SELECT " WHERE mb.user_id = $1 AND mb.chat_id = $2", 2},
	[STMT_DIRECT_OPEN] = {
		"WITH peer AS (SELECT id FROM users WHERE lower(nickname) = $2),"
		" k AS (SELECT peer.id AS pid,"
		"   least($1::bigint, peer.id) || ':' || greatest($1::bigint, peer.id) AS key"
		"   FROM peer WHERE peer.id <> $1),"
		" ins AS (INSERT INTO chats (kind, direct_key) SELECT 'direct', key FROM k"
		"   ON CONFLICT (direct_key) DO NOTHING RETURNING id),"
		" mb AS (INSERT INTO members (chat_id, user_id)"
		"   SELECT ins.id, $1 FROM ins UNION ALL SELECT ins.id, k.pid FROM ins, k)"
		" SELECT (SELECT id FROM peer), (SELECT id FROM ins),"
		"   (SELECT c.id FROM chats c JOIN k ON c.direct_key = k.key)", 2},
	[STMT_MESSAGES_BEFORE] = {HISTORY("x.seq < $3", "seq", "DESC"), 4},
	[STMT_EVENTS_AFTER] = {HISTORY("x.version_seq > $3", "version_seq", "ASC"), 4},
	/* The sender's token bucket ($6 burst, $7 tokens a second) is taken in
	 * the same statement (a retry of a stored message takes none); refused:
	 * one row of NULLs whose last column is the wait in seconds. */
	[STMT_SEND] = {
		"WITH mb AS (SELECT 1 FROM members WHERE chat_id = $1 AND user_id = $2),"
		" dup AS (SELECT x.id, x.seq, x.kind, x.body, x.html, x.client_id, x.created_at"
		"   FROM messages x WHERE x.chat_id = $1 AND x.sender_id = $2 AND x.client_id = $3"
		"   AND EXISTS (SELECT 1 FROM mb)),"
		" tb AS (INSERT INTO send_budget AS b (user_id, tokens, at)"
		"   SELECT $2, $6::float8 - 1, now()"
		"   WHERE EXISTS (SELECT 1 FROM mb) AND NOT EXISTS (SELECT 1 FROM dup)"
		"   ON CONFLICT (user_id) DO UPDATE SET at = greatest(b.at, now()), tokens = " SEND_TOKENS " - 1"
		"   WHERE " SEND_TOKENS " >= 1 RETURNING 1),"
		" bump AS (UPDATE chats SET last_seq = last_seq + 1, last_message_at = now()"
		"   WHERE id = $1 AND EXISTS (SELECT 1 FROM tb)"
		"   RETURNING last_seq, last_message_at),"
		" ins AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html,"
		"   client_id, created_at)"
		"   SELECT $1, last_seq, last_seq, $2, 'text', $4, $5, $3, last_message_at FROM bump"
		"   RETURNING id, seq, kind, body, html, client_id, created_at),"
		" rd AS (UPDATE members SET last_read_seq = ins.seq FROM ins"
		"   WHERE members.chat_id = $1 AND members.user_id = $2),"
		" r AS (SELECT true AS created, * FROM ins UNION ALL SELECT false, * FROM dup)"
		" SELECT r.created, r.id, r.seq, r.kind, r.body, r.html, r.client_id, "
		ISO("r.created_at") ","
		"   (SELECT string_agg(user_id::text, ',') FROM members WHERE chat_id = $1), NULL::bigint FROM r"
		" UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
		"   greatest(1, ceil((1 - coalesce((SELECT " SEND_TOKENS " FROM send_budget b"
		"     WHERE b.user_id = $2), 0)) / $7::float8))::bigint"
		" FROM mb WHERE NOT EXISTS (SELECT 1 FROM dup) AND NOT EXISTS (SELECT 1 FROM tb)", 7},
	[STMT_READ] = {
		"UPDATE members mb SET last_read_seq = greatest(mb.last_read_seq, least($3::bigint, c.last_seq))"
		" FROM chats c WHERE c.id = mb.chat_id AND mb.chat_id = $2 AND mb.user_id = $1"
		" RETURNING mb.last_read_seq", 3},
	[STMT_AUTH_FAILED] = {
		"WITH ins AS (INSERT INTO auth_attempts (key)"
		"   SELECT k FROM unnest(ARRAY[$1, $2]::text[]) k WHERE k IS NOT NULL),"
		/* keep the table small: each failure also clears a few expired rows */
		" old AS (DELETE FROM auth_attempts WHERE ctid = ANY (ARRAY("
		"   SELECT ctid FROM auth_attempts WHERE at < now() - interval '1 hour' LIMIT 20)))"
		" SELECT 1", 2},
	[STMT_AUTH_TAKE] = {
		"WITH n AS (SELECT (SELECT at FROM auth_attempts WHERE key = $1"
		"   AND at > now() - interval '1 hour' ORDER BY at DESC OFFSET $2::int - 1 LIMIT 1) AS nth),"
		" ins AS (INSERT INTO auth_attempts (key) SELECT $1 FROM n WHERE n.nth IS NULL)"
		" SELECT ceil(extract(epoch FROM n.nth + interval '1 hour' - now()))::bigint FROM n", 2},
};

struct db {
	char *conninfo;
	PGconn *conn;
	bool ready; /* connected and prepared */
	char conflict[64];
};

struct db *db_new(const char *conninfo)
{
	struct db *db = calloc(1, sizeof(*db));
	if (db == NULL)
		return NULL;
	db->conninfo = strdup(conninfo);
	if (db->conninfo == NULL) {
		free(db);
		return NULL;
	}
	return db;
}

void db_free(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db);
}

static int db_prepare_all(struct db *db)
{
	for (int i = 0; i < STMT__MAX; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		PGresult *res = PQprepare(db->conn, name, statements[i].sql,
					  statements[i].nparams, NULL);
		int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			log_error("prepare statement %d: %s", i, PQerrorMessage(db->conn));
		PQclear(res);
		if (!ok)
			return -1;
	}
	return 0;
}

int db_connect(struct db *db)
{
	if (db->ready && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	/* PQreset on a server that is still down would block each request
	 * for the connect timeout; libpq's default is to wait forever, so the
	 * conninfo should carry connect_timeout (the stack sets it). */
	db->ready = false;
	if (db->conn == NULL) {
		db->conn = PQconnectdb(db->conninfo);
	} else {
		PQreset(db->conn);
	}
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		log_error("database connection failed: %s",
			  db->conn ? PQerrorMessage(db->conn) : "out of memory");
		return -1;
	}
	PGresult *res = PQexec(db->conn, "SET TIME ZONE 'UTC'"); /* -- static */
	PQclear(res);
	if (db_prepare_all(db) != 0)
		return -1;
	db->ready = true;
	return 0;
}

static void pqclear_cb(void *p) { PQclear(p); }

/* Statements that may run again after the connection broke mid-way:
 * reads, and writes that are idempotent (STMT_SEND by client_id). */
static bool retry_safe(enum stmt s)
{
	switch (s) {
	case STMT_SESSION_CREATE:
	case STMT_REGISTER:
	case STMT_DIRECT_OPEN:
		return false;
	default:
		return true;
	}
}

/* A failure of the connection rather than of the statement. */
static bool connection_failed(PGconn *conn, const PGresult *res)
{
	if (PQstatus(conn) != CONNECTION_OK)
		return true;
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	/* no SQLSTATE: libpq's own error (server closed the connection);
	 * 08xxx connection exceptions; 57P0x the server shutting down. */
	return state == NULL || strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0;
}

static PGresult *exec_prepared(struct db *db, enum stmt s, const char *const *params, int n)
{
	char name[16];
	snprintf(name, sizeof(name), "s%d", (int)s);
	return PQexecPrepared(db->conn, name, n, params, NULL, NULL, 0);
}

enum db_status db_run(struct req *r, enum stmt s, const char *const *params, int n,
		      PGresult **out)
{
	struct db *db = r->w->db;
	*out = NULL;
	if (s < 0 || s >= STMT__MAX || n != statements[s].nparams) {
		log_error("db_run: statement %d given %d parameters", (int)s, n);
		return DB_ERROR;
	}
	PGresult *res = NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (db_connect(db) != 0)
			return DB_UNAVAILABLE;
		res = exec_prepared(db, s, params, n);
		arena_defer(&r->arena, pqclear_cb, res);
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			*out = res;
			return DB_OK;
		}
		if (!connection_failed(db->conn, res))
			break;
		log_error("database connection lost: %s", PQerrorMessage(db->conn));
		db->ready = false;
		/* Reconnect now; run again only when that cannot double a write. */
		if (!retry_safe(s)) {
			db_connect(db);
			return DB_UNAVAILABLE;
		}
	}
	if (!db->ready)
		return DB_UNAVAILABLE;
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state && strcmp(state, "23505") == 0) {
		const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
		snprintf(db->conflict, sizeof(db->conflict), "%s", c ? c : "");
		return DB_CONFLICT;
	}
	log_error("statement %d failed: %s", (int)s, PQresultErrorMessage(res));
	return DB_ERROR;
}

const char *db_conflict(const struct db *db) { return db->conflict; }

const char *db_text(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

long long db_int(const PGresult *res, int row, int col)
{
	const char *v = db_text(res, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

int db_bool(const PGresult *res, int row, int col)
{
	const char *v = db_text(res, row, col);
	return v && v[0] == 't';
}
