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
/* A file entry as JSON (see file_from_json() in model.c). */
#define FILE_OBJ(f) \
	"json_build_object('id', " f ".id, 'kind', " f ".kind, 'name', " f ".name, 'type', " f ".type," \
	" 'size', " f ".size, 'width', " f ".width, 'height', " f ".height," \
	" 'thumb_width', " f ".thumb_width, 'thumb_height', " f ".thumb_height)"
#define MSG_FILES(m) \
	"CASE WHEN " m ".kind = 'file' THEN (SELECT json_agg(" FILE_OBJ("f") " ORDER BY f.position)" \
	" FROM files f WHERE f.message_id = " m ".id) END"

/* A message row (12 columns): see message_from_row() in model.c. */
#define MSG_COLS \
	"m.id, m.seq, m.kind, m.body, m.html, m.client_id, " ISO("m.created_at") \
	", s.id, s.nickname, s.name, m.version_seq, " MSG_FILES("m")

/* A chat row (9 columns) followed by its last message (MSG_COLS), then
 * the peer's and the chat's avatar ids. */
#define CHAT_SELECT \
	"SELECT c.id, c.kind, c.title, c.last_seq, mb.last_read_seq, " ISO("c.last_message_at") \
	", p.id, p.nickname, p.name, " MSG_COLS ", p.avatar_id, c.avatar_id" \
	" FROM members mb JOIN chats c ON c.id = mb.chat_id" \
	" LEFT JOIN LATERAL (SELECT u.id, u.nickname, u.name, u.avatar_id FROM members m2" \
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

/* Who shares a chat with user $1 (the audience of their avatar). */
#define SHARERS \
	"(SELECT string_agg(DISTINCT m2.user_id::text, ',') FROM members m1" \
	" JOIN members m2 ON m2.chat_id = m1.chat_id WHERE m1.user_id = $1)"

/* A file row (20 columns): see file_from_row() in model.c. */
#define FILE_COLS \
	"f.id, f.chat_id, f.message_id, f.kind, f.name, f.type, f.size, f.sha256, f.width, f.height," \
	" f.view_sha256, f.view_width, f.view_height, f.thumb_sha256, f.thumb_width, f.thumb_height, " \
	ISO("f.created_at") ", u.id, u.nickname, u.name"

