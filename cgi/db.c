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

/* A chat row (9 columns) followed by its last message (MSG_COLS), then the
 * viewer's unread count (messages by others after the read position, capped)
 * and notification level (columns 20 and 21). */
#define CHAT_SELECT \
	"SELECT c.id, c.kind, c.title, c.last_seq, mb.last_read_seq, " ISO("c.last_message_at") \
	", p.id, p.nickname, p.name, " MSG_COLS \
	", (SELECT count(*) FROM (SELECT 1 FROM messages u WHERE u.chat_id = c.id" \
	"   AND u.seq > mb.last_read_seq AND u.sender_id IS DISTINCT FROM mb.user_id" \
	"   AND u.deleted_at IS NULL LIMIT " UNREAD_CAP ") n), mb.notify" \
	" FROM members mb JOIN chats c ON c.id = mb.chat_id" \
	" LEFT JOIN LATERAL (SELECT u.id, u.nickname, u.name FROM members m2" \
	"   JOIN users u ON u.id = m2.user_id" \
	"   WHERE m2.chat_id = c.id AND m2.user_id <> mb.user_id LIMIT 1) p ON c.kind = 'direct'" \
	" LEFT JOIN messages m ON m.chat_id = c.id AND m.seq = c.last_seq" \
	" LEFT JOIN users s ON s.id = m.sender_id"

/* Search ranks at most this many of the newest matches. */
#define SEARCH_CANDIDATES "2000"

/* Unread counts stop counting here (shown as "999+"). */
#define UNREAD_CAP "1000"

/* The columns of a message that MSG_COLS reads, for subqueries. */
#define AROUND_COLS "id, seq, kind, body, html, client_id, created_at, sender_id, version_seq"

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

static const struct {
	const char *sql;
	int nparams;
	/* planned for its parameters on every run (PQexecParams, an unnamed
	 * statement) instead of once: for statements whose best plan depends
	 * on the values, e.g. a search word's frequency. Still prepared at
	 * connect, so a mistake in the SQL shows at start-up. */
	bool replan;
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
		"WITH cur AS (SELECT mb.last_read_seq AS old, least($3::bigint, c.last_seq) AS target"
		"   FROM members mb JOIN chats c ON c.id = mb.chat_id"
		"   WHERE mb.chat_id = $2 AND mb.user_id = $1),"
		" up AS (UPDATE members x SET last_read_seq = greatest(x.last_read_seq, cur.target)"
		"   FROM cur WHERE x.chat_id = $2 AND x.user_id = $1 AND cur.target > cur.old"
		"   RETURNING x.last_read_seq)"
		" SELECT (SELECT last_read_seq FROM up),"
		"   (SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.chat_id = $2"
		"     AND m.seq > greatest(cur.old, cur.target) AND m.sender_id IS DISTINCT FROM $1"
		"     AND m.deleted_at IS NULL LIMIT " UNREAD_CAP ") u),"
		"   (SELECT read_receipts FROM users WHERE id = $1),"
		"   (SELECT string_agg(m.user_id::text, ',') FROM members m"
		"     JOIN users u ON u.id = m.user_id AND u.read_receipts"
		"     WHERE m.chat_id = $2 AND m.user_id <> $1)"
		" FROM cur", 3},
	[STMT_RECEIPTS] = {
		"SELECT mu.read_receipts, m.user_id, m.last_read_seq"
		" FROM members me JOIN users mu ON mu.id = me.user_id"
		" LEFT JOIN (members m JOIN users u ON u.id = m.user_id AND u.read_receipts)"
		"   ON m.chat_id = me.chat_id AND m.user_id <> me.user_id AND mu.read_receipts"
		" WHERE me.chat_id = $2 AND me.user_id = $1 ORDER BY m.user_id", 2},
	[STMT_READERS] = {
		"SELECT msg.chat_id, msg.seq, mu.read_receipts, u.id, u.nickname, u.name"
		" FROM messages msg JOIN members me ON me.chat_id = msg.chat_id AND me.user_id = $1"
		" JOIN users mu ON mu.id = $1"
		" LEFT JOIN (members m JOIN users u ON u.id = m.user_id AND u.read_receipts)"
		"   ON m.chat_id = msg.chat_id AND m.last_read_seq >= msg.seq"
		"   AND m.user_id IS DISTINCT FROM msg.sender_id AND mu.read_receipts"
		" WHERE msg.id = $2 AND msg.deleted_at IS NULL ORDER BY lower(u.name), u.id", 2},
	[STMT_OTHER_MEMBERS] = {
		"SELECT string_agg(m.user_id::text, ',') FROM members me"
		" LEFT JOIN members m ON m.chat_id = me.chat_id AND m.user_id <> me.user_id"
		" WHERE me.chat_id = $2 AND me.user_id = $1 GROUP BY me.chat_id", 2},
	[STMT_NOTIFY_SET] = {
		"UPDATE members SET notify = $3 WHERE chat_id = $2 AND user_id = $1 RETURNING notify", 3},
	[STMT_SETTINGS_GET] = {
		"SELECT read_receipts, presence FROM users WHERE id = $1", 1},
	[STMT_SETTINGS_SET] = {
		"UPDATE users SET read_receipts = coalesce($2::boolean, read_receipts),"
		" presence = coalesce($3, presence) WHERE id = $1 RETURNING read_receipts, presence", 3},
	[STMT_PRESENCE_SUB] = {
		"WITH old AS (SELECT connections > 0 AND seen_at > now() - make_interval(secs => $3) AS online,"
		"   seen_at > now() - make_interval(secs => $3) AS fresh"
		"   FROM presence WHERE user_id = $1),"
		" up AS (INSERT INTO presence AS p (user_id, channel, connections, seen_at)"
		"   VALUES ($1, $2, 1, now()) ON CONFLICT (user_id) DO UPDATE SET channel = EXCLUDED.channel,"
		"   connections = CASE WHEN (SELECT fresh FROM old) THEN p.connections + 1 ELSE 1 END,"
		"   seen_at = now() RETURNING " ISO("seen_at") " AS seen)"
		" SELECT coalesce((SELECT online FROM old), false), (SELECT seen FROM up)", 3},
	[STMT_PRESENCE_UNSUB] = {
		"UPDATE presence SET connections = greatest(connections - 1, 0), seen_at = now()"
		" WHERE channel = $1 RETURNING user_id, connections, " ISO("seen_at"), 1},
	[STMT_PRESENCE_PING] = {
		"UPDATE presence SET seen_at = now(), connections = greatest(connections, 1)"
		" WHERE user_id = $1 RETURNING connections", 1},
	[STMT_PRESENCE_GET] = {
		"SELECT u.id, u.id = $1 OR u.presence = 'everyone',"
		" coalesce(p.connections > 0 AND p.seen_at > now() - make_interval(secs => $3), false),"
		" " ISO("p.seen_at") ","
		" (SELECT string_agg(m2.user_id::text, ',') FROM members m1"
		"   JOIN chats c ON c.id = m1.chat_id AND c.kind = 'direct'"
		"   JOIN members m2 ON m2.chat_id = m1.chat_id AND m2.user_id <> m1.user_id"
		"   WHERE m1.user_id = u.id AND $4::boolean)"
		" FROM users u LEFT JOIN presence p ON p.user_id = u.id"
		" WHERE u.id = ANY($2::bigint[])", 4},
	[STMT_MESSAGES_AROUND] = {
		"SELECT c.last_seq, " MSG_COLS ","
		" (SELECT min(seq) FROM messages WHERE chat_id = mb.chat_id)"
		" FROM members mb JOIN chats c ON c.id = mb.chat_id"
		" LEFT JOIN LATERAL ((SELECT " AROUND_COLS " FROM messages x"
		"   WHERE x.chat_id = mb.chat_id AND x.seq < $3 ORDER BY x.seq DESC LIMIT $4)"
		"   UNION ALL (SELECT " AROUND_COLS " FROM messages x"
		"   WHERE x.chat_id = mb.chat_id AND x.seq >= $3 ORDER BY x.seq ASC LIMIT $4)) m ON true"
		" LEFT JOIN users s ON s.id = m.sender_id"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1 ORDER BY m.seq ASC", 4},
	/* The newest SEARCH_CANDIDATES matches in the viewer's chats (the
	 * planner sees the query's words, as the statement is replanned: a GIN
	 * bitmap for rare words, a backward scan for common ones), ranked by
	 * relevance boosted up to 2x for recent messages (30-day scale). */
	[STMT_SEARCH] = {
		"WITH q AS (SELECT messly_search_query($2::text[], $3::boolean) AS q),"
		" who AS (SELECT id FROM users WHERE lower(nickname) = $5),"
		" cand AS MATERIALIZED (SELECT m.id, m.chat_id, m.seq, m.kind, m.body, m.created_at,"
		"   m.sender_id, m.tsv"
		"   FROM messages m JOIN members mb ON mb.chat_id = m.chat_id AND mb.user_id = $1"
		"   WHERE m.tsv @@ messly_search_query($2::text[], $3::boolean)"
		"   AND m.deleted_at IS NULL AND m.kind <> 'service'"
		"   AND ($4::bigint IS NULL OR m.chat_id = $4)"
		"   AND ($5::text IS NULL OR m.sender_id = (SELECT id FROM who))"
		"   AND (NOT $6::boolean OR m.kind = 'file')"
		"   AND ($7::date IS NULL OR m.created_at >= $7::date)"
		"   AND ($8::date IS NULL OR m.created_at < $8::date + 1)"
		"   ORDER BY m.id DESC LIMIT " SEARCH_CANDIDATES "),"
		" hits AS (SELECT m.id, m.chat_id, m.seq, m.kind, m.body, m.created_at, m.sender_id,"
		"   ts_rank(m.tsv, q.q) * (1 + 1 / (1 + extract(epoch FROM now() - m.created_at) / 2592000))"
		"     AS score"
		"   FROM q, cand m ORDER BY score DESC, m.id DESC LIMIT $9 OFFSET $10)"
		" SELECT h.id, h.chat_id, h.seq, h.kind, " ISO("h.created_at") ","
		"   s.id, s.nickname, s.name, c.kind, coalesce(c.title, p.name, ''),"
		"   ts_headline('russian', h.body, q.q, 'StartSel=\x01, StopSel=\x02, MaxWords=35,"
		" MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=\" … \"')"
		" FROM hits h CROSS JOIN q JOIN chats c ON c.id = h.chat_id"
		" LEFT JOIN users s ON s.id = h.sender_id"
		" LEFT JOIN LATERAL (SELECT u.name FROM members m2 JOIN users u ON u.id = m2.user_id"
		"   WHERE m2.chat_id = c.id AND m2.user_id <> $1 LIMIT 1) p ON c.kind = 'direct'"
		" ORDER BY h.score DESC, h.id DESC", 10, true},
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
	if (statements[s].replan)
		return PQexecParams(db->conn, statements[s].sql, n, NULL, params, NULL, NULL, 0);
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