static const struct {
	const char *sql;
	int nparams;
} statements[STMT__MAX] = {
	[STMT_SESSION_USER] = {
		"SELECT u.id, u.nickname, u.name, u.email, u.lang, u.is_admin, u.avatar_id"
		" FROM sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.token_hash = $1::bytea AND s.expires_at > now()", 1},
	[STMT_SESSION_CREATE] = {
		"INSERT INTO sessions (token_hash, user_id, kind, expires_at)"
		" VALUES ($1::bytea, $2, $3, now() + make_interval(days => $4::int))", 4},
	[STMT_SESSION_DELETE] = {
		"DELETE FROM sessions WHERE token_hash = $1::bytea", 1},
	[STMT_LOGIN_LOOKUP] = {
		"SELECT id, nickname, name, email, lang, is_admin, password_hash FROM users"
		" WHERE (lower(email) = lower($1) OR lower(nickname) = lower($1))"
		" AND NOT is_system AND password_hash IS NOT NULL LIMIT 1", 1},
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
	[STMT_SEND] = {
		"WITH mb AS (SELECT 1 FROM members WHERE chat_id = $1 AND user_id = $2),"
		" dup AS (SELECT x.id, x.seq, x.kind, x.body, x.html, x.client_id, x.created_at"
		"   FROM messages x WHERE x.chat_id = $1 AND x.sender_id = $2 AND x.client_id = $3"
		"   AND EXISTS (SELECT 1 FROM mb)),"
		" bump AS (UPDATE chats SET last_seq = last_seq + 1, last_message_at = now()"
		"   WHERE id = $1 AND EXISTS (SELECT 1 FROM mb) AND NOT EXISTS (SELECT 1 FROM dup)"
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
		"   (SELECT string_agg(user_id::text, ',') FROM members WHERE chat_id = $1) FROM r", 5},
	[STMT_READ] = {
		"UPDATE members mb SET last_read_seq = greatest(mb.last_read_seq, least($3::bigint, c.last_seq))"
		" FROM chats c WHERE c.id = mb.chat_id AND mb.chat_id = $2 AND mb.user_id = $1"
		" RETURNING mb.last_read_seq", 3},
	[STMT_MEMBER] = {
		"SELECT role FROM members WHERE chat_id = $1 AND user_id = $2", 2},
	[STMT_SEND_FILES] = {
		"WITH mb AS (SELECT 1 FROM members WHERE chat_id = $1 AND user_id = $2),"
		" dup AS (SELECT x.id, x.seq, x.kind, x.body, x.html, x.client_id, x.created_at"
		"   FROM messages x WHERE x.chat_id = $1 AND x.sender_id = $2 AND x.client_id = $3"
		"   AND EXISTS (SELECT 1 FROM mb)),"
		" bump AS (UPDATE chats SET last_seq = last_seq + 1, last_message_at = now()"
		"   WHERE id = $1 AND EXISTS (SELECT 1 FROM mb) AND NOT EXISTS (SELECT 1 FROM dup)"
		"   RETURNING last_seq, last_message_at),"
		" ins AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html,"
		"   client_id, created_at)"
		"   SELECT $1, last_seq, last_seq, $2, 'file', $4, $5, $3, last_message_at FROM bump"
		"   RETURNING id, seq, kind, body, html, client_id, created_at),"
		" f AS (INSERT INTO files (chat_id, message_id, position, uploader_id, kind, name, type,"
		"   size, sha256, width, height, view_sha256, view_width, view_height, thumb_sha256,"
		"   thumb_width, thumb_height, as_file)"
		"   SELECT $1, ins.id, j.position, $2, j.kind, j.name, j.type, j.size, j.sha256, j.width,"
		"   j.height, j.view_sha256, j.view_width, j.view_height, j.thumb_sha256, j.thumb_width,"
		"   j.thumb_height, j.as_file FROM ins, jsonb_to_recordset($6::jsonb) AS j(position int,"
		"   kind text, name text, type text, size bigint, sha256 text, width int, height int,"
		"   view_sha256 text, view_width int, view_height int, thumb_sha256 text,"
		"   thumb_width int, thumb_height int, as_file boolean)"
		"   RETURNING *),"
		" rd AS (UPDATE members SET last_read_seq = ins.seq FROM ins"
		"   WHERE members.chat_id = $1 AND members.user_id = $2),"
		" r AS (SELECT true AS created, * FROM ins UNION ALL SELECT false, * FROM dup)"
		" SELECT r.created, r.id, r.seq, r.kind, r.body, r.html, r.client_id, "
		ISO("r.created_at") ","
		"   (SELECT string_agg(user_id::text, ',') FROM members WHERE chat_id = $1),"
		"   CASE WHEN r.created THEN (SELECT json_agg(" FILE_OBJ("f") " ORDER BY f.position) FROM f)"
		"   ELSE (SELECT json_agg(" FILE_OBJ("x") " ORDER BY x.position) FROM files x"
		"     WHERE x.message_id = r.id) END FROM r", 6},
	[STMT_FILE_GET] = {
		"SELECT " FILE_COLS " FROM files f"
		" JOIN members mb ON mb.chat_id = f.chat_id AND mb.user_id = $1"
		" LEFT JOIN users u ON u.id = f.uploader_id WHERE f.id = $2", 2},
	[STMT_FILES_LIST] = {
		"SELECT mb.role, c.kind, " FILE_COLS " FROM members mb JOIN chats c ON c.id = mb.chat_id"
		" LEFT JOIN LATERAL (SELECT * FROM files x WHERE x.chat_id = mb.chat_id AND x.id < $3"
		"   AND ($4 = '' OR x.kind = $4) ORDER BY x.id DESC LIMIT $5) f ON true"
		" LEFT JOIN users u ON u.id = f.uploader_id"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1 ORDER BY f.id DESC", 5},
	[STMT_AVATAR_SET_USER] = {
		"WITH a AS (INSERT INTO avatars (s48, s96, s256) VALUES ($2, $3, $4) RETURNING id),"
		" u AS (UPDATE users SET avatar_id = a.id FROM a WHERE users.id = $1 RETURNING users.id)"
		" SELECT a.id, " SHARERS " FROM a", 4},
	[STMT_AVATAR_CLEAR_USER] = {
		"WITH u AS (UPDATE users SET avatar_id = NULL WHERE id = $1 RETURNING id)"
		" SELECT u.id, " SHARERS " FROM u", 1},
	[STMT_AVATAR_SET_CHAT] = {
		"WITH mb AS (SELECT role FROM members WHERE chat_id = $1 AND user_id = $2),"
		" ok AS (SELECT 1 FROM mb JOIN chats c ON c.id = $1 AND c.kind = 'group'"
		"   WHERE mb.role = 'owner'),"
		" a AS (INSERT INTO avatars (s48, s96, s256) SELECT $3, $4, $5 FROM ok RETURNING id),"
		" c AS (UPDATE chats SET avatar_id = a.id FROM a WHERE chats.id = $1 RETURNING chats.id)"
		" SELECT EXISTS (SELECT 1 FROM mb), (SELECT id FROM a), (SELECT id FROM c),"
		"   (SELECT string_agg(user_id::text, ',') FROM members WHERE chat_id = $1)", 5},
	[STMT_AVATAR_GET] = {
		"SELECT a.s48, a.s96, a.s256 FROM avatars a WHERE a.id = $2 AND ("
		" EXISTS (SELECT 1 FROM users u WHERE u.avatar_id = a.id)"
		" OR EXISTS (SELECT 1 FROM chats c JOIN members m ON m.chat_id = c.id AND m.user_id = $1"
		"   WHERE c.avatar_id = a.id))", 2},
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
	case STMT_AVATAR_SET_USER:
	case STMT_AVATAR_SET_CHAT:
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
