/* db.c: one libpq connection per worker, every statement prepared at its
 * first use there, batches of statements in one round trip (pipeline mode),
 * reconnect after PostgreSQL restarts, and error classification. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mentions.h"

/* ISO 8601 UTC with milliseconds. */
#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* The current user (ME_NCOLS columns): see user_from_row() in model.c. */
#define ME_COLS \
	"u.id, u.nickname, u.name, u.email, u.lang, u.is_admin, u.about, u.theme, u.privacy," \
	" u.notify, u.notify_preview, u.send_key"

/* The viewer of a statement that identifies them itself (routes flagged
 * R_SELF_AUTH: the session lookup and the work in one round trip): the
 * session behind token hash h, unexpired, its last use refreshed at most
 * once a minute (with address ip), and its user unless deactivated or
 * deleted. me has STMT_SESSION_USER's 13 columns (AUTH_ME_COLS). */
#define SESSION_ME(h, ip) \
	" s AS (SELECT token_hash, id, user_id, last_seen_at FROM sessions" \
	"   WHERE token_hash = " h "::bytea AND expires_at > now())," \
	" touch AS (UPDATE sessions t SET last_seen_at = now(), ip = coalesce(" ip ", t.ip) FROM s" \
	"   WHERE t.token_hash = s.token_hash AND s.last_seen_at < now() - interval '1 minute')," \
	" me AS (SELECT " ME_COLS ", s.id AS session_id, u.avatar_id FROM s JOIN users u ON u.id = s.user_id" \
	"   WHERE u.deactivated_at IS NULL AND u.deleted_at IS NULL)"
/* The viewer's id in such a statement, where another would take a parameter. */
#define ME_ID "(SELECT id FROM me)"

/* messly_direct_blocked(chat, uid) (schema/004_profiles.sql) written out: a
 * call of the SQL function is planned anew on every execution (its EXISTS
 * keeps it from being inlined), which cost a send more than its insert. */
#define DIRECT_BLOCKED(chat, uid) \
	"EXISTS (SELECT 1 FROM chats dc JOIN members o ON o.chat_id = dc.id AND o.user_id <> " uid \
	"   JOIN blocks b ON (b.blocker_id = o.user_id AND b.blocked_id = " uid ")" \
	"     OR (b.blocker_id = " uid " AND b.blocked_id = o.user_id)" \
	"   WHERE dc.id = " chat " AND dc.kind = 'direct')"
/* messly_blocked(blocker, blocked) written out, for the same reason (the
 * reads of every chat page). */
#define BLOCKED(blocker, blocked) \
	"EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = " blocker " AND bl.blocked_id = " blocked ")"

/* A user the search may show to viewer $1: not the system user, not
 * deactivated or deleted, and not someone who blocked the viewer. */
#define SEARCHABLE(u) \
	"NOT " u ".is_system AND " u ".deactivated_at IS NULL AND " u ".deleted_at IS NULL" \
	" AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = " u ".id AND b.blocked_id = $1)"

/* A message row (11 columns): see message_from_row() in model.c. */
/* A file entry as JSON (see file_from_json() in model.c). */
#define FILE_OBJ(f) \
	"json_build_object('id', " f ".id, 'kind', " f ".kind, 'name', " f ".name, 'type', " f ".type," \
	" 'size', " f ".size, 'width', " f ".width, 'height', " f ".height," \
	" 'thumb_width', " f ".thumb_width, 'thumb_height', " f ".thumb_height)"
#define MSG_FILES(m) \
	"CASE WHEN " m ".kind = 'file' THEN (SELECT json_agg(" FILE_OBJ("f") " ORDER BY f.position)" \
	" FROM files f WHERE f.message_id = " m ".id) END"

/* The users a message mentions (mentions.h): the nickname as written and
 * the user it was resolved to, with their current nickname. _IF_MARKED: only
 * looked up when the stored HTML has a mention marker (every resolved
 * nickname was marked there when the text was rendered) or the message is
 * deleted (its HTML is gone, its mention rows stay). */
#define MSG_MENTIONS(m) \
	"(SELECT json_agg(json_build_object('id', mu.id, 'nickname', mu.nickname, 'name', mu.name," \
	" 'written', mm.written) ORDER BY mm.written) FROM message_mentions mm" \
	" JOIN users mu ON mu.id = mm.user_id WHERE mm.message_id = " m ".id)"
#define MSG_MENTIONS_IF_MARKED(m) \
	"CASE WHEN " m ".deleted_at IS NOT NULL OR strpos(" m ".html, '" MENTION_OPEN "') > 0" \
	" THEN " MSG_MENTIONS(m) " END"

/* What a message has beyond its text (column 11 of MSG_COLS, see
 * message_set_extra() in model.c): files, edited, deleted, the quoted
 * reply, the mentions and the reactions (emoji, count, users in order) in
 * first-use order (the aggregate only for a message that has any: most have
 * none). Each lookup is guarded by a test on the row's own columns, so a
 * plain message costs no probe at all (the JSON is the same either way): the
 * forward and the quote only when their column is set, the reactions only
 * for a message changed since it was stored (adding or removing a reaction
 * gives it the chat's next seq as version_seq; every insert sets version_seq
 * = seq). A message with none of it at all skips even json_build_object():
 * the statement writes MSG_EXTRA_PLAIN (db.h), the same text. */
#define MSG_EXTRA(m) \
	"CASE WHEN " MSG_PLAIN(m) " THEN '" MSG_EXTRA_PLAIN "'::json ELSE " MSG_EXTRA_ALL(m) " END"
/* A message with nothing beyond its text (nor a mention marker), tested on
 * its own columns; a missing row (NULL) is not plain. */
#define MSG_PLAIN(m) \
	"(" m ".version_seq = " m ".seq AND " m ".kind <> 'file' AND " m ".edited_at IS NULL" \
	" AND " m ".deleted_at IS NULL AND " m ".pinned_at IS NULL AND " m ".forwarded_from IS NULL" \
	" AND " m ".reply_to IS NULL AND strpos(" m ".html, '" MENTION_OPEN "') = 0)"
#define MSG_EXTRA_ALL(m) \
	"json_build_object('files', " MSG_FILES(m) ", 'edited', " m ".edited_at IS NOT NULL," \
	" 'mentions', " MSG_MENTIONS_IF_MARKED(m) "," \
	" 'deleted', " m ".deleted_at IS NOT NULL, 'pinned', " m ".pinned_at IS NOT NULL," \
	" 'forwarded', CASE WHEN " m ".forwarded_from IS NOT NULL THEN" \
	"   (SELECT json_build_object('id', fu.id, 'nickname', fu.nickname, 'name', fu.name)" \
	"   FROM users fu WHERE fu.id = " m ".forwarded_from) END," \
	" 'reply', CASE WHEN " m ".reply_to IS NOT NULL THEN" \
	"   (SELECT json_build_object('id', q.id, 'seq', q.seq, 'kind', q.kind," \
	"   'deleted', q.deleted_at IS NOT NULL, 'text', left(q.body, 200)," \
	"   'sender', json_build_object('id', qu.id, 'nickname', qu.nickname, 'name', qu.name))" \
	"   FROM messages q LEFT JOIN users qu ON qu.id = q.sender_id WHERE q.id = " m ".reply_to) END," \
	" 'reactions', CASE WHEN " m ".version_seq <> " m ".seq" \
	"   AND EXISTS (SELECT 1 FROM reactions WHERE message_id = " m ".id)" \
	"   THEN (SELECT json_agg(json_build_object('emoji', x.emoji, 'count', x.n," \
	"   'users', x.users) ORDER BY x.first) FROM (SELECT emoji, count(*) AS n," \
	"   array_agg(user_id ORDER BY created_at) AS users, min(created_at) AS first" \
	"   FROM reactions WHERE message_id = " m ".id GROUP BY emoji) x) END)"

/* A message row (12 columns): see message_from_row() in model.c. */
#define MSG_COLS \
	"m.id, m.seq, m.kind, m.body, m.html, m.client_id, " ISO("m.created_at") \
	", s.id, s.nickname, s.name, m.version_seq, " MSG_EXTRA("m")

/* A chat row (9 columns) followed by its last message (MSG_COLS, 9..20; the
 * newest message, not the one of last_seq: an edit or a reaction takes a seq too),
 * the peer's and the chat's avatar ids (21, 22), then the viewer's unread
 * count (messages by others after the read position, capped) and
 * notification level (23, 24), and the unread messages by others that
 * mention the viewer (25, capped). */
#define CHAT_SELECT \
	"SELECT c.id, c.kind, c.title, c.last_seq, mb.last_read_seq, " ISO("c.last_message_at") \
	", p.id, p.nickname, p.name, " MSG_COLS ", p.avatar_id, c.avatar_id" \
	", (SELECT count(*) FROM (SELECT 1 FROM messages u WHERE u.chat_id = c.id" \
	"   AND u.seq > mb.last_read_seq AND u.sender_id IS DISTINCT FROM mb.user_id" \
	"   AND u.deleted_at IS NULL LIMIT " UNREAD_CAP ") n), mb.notify" \
	", " UNREAD_MENTIONS("c.id", "mb") \
	" FROM members mb JOIN chats c ON c.id = mb.chat_id" \
	" LEFT JOIN LATERAL (SELECT u.id, u.nickname, u.name, u.avatar_id FROM members m2" \
	"   JOIN users u ON u.id = m2.user_id" \
	"   WHERE m2.chat_id = c.id AND m2.user_id <> mb.user_id LIMIT 1) p ON c.kind = 'direct'" \
	" LEFT JOIN LATERAL (SELECT * FROM messages m0 WHERE m0.chat_id = c.id" \
	"   ORDER BY m0.seq DESC LIMIT 1) m ON true" \
	" LEFT JOIN users s ON s.id = m.sender_id"

/* Unread messages by others mentioning member row mb of chat (capped). */
#define UNREAD_MENTIONS(chat, mb) \
	"(SELECT count(DISTINCT mm.message_id) FROM (SELECT mm.message_id FROM message_mentions mm" \
	"   JOIN messages mx ON mx.id = mm.message_id WHERE mm.user_id = " mb ".user_id" \
	"   AND mm.chat_id = " chat " AND mm.seq > " mb ".last_read_seq AND mx.deleted_at IS NULL" \
	"   AND mx.sender_id IS DISTINCT FROM " mb ".user_id LIMIT " UNREAD_CAP ") mm)"
/* Resolve written nicknames $N (text[], NULL: none) against the members of
 * chat `chat` for the message in CTE `msg` (id, seq): see mentions.h. */
#define MENTIONS_INSERT(param, chat, msg) \
	"INSERT INTO message_mentions (message_id, user_id, chat_id, seq, written)" \
	" SELECT " msg ".id, u.id, " chat ", " msg ".seq, lower(u.nickname) FROM " msg ", users u" \
	" JOIN members x ON x.user_id = u.id WHERE " param "::text[] IS NOT NULL" \
	" AND lower(u.nickname) = ANY(" param "::text[]) AND x.chat_id = " chat \
	" ON CONFLICT DO NOTHING"

/* Search ranks at most this many of the newest matches: the 20 pages of 20
 * results a search can show (PAGES_MAX, RESULTS_PER_PAGE in h_search.c). */
#define SEARCH_CANDIDATES "400"
/* Search looks for them first among the messages with an id at most
 * SEARCH_NEAR below the newest one, then at most SEARCH_FAR below it, then
 * in the rest (see STMT_SEARCH). */
#define SEARCH_NEAR "50000"
#define SEARCH_FAR "200000"
/* A search candidate's columns and conditions (the WHERE after the first
 * line), shared by STMT_SEARCH's three parts. */
#define SEARCH_COLS "m.id, m.chat_id, m.seq, m.kind, m.body, m.created_at, m.sender_id, m.tsv"
#define SEARCH_WHERE \
	"   AND m.tsv @@ messly_search_match($2::text[], $3::boolean)" \
	"   AND m.deleted_at IS NULL AND m.kind <> 'service'" \
	"   AND ($4::bigint IS NULL OR m.chat_id = $4)" \
	"   AND ($5::text IS NULL OR m.sender_id = (SELECT id FROM who))" \
	"   AND (NOT $6::boolean OR m.kind = 'file')" \
	"   AND ($7::date IS NULL OR m.created_at >= $7::date)" \
	"   AND ($8::date IS NULL OR m.created_at < $8::date + 1)"
/* STMT_SEARCH's matches in the viewer's chats with lo < id <= hi, each
 * chat's newest messages read from messages_chat_newest (013) or the words'
 * GIN index, whichever the planner finds cheaper. */
#define SEARCH_RANGE(lo, hi) \
	" SELECT m.* FROM members mb CROSS JOIN LATERAL (SELECT " SEARCH_COLS " FROM messages m" \
	"   WHERE m.chat_id = mb.chat_id AND m.id > " lo " AND m.id <= " hi SEARCH_WHERE \
	"   OFFSET 0) m WHERE mb.user_id = $1"

/* Unread counts stop counting here (shown as "999+"). */
#define UNREAD_CAP "1000"

/* Distinct emoji on one message at most (REACTIONS_MAX_N in model.h). */
#define REACTIONS_MAX "20"

/* The columns of a message that MSG_COLS reads, for subqueries. */
#define AROUND_COLS \
	"id, seq, kind, body, html, client_id, created_at, sender_id, version_seq, reply_to," \
	" edited_at, deleted_at, forwarded_from, pinned_at"

/* Col 14 of the history statements: the viewer ($1) blocked the sender of
 * this group message (it is shown collapsed). */
#define COLLAPSED COLLAPSED_FOR("$1")
#define COLLAPSED_FOR(viewer) \
	"(c.kind = 'group' AND m.kind <> 'service' AND m.sender_id IS NOT NULL" \
	" AND " BLOCKED(viewer "::bigint", "m.sender_id") ")"

/* History around a seq for a member: zero rows means "not a member"; one
 * row with NULL message columns means "member, nothing there". */
#define HISTORY(cond, key, order) HISTORY_FOR("$1", cond, key, order)
#define HISTORY_FOR(viewer, cond, key, order) \
	"SELECT c.last_seq, " MSG_COLS "," \
	" (SELECT min(seq) FROM messages WHERE chat_id = $2), " COLLAPSED_FOR(viewer) /* min: once, not per row */ \
	" FROM members mb JOIN chats c ON c.id = mb.chat_id" \
	" LEFT JOIN LATERAL (SELECT * FROM messages x WHERE x.chat_id = mb.chat_id AND " cond \
	"   ORDER BY x." key " " order " LIMIT $4) m ON true" \
	" LEFT JOIN LATERAL (SELECT u.id, u.nickname, u.name FROM users u" \
	"   WHERE u.id = m.sender_id LIMIT 1) s ON true" \
	" WHERE mb.chat_id = $2 AND mb.user_id = " viewer " ORDER BY m." key " ASC"

/* ---- group chats: every change is a service message that takes the
 * chat's next seq under the chat row lock, in the same statement. By
 * convention $1 is the viewer and $2 the chat. Each change statement ends
 * with SVC_RESULT: one row per service message (or one row of NULLs when
 * nothing changed): col 0 a flag, cols 1..12 MSG_COLS, col 13 the
 * recipients "user_id:lang,..." for the live fan-out. */
#define USER_JSON(id) \
	"(SELECT jsonb_build_object('id', id, 'nickname', nickname, 'name', name)" \
	" FROM users WHERE id = " id ")"
#define GROUP_ROLE_IS(role) \
	" ok AS (SELECT 1 FROM members mb JOIN chats c ON c.id = mb.chat_id" \
	"   WHERE mb.chat_id = $2 AND mb.user_id = $1 AND mb.role = " role " AND c.kind = 'group'),"
#define SVC_BUMP(cond) \
	" bump AS (UPDATE chats SET last_seq = last_seq + 1, last_message_at = now()" \
	"   WHERE id = $2 AND " cond " RETURNING last_seq, last_message_at),"
#define SVC_INS(body) \
	" ins AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html, created_at)" \
	"   SELECT $2, bump.last_seq, bump.last_seq, $1, 'service', (" body ")::text, '', bump.last_message_at" \
	"   FROM bump RETURNING id, seq, kind, body, html, client_id, created_at)"
/* Members as the statement found them (a removed member still in), plus extra. */
#define RECIPIENTS_WITH(extra) \
	"(SELECT string_agg(x.user_id || ':' || u.lang, ',') FROM (SELECT user_id FROM members" \
	" WHERE chat_id = $2 UNION SELECT " extra ") x JOIN users u ON u.id = x.user_id)"
#define RECIPIENTS RECIPIENTS_WITH("NULL::bigint")
#define SVC_RESULT(flag, recipients) \
	" SELECT " flag ", ins.id, ins.seq, ins.kind, ins.body, ins.html, ins.client_id, " \
	ISO("ins.created_at") ", a.id, a.nickname, a.name, ins.seq, NULL::json, " recipients \
	" FROM (SELECT 1) one LEFT JOIN ins ON true LEFT JOIN users a ON a.id = $1 ORDER BY ins.seq"
/* Admin panel service messages (STMT_ADMIN_CHAT_*): no sender, the actor
 * shown as "An administrator"; the result as SVC_RESULT with no author. */
#define ADMIN_ACTOR "jsonb_build_object('admin', true)"
#define ADMIN_SVC_INS(body) \
	" ins AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html, created_at)" \
	"   SELECT $2, bump.last_seq, bump.last_seq, NULL, 'service', (" body ")::text, '', bump.last_message_at" \
	"   FROM bump RETURNING id, seq, kind, body, html, client_id, created_at),"
#define ADMIN_SVC_RESULT(flag) \
	" SELECT " flag ", ins.id, ins.seq, ins.kind, ins.body, ins.html, ins.client_id, " \
	ISO("ins.created_at") ", NULL::bigint, NULL::text, NULL::text, ins.seq, NULL::json, " RECIPIENTS \
	" FROM (SELECT 1) one LEFT JOIN ins ON true ORDER BY ins.seq"
#define INVITE_STATE(i) \
	"(" i ".revoked_at IS NULL AND (" i ".expires_at IS NULL OR " i ".expires_at > now())" \
	" AND (" i ".max_uses IS NULL OR " i ".uses < " i ".max_uses))"
/* Who gets the sender's receipt when a send moves the sender's read
 * position: the other members who see receipts, when the sender sends
 * them ("1,2,3"; NULL for none). */
#define RECEIPT_AUDIENCE(chat, sender) \
	"(SELECT string_agg(m.user_id::text, ',') FROM members m JOIN users u ON u.id = m.user_id" \
	" AND u.read_receipts WHERE m.chat_id = " chat " AND m.user_id <> " sender \
	" AND (SELECT read_receipts FROM users WHERE id = " sender "))"

/* A send bucket's tokens now: refilled at $7 a second up to $6. */
#define SEND_TOKENS \
	"least($6::float8, b.tokens + $7::float8 * greatest(0, extract(epoch FROM now() - b.at))::float8)"
/* A send (chat $1, sender $2, the new message in ins) reads the chat: the
 * sender's position moves to it when something by someone else may lie
 * between, and then the send publishes the sender's receipt (the CTE
 * returns a row). Invariant: after any text or file message of theirs at
 * seq s, the sender's position is at least s - 1 (this statement, and
 * STMT_FORWARD sets it to s). So when the chat's previous seq (ins.seq - 1)
 * is the sender's own text or file message, nothing by anyone else lies
 * between (every change takes the chat's next seq) and the members row is
 * not rewritten: a run of messages by one sender writes it once, not on
 * every other message as a test of the position alone did. (Checking for
 * messages by others instead scanned all of the sender's messages since the
 * position; the unread counts and receipts come out the same either way,
 * as they count only others' messages.) */
#define SENDER_READS SENDER_READS_BY("$2")
#define SENDER_READS_BY(sender) \
	" rd AS (UPDATE members SET last_read_seq = ins.seq FROM ins" \
	"   WHERE members.chat_id = $1 AND members.user_id = " sender \
	"   AND members.last_read_seq < ins.seq - 1" \
	"   AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.chat_id = $1 AND p.seq = ins.seq - 1" \
	"     AND p.sender_id = " sender " AND p.kind IN ('text', 'file'))" \
	"   RETURNING 1),"
/* RECEIPT_AUDIENCE when the send moved the sender's position (rd) or is a
 * retry of a stored message (whose first attempt may have died before
 * publishing), else NULL: no receipt to publish. */
#define SENT_RECEIPT_AUDIENCE(chat, sender) \
	"CASE WHEN NOT r.created OR EXISTS (SELECT 1 FROM rd) THEN " RECEIPT_AUDIENCE(chat, sender) " END"
/* Who shares a chat with user $1 (the audience of their avatar). */
#define SHARERS \
	"(SELECT string_agg(DISTINCT m2.user_id::text, ',') FROM members m1" \
	" JOIN members m2 ON m2.chat_id = m1.chat_id WHERE m1.user_id = $1)"

/* A parameter hidden from the planner in a sub-SELECT (an InitPlan): a
 * plan made for the given values cannot use it either, so it costs what the
 * generic plan costs and PostgreSQL keeps the generic plan after its five
 * trial runs. For statements whose estimates differ with a chat id only
 * through the chat's member count (six on average in the bench's data, two
 * in a direct chat): the generic plan looked dearer than the same plan made
 * for the values, so they were planned anew on every run (STMT_BLOCK_STATE,
 * STMT_RECEIPTS and STMT_PRESENCE_GET: 220-640 us of planning each, for
 * 15-35 us of execution, on every chat page). The same goes for a flag
 * that switches a subquery off (STMT_PRESENCE_GET's $4). */
#define OPAQUE(p) "(SELECT " p ")"

/* STMT_PRESENCE_GET's row for user u (with their presence row p): id,
 * visible to viewer $1, online (heartbeat within $3 seconds), last seen,
 * and their direct chats' peers when `peers` (presence_set() in
 * presence.c). */
#define PRESENCE_SELECT(peers) \
	"SELECT u.id, u.id = $1 OR u.privacy = 'everyone' OR (u.privacy = 'contacts' AND (" peers \
	"   OR EXISTS (SELECT 1 FROM members s1 JOIN members s2 ON s2.chat_id = s1.chat_id" \
	"     WHERE s1.user_id = u.id AND s2.user_id = $1)))," \
	" coalesce(p.connections > 0 AND p.seen_at > now() - make_interval(secs => $3), false)," \
	" " ISO("p.seen_at") "," \
	" (SELECT string_agg(m2.user_id::text, ',') FROM members m1" \
	"   JOIN chats c ON c.id = m1.chat_id AND c.kind = 'direct'" \
	"   JOIN members m2 ON m2.chat_id = m1.chat_id AND m2.user_id <> m1.user_id" \
	"   WHERE m1.user_id = u.id AND " peers ")"

/* A file row (20 columns): see file_from_row() in model.c. */
#define FILE_COLS \
	"f.id, f.chat_id, f.message_id, f.kind, f.name, f.type, f.size, f.sha256, f.width, f.height," \
	" f.view_sha256, f.view_width, f.view_height, f.thumb_sha256, f.thumb_width, f.thumb_height, " \
	ISO("f.created_at") ", u.id, u.nickname, u.name"

static const struct {
	const char *sql;
	int nparams;
	/* planned for its parameters on every run (PQexecParams, an unnamed
	 * statement) instead of once: for statements whose best plan depends
	 * on the values, e.g. a search word's frequency. Still prepared at
	 * connect, so a mistake in the SQL shows at start-up. */
	bool replan;
} statements[STMT__MAX] = {
	/* last active (and the address) refreshed at most once a minute */
	[STMT_SESSION_USER] = {"WITH" SESSION_ME("$1", "$2") " SELECT * FROM me", 2},
	[STMT_SESSION_CREATE] = {
		"INSERT INTO sessions (token_hash, user_id, kind, expires_at, user_agent, ip)"
		" VALUES ($1::bytea, $2, $3, now() + make_interval(days => $4::int), $5, $6)", 6},
	[STMT_SESSION_DELETE] = {
		"DELETE FROM sessions WHERE token_hash = $1::bytea", 1},
	/* Always one row: the user (NULL columns when unknown), the key its
	 * failures count under, and the seconds until the account or the address
	 * may try again (NULL: allowed). Blocked while the window holds the
	 * budget's worth of failures: until the budget-th most recent is an hour old. */
	[STMT_LOGIN_LOOKUP] = {
		/* cols 0..ME_NCOLS-1 ME_COLS (NULL for an unknown login), then
		 * +0 the hash, +1 deactivated, +2 the key failures count under, +3
		 * the seconds to wait when over a limit (else NULL); always one row */
		"WITH u AS (SELECT * FROM users"
		"   WHERE (lower(email) = lower($1) OR lower(nickname) = lower($1))"
		"   AND NOT is_system AND password_hash IS NOT NULL AND deleted_at IS NULL LIMIT 1),"
		" k AS (SELECT coalesce('u:' || (SELECT id FROM u), 'l:' || lower($1)) AS acct)"
		" SELECT " ME_COLS ", u.password_hash, u.deactivated_at IS NOT NULL, k.acct,"
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
		"   RETURNING *),"
		" sys AS (SELECT id FROM users WHERE is_system AND nickname = 'messly'),"
		" c AS (INSERT INTO chats (kind, direct_key, last_seq)"
		"   SELECT 'direct', least(u.id, sys.id) || ':' || greatest(u.id, sys.id), 1 FROM u, sys"
		"   RETURNING id),"
		" mb AS (INSERT INTO members (chat_id, user_id, last_read_seq)"
		"   SELECT c.id, u.id, 0 FROM c, u UNION ALL SELECT c.id, sys.id, 1 FROM c, sys),"
		" msg AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html)"
		"   SELECT c.id, 1, 1, sys.id, 'text', $6, $7 FROM c, sys),"
		" s AS (INSERT INTO sessions (token_hash, user_id, kind, expires_at, user_agent, ip)"
		"   SELECT $8::bytea, u.id, $9, now() + make_interval(days => $10::int), $11, $12 FROM u)"
		" SELECT " ME_COLS " FROM u", 12},
	/* $1 viewer, $2 nickname prefix (NULL: q cannot start a nickname), $3 q,
	 * $4 limit, $5 offset. Three disjoint ranks, each cut to offset+limit:
	 * the exact nickname; other nicknames with the prefix, in index order
	 * (users_nickname_c); names with a word starting with q (users_name_trgm
	 * on name_key, ё as е), the name's first word first. The patterns are
	 * InitPlans: computed once, not per row. */
	[STMT_USERS_SEARCH] = {
		"SELECT x.id, x.nickname, x.name, (SELECT a.avatar_id FROM users a WHERE a.id = x.id) FROM ("
		" (SELECT u.id, u.nickname, u.name, 0 AS r, lower(u.nickname) AS n FROM users u"
		"   WHERE lower(u.nickname) = $2 AND " SEARCHABLE("u") ")"
		" UNION ALL"
		" (SELECT u.id, u.nickname, u.name, 1, lower(u.nickname) FROM users u"
		"   WHERE lower(u.nickname) COLLATE \"C\" >= $2 AND lower(u.nickname) COLLATE \"C\" < ($2 || '~')"
		"   AND lower(u.nickname) <> $2 AND " SEARCHABLE("u")
		"   ORDER BY lower(u.nickname) COLLATE \"C\" LIMIT $4::int + $5::int)"
		" UNION ALL"
		" (SELECT u.id, u.nickname, u.name,"
		"   CASE WHEN u.name_key LIKE (SELECT messly_like_escape(messly_fold($3)) || '%') THEN 2"
		"   ELSE 3 END AS r, lower(u.nickname) FROM users u"
		"   WHERE (u.name_key LIKE (SELECT messly_like_escape(messly_fold($3)) || '%')"
		"     OR u.name_key LIKE (SELECT '% ' || messly_like_escape(messly_fold($3)) || '%')"
		"     OR u.name_key LIKE (SELECT '%-' || messly_like_escape(messly_fold($3)) || '%'))"
		"   AND NOT coalesce(lower(u.nickname) COLLATE \"C\" >= $2"
		"     AND lower(u.nickname) COLLATE \"C\" < ($2 || '~'), false)"
		"   AND " SEARCHABLE("u")
		"   ORDER BY r, lower(u.nickname) COLLATE \"C\" LIMIT $4::int + $5::int)"
		") x ORDER BY x.r, x.n COLLATE \"C\" LIMIT $4::int OFFSET $5::int", 5},
	[STMT_SET_LANG] = {
		"UPDATE users SET lang = $2 WHERE id = $1", 2},
	[STMT_CHATS_LIST] = {
		CHAT_SELECT " WHERE mb.user_id = $1"
		" ORDER BY c.last_message_at DESC, c.id DESC LIMIT 500", 1},
	[STMT_CHAT_GET] = {
		CHAT_SELECT " WHERE mb.user_id = $1 AND mb.chat_id = $2", 2},
	[STMT_DIRECT_OPEN] = {
		"WITH peer AS (SELECT id FROM users WHERE lower(nickname) = $2"
		"   AND deleted_at IS NULL AND deactivated_at IS NULL),"
		" k AS (SELECT peer.id AS pid,"
		"   least($1::bigint, peer.id) || ':' || greatest($1::bigint, peer.id) AS key"
		"   FROM peer WHERE peer.id <> $1 AND NOT messly_blocked(peer.id, $1)),"
		" ins AS (INSERT INTO chats (kind, direct_key) SELECT 'direct', key FROM k"
		"   ON CONFLICT (direct_key) DO NOTHING RETURNING id),"
		" mb AS (INSERT INTO members (chat_id, user_id)"
		"   SELECT ins.id, $1 FROM ins UNION ALL SELECT ins.id, k.pid FROM ins, k)"
		" SELECT (SELECT id FROM peer), (SELECT id FROM ins),"
		"   (SELECT c.id FROM chats c JOIN k ON c.direct_key = k.key),"
		"   (SELECT messly_blocked(id, $1) FROM peer)", 2},
	[STMT_MESSAGES_BEFORE] = {HISTORY("x.seq < $3", "seq", "DESC"), 4},
	[STMT_EVENTS_AFTER] = {HISTORY("x.version_seq > $3", "version_seq", "ASC"), 4},
	/* The sender's token bucket ($6 burst, $7 tokens a second) is taken in
	 * the same statement (a retry of a stored message takes none); refused:
	 * one row of NULLs whose last column is the wait in seconds. */
	/* The sender is identified in the statement (R_SELF_AUTH): $2 is the
	 * session's token hash, $9 the address; each row ends with the
	 * sender's AUTH_ME_COLS columns, and no row means no such session, or
	 * not a member, or a blocked direct chat. */
	[STMT_SEND] = {
		"WITH" SESSION_ME("$2", "$9") ","
		" mb AS (SELECT 1 FROM members WHERE chat_id = $1 AND user_id = " ME_ID
		"   AND NOT " DIRECT_BLOCKED("$1", ME_ID) "),"
		" dup AS (SELECT x.id, x.seq, x.kind, x.body, x.html, x.client_id, x.created_at"
		"   FROM messages x WHERE x.chat_id = $1 AND x.sender_id = " ME_ID " AND x.client_id = $3"
		"   AND EXISTS (SELECT 1 FROM mb)),"
		" tb AS (INSERT INTO send_budget AS b (user_id, tokens, at)"
		"   SELECT " ME_ID ", $6::float8 - 1, now()"
		"   WHERE EXISTS (SELECT 1 FROM mb) AND NOT EXISTS (SELECT 1 FROM dup)"
		"   ON CONFLICT (user_id) DO UPDATE SET at = greatest(b.at, now()), tokens = " SEND_TOKENS " - 1"
		"   WHERE " SEND_TOKENS " >= 1 RETURNING 1),"
		" bump AS (UPDATE chats SET last_seq = last_seq + 1, last_message_at = now()"
		"   WHERE id = $1 AND EXISTS (SELECT 1 FROM tb)"
		"   RETURNING last_seq, last_message_at),"
		" ins AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html,"
		"   client_id, created_at, reply_to)"
		"   SELECT $1, last_seq, last_seq, " ME_ID ", 'text', $4, $5, $3, last_message_at,"
		"   (SELECT q.id FROM messages q WHERE q.id = $8::bigint AND q.chat_id = $1) FROM bump"
		"   RETURNING id, seq, kind, body, html, client_id, created_at),"
		SENDER_READS_BY(ME_ID)
		" men AS (" MENTIONS_INSERT("$10", "$1::bigint", "ins") " RETURNING user_id, written),"
		" r AS (SELECT true AS created, * FROM ins UNION ALL SELECT false, * FROM dup)"
		" SELECT x.*, me.* FROM me, (SELECT r.created, r.id, r.seq, r.kind, r.body, r.html,"
		"   r.client_id, " ISO("r.created_at") ","
		"   (SELECT string_agg(user_id::text, ',') FROM members WHERE chat_id = $1), NULL::bigint,"
		"   " SENT_RECEIPT_AUDIENCE("$1", ME_ID) ","
		"   CASE WHEN r.created THEN (SELECT json_agg(json_build_object('id', u.id,"
		"     'nickname', u.nickname, 'name', u.name, 'written', men.written) ORDER BY men.written)"
		"     FROM men JOIN users u ON u.id = men.user_id) ELSE " MSG_MENTIONS("r") " END FROM r"
		" UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
		"   greatest(1, ceil((1 - coalesce((SELECT " SEND_TOKENS " FROM send_budget b"
		"     WHERE b.user_id = " ME_ID "), 0)) / $7::float8))::bigint, NULL, NULL"
		" FROM mb WHERE NOT EXISTS (SELECT 1 FROM dup) AND NOT EXISTS (SELECT 1 FROM tb)) x", 10},
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
		" WHERE me.chat_id = " OPAQUE("$2::bigint") " AND me.user_id = $1 ORDER BY m.user_id", 2},
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
		"SELECT read_receipts, privacy FROM users WHERE id = $1", 1},
	[STMT_SETTINGS_SET] = {
		"UPDATE users SET read_receipts = coalesce($2::boolean, read_receipts),"
		" privacy = coalesce($3, privacy) WHERE id = $1 RETURNING read_receipts, privacy", 3},
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
		PRESENCE_SELECT(OPAQUE("$4::boolean")) " FROM users u LEFT JOIN presence p ON p.user_id = u.id"
		" WHERE u.id = ANY(" OPAQUE("$2::bigint[]") "::bigint[])", 4},
	[STMT_MESSAGES_AROUND] = {
		"SELECT c.last_seq, " MSG_COLS ","
		" (SELECT min(seq) FROM messages WHERE chat_id = mb.chat_id), " COLLAPSED
		" FROM members mb JOIN chats c ON c.id = mb.chat_id"
		" LEFT JOIN LATERAL ((SELECT " AROUND_COLS " FROM messages x"
		"   WHERE x.chat_id = mb.chat_id AND x.seq < $3 ORDER BY x.seq DESC LIMIT $4)"
		"   UNION ALL (SELECT " AROUND_COLS " FROM messages x"
		"   WHERE x.chat_id = mb.chat_id AND x.seq >= $3 ORDER BY x.seq ASC LIMIT $4)) m ON true"
		" LEFT JOIN users s ON s.id = m.sender_id"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1 ORDER BY m.seq ASC", 4},
	/* The newest SEARCH_CANDIDATES matches in the viewer's chats, ranked by
	 * relevance boosted up to 2x for recent messages (30-day scale). The
	 * candidates come in three parts by id, each looked at only if the
	 * newer ones have fewer than SEARCH_CANDIDATES (a One-Time Filter), so
	 * that a common word stops early and the cost of a rare one is bounded
	 * (the statement is replanned for its words): `near`, the matches among
	 * the last SEARCH_NEAR ids, `far`, down to SEARCH_FAR (both read each of
	 * the viewer's chats' newest messages, or GIN for rare words), and
	 * `rest`, everything older (GIN ANDed with the chat index). Matching
	 * uses messly_search_match (013, no duplicate alternatives for the GIN
	 * scan), ranking and snippets messly_search_query (same matches). */
	[STMT_SEARCH] = {
		"WITH q AS (SELECT messly_search_query($2::text[], $3::boolean) AS q),"
		" who AS (SELECT id FROM users WHERE lower(nickname) = $5),"
		" top AS (SELECT coalesce(max(id), 0) AS id FROM messages),"
		" near AS MATERIALIZED (" SEARCH_RANGE("(SELECT id - " SEARCH_NEAR " FROM top)",
						       "(SELECT id FROM top)") "),"
		" far AS MATERIALIZED (" SEARCH_RANGE("(SELECT id - " SEARCH_FAR " FROM top)",
						      "(SELECT id - " SEARCH_NEAR " FROM top)")
		"   AND (SELECT count(*) FROM near) < " SEARCH_CANDIDATES "),"
		" rest AS MATERIALIZED (SELECT " SEARCH_COLS " FROM messages m"
		"   WHERE (SELECT count(*) FROM near) + (SELECT count(*) FROM far) < " SEARCH_CANDIDATES
		"   AND m.chat_id = ANY (ARRAY(SELECT chat_id FROM members WHERE user_id = $1))"
		"   AND m.id <= (SELECT id - " SEARCH_FAR " FROM top)" SEARCH_WHERE "),"
		" cand AS (SELECT * FROM (SELECT * FROM near UNION ALL SELECT * FROM far"
		"   UNION ALL SELECT * FROM rest) c ORDER BY id DESC LIMIT " SEARCH_CANDIDATES "),"
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
	[STMT_GROUP_CREATE] = {
		"WITH want AS (SELECT DISTINCT lower(n) AS nick FROM unnest($4::text[]) n),"
		" found AS (SELECT u.id FROM users u JOIN want ON lower(u.nickname) = want.nick"
		"   WHERE NOT u.is_system AND u.id <> $1),"
		" missing AS (SELECT string_agg(nick, ',' ORDER BY nick) AS list FROM want"
		"   WHERE NOT EXISTS (SELECT 1 FROM users u WHERE lower(u.nickname) = want.nick"
		"   AND NOT u.is_system)),"
		" blockers AS (SELECT string_agg(u.nickname, ',' ORDER BY u.nickname) AS list"
		"   FROM found JOIN users u ON u.id = found.id WHERE messly_blocked(found.id, $1)),"
		" c AS (INSERT INTO chats (kind, title, description, last_seq)"
		"   SELECT 'group', $2, $3::text, 1 WHERE (SELECT list FROM missing) IS NULL"
		"   AND (SELECT list FROM blockers) IS NULL RETURNING id, last_message_at),"
		" mb AS (INSERT INTO members (chat_id, user_id, role, last_read_seq)"
		"   SELECT c.id, $1, 'owner', 1 FROM c"
		"   UNION ALL SELECT c.id, found.id, 'member', 0 FROM c, found),"
		" ins AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html,"
		"   created_at) SELECT c.id, 1, 1, $1, 'service', jsonb_build_object('event', 'created',"
		"   'actor', " USER_JSON("$1") ", 'to', $2::text)::text, '', c.last_message_at FROM c"
		"   RETURNING id, seq, kind, body, html, client_id, created_at)"
		" SELECT (SELECT id FROM c), (SELECT list FROM missing),"
		"   (SELECT string_agg(u.id || ':' || u.lang, ',') FROM users u"
		"   WHERE u.id = $1 OR u.id IN (SELECT id FROM found)),"
		"   ins.id, ins.seq, ins.kind, ins.body, ins.html, ins.client_id, " ISO("ins.created_at")
		",  a.id, a.nickname, a.name, ins.seq, NULL::json, (SELECT list FROM blockers)"
		" FROM (SELECT 1) one LEFT JOIN ins ON true LEFT JOIN users a ON a.id = $1", 4},
	[STMT_GROUP_INFO] = {
		"SELECT c.kind, c.title, c.description, mb.role, u.id, u.nickname, u.name, m.role,"
		" u.avatar_id"
		" FROM members mb JOIN chats c ON c.id = mb.chat_id"
		" JOIN members m ON m.chat_id = c.id JOIN users u ON u.id = m.user_id"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1"
		" ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END,"
		" m.joined_at, u.id", 2},
	[STMT_GROUP_ROLES] = {
		"SELECT c.kind, mb.role, t.id, t.nickname, t.name, tm.role,"
		" coalesce(messly_blocked(t.id, $1), false)"
		" FROM members mb JOIN chats c ON c.id = mb.chat_id"
		" LEFT JOIN users t ON lower(t.nickname) = $3 AND NOT t.is_system"
		" LEFT JOIN members tm ON tm.chat_id = c.id AND tm.user_id = t.id"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1", 3},
	[STMT_GROUP_EDIT] = {
		"WITH ok AS (SELECT c.title, c.description FROM members mb JOIN chats c ON c.id = mb.chat_id"
		"   WHERE mb.chat_id = $2 AND mb.user_id = $1 AND mb.role = $3 AND c.kind = 'group'),"
		" ch AS (SELECT 1 AS n, jsonb_build_object('event', 'renamed', 'actor', " USER_JSON("$1")
		"   , 'from', ok.title, 'to', $4::text) AS body FROM ok"
		"   WHERE $4::text IS NOT NULL AND $4::text IS DISTINCT FROM ok.title"
		"   UNION ALL SELECT 2, jsonb_build_object('event', 'description', 'actor', " USER_JSON("$1")
		"   , 'to', $5::text) FROM ok"
		"   WHERE $5::text IS NOT NULL AND $5::text IS DISTINCT FROM ok.description),"
		" k AS (SELECT row_number() OVER (ORDER BY n) AS i, count(*) OVER () AS cnt, body FROM ch),"
		" bump AS (UPDATE chats SET last_seq = last_seq + (SELECT count(*) FROM ch),"
		"   last_message_at = now(), title = coalesce($4::text, title),"
		"   description = coalesce($5::text, description)"
		"   WHERE id = $2 AND EXISTS (SELECT 1 FROM ch) RETURNING last_seq, last_message_at),"
		" ins AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html, created_at)"
		"   SELECT $2, bump.last_seq - k.cnt + k.i, bump.last_seq - k.cnt + k.i, $1, 'service',"
		"   k.body::text, '', bump.last_message_at FROM bump, k"
		"   RETURNING id, seq, kind, body, html, client_id, created_at)"
		SVC_RESULT("EXISTS (SELECT 1 FROM ok)", RECIPIENTS), 5},
	[STMT_GROUP_ADD] = {
		"WITH" GROUP_ROLE_IS("$3")
		" added AS (INSERT INTO members (chat_id, user_id, role, last_read_seq)"
		"   SELECT $2, $4, 'member', c.last_seq FROM ok, chats c WHERE c.id = $2"
		"   AND NOT messly_blocked($4, $1) RETURNING user_id),"
		SVC_BUMP("EXISTS (SELECT 1 FROM added)")
		SVC_INS("jsonb_build_object('event', 'added', 'actor', " USER_JSON("$1")
			", 'target', " USER_JSON("$4") ")")
		SVC_RESULT("EXISTS (SELECT 1 FROM added)", RECIPIENTS_WITH("$4::bigint")), 4},
	[STMT_GROUP_REMOVE] = {
		"WITH" GROUP_ROLE_IS("$3")
		" gone AS (DELETE FROM members WHERE chat_id = $2 AND user_id = $4 AND role = $5"
		"   AND user_id <> $1 AND EXISTS (SELECT 1 FROM ok) RETURNING user_id),"
		SVC_BUMP("EXISTS (SELECT 1 FROM gone)")
		SVC_INS("jsonb_build_object('event', 'removed', 'actor', " USER_JSON("$1")
			", 'target', " USER_JSON("$4") ")")
		SVC_RESULT("EXISTS (SELECT 1 FROM gone)", RECIPIENTS), 5},
	[STMT_GROUP_SET_ROLE] = {
		"WITH" GROUP_ROLE_IS("'owner'")
		" upd AS (UPDATE members SET role = $4 WHERE chat_id = $2 AND user_id = $3"
		"   AND role = $5 AND $4 IN ('admin', 'member') AND $5 IN ('admin', 'member')"
		"   AND $4 <> $5 AND EXISTS (SELECT 1 FROM ok) RETURNING user_id),"
		SVC_BUMP("EXISTS (SELECT 1 FROM upd)")
		SVC_INS("jsonb_build_object('event', CASE WHEN $4 = 'admin' THEN 'promoted'"
			" ELSE 'demoted' END, 'actor', " USER_JSON("$1") ", 'target', " USER_JSON("$3") ")")
		SVC_RESULT("EXISTS (SELECT 1 FROM upd)", RECIPIENTS), 5},
	[STMT_GROUP_TRANSFER] = {
		"WITH" GROUP_ROLE_IS("'owner'")
		" t AS (SELECT 1 FROM members WHERE chat_id = $2 AND user_id = $3 AND role = $4"
		"   AND role <> 'owner' AND user_id <> $1),"
		" upd AS (UPDATE members SET role = CASE WHEN user_id = $1 THEN 'admin' ELSE 'owner' END"
		"   WHERE chat_id = $2 AND user_id IN ($1, $3) AND EXISTS (SELECT 1 FROM ok)"
		"   AND EXISTS (SELECT 1 FROM t) RETURNING user_id),"
		SVC_BUMP("EXISTS (SELECT 1 FROM upd)")
		SVC_INS("jsonb_build_object('event', 'owner', 'actor', " USER_JSON("$1")
			", 'target', " USER_JSON("$3") ")")
		SVC_RESULT("EXISTS (SELECT 1 FROM upd)", RECIPIENTS), 4},
	[STMT_GROUP_LEAVE] = {
		"WITH" GROUP_ROLE_IS("$3")
		" heir AS (SELECT user_id FROM members WHERE chat_id = $2 AND user_id <> $1"
		"   AND $3 = 'owner' ORDER BY role = 'admin' DESC, joined_at, user_id LIMIT 1),"
		" others AS (SELECT 1 FROM members WHERE chat_id = $2 AND user_id <> $1 LIMIT 1),"
		" gone AS (DELETE FROM members WHERE chat_id = $2 AND user_id = $1"
		"   AND EXISTS (SELECT 1 FROM ok) RETURNING user_id),"
		" up AS (UPDATE members SET role = 'owner' WHERE chat_id = $2"
		"   AND user_id = (SELECT user_id FROM heir) AND EXISTS (SELECT 1 FROM gone)),"
		/* the last one out: the group goes with them */
		" empty AS (DELETE FROM chats WHERE id = $2 AND EXISTS (SELECT 1 FROM gone)"
		"   AND NOT EXISTS (SELECT 1 FROM others)),"
		SVC_BUMP("EXISTS (SELECT 1 FROM gone) AND EXISTS (SELECT 1 FROM others)")
		SVC_INS("jsonb_build_object('event', 'left', 'actor', " USER_JSON("$1") ")"
			" || coalesce((SELECT jsonb_build_object('target', " USER_JSON("heir.user_id") ")"
			" FROM heir), '{}'::jsonb)")
		SVC_RESULT("EXISTS (SELECT 1 FROM gone)", RECIPIENTS), 3},
	[STMT_GROUP_DELETE] = {
		"WITH" GROUP_ROLE_IS("'owner'")
		" rcpt AS (SELECT string_agg(m.user_id || ':' || u.lang, ',') AS list FROM members m"
		"   JOIN users u ON u.id = m.user_id WHERE m.chat_id = $2),"
		" gone AS (DELETE FROM chats WHERE id = $2 AND EXISTS (SELECT 1 FROM ok) RETURNING id)"
		" SELECT (SELECT id FROM gone), (SELECT list FROM rcpt)", 2},
	[STMT_INVITE_CREATE] = {
		"INSERT INTO invites (code, chat_id, created_by, expires_at, max_uses)"
		" SELECT $3, $2, $1, now() + make_interval(secs => $4::int), $5::int"
		" FROM members mb JOIN chats c ON c.id = mb.chat_id"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1 AND mb.role IN ('owner', 'admin')"
		" AND c.kind = 'group'"
		" RETURNING code, " ISO("created_at") ", " ISO("expires_at") ", max_uses, uses", 5},
	[STMT_INVITES_LIST] = {
		"SELECT i.code, " ISO("i.created_at") ", " ISO("i.expires_at") ", i.max_uses, i.uses, "
		INVITE_STATE("i") ", u.id, u.nickname, u.name"
		" FROM members mb JOIN invites i ON i.chat_id = mb.chat_id"
		" LEFT JOIN users u ON u.id = i.created_by"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1 AND mb.role IN ('owner', 'admin')"
		" AND i.revoked_at IS NULL ORDER BY i.created_at DESC, i.code LIMIT 200", 2},
	[STMT_INVITE_REVOKE] = {
		"WITH i AS (SELECT i.chat_id, mb.role FROM invites i"
		"   JOIN members mb ON mb.chat_id = i.chat_id AND mb.user_id = $1 WHERE i.code = $2),"
		" upd AS (UPDATE invites SET revoked_at = coalesce(revoked_at, now()) WHERE code = $2"
		"   AND EXISTS (SELECT 1 FROM i WHERE role IN ('owner', 'admin')) RETURNING code)"
		" SELECT i.role, i.chat_id FROM i", 2},
	[STMT_INVITE_GET] = {
		"SELECT i.chat_id, c.title, (SELECT count(*) FROM members WHERE chat_id = i.chat_id),"
		" i.revoked_at IS NOT NULL, i.expires_at IS NOT NULL AND i.expires_at <= now(),"
		" i.max_uses IS NOT NULL AND i.uses >= i.max_uses,"
		" EXISTS (SELECT 1 FROM members WHERE chat_id = i.chat_id AND user_id = $2), c.description"
		" FROM invites i JOIN chats c ON c.id = i.chat_id WHERE i.code = $1", 2},
	[STMT_INVITE_JOIN] = {
		"WITH inv AS (UPDATE invites i SET uses = uses + 1 WHERE code = $3 AND chat_id = $2"
		"   AND " INVITE_STATE("i")
		"   AND NOT EXISTS (SELECT 1 FROM members WHERE chat_id = $2 AND user_id = $1)"
		"   RETURNING chat_id),"
		" added AS (INSERT INTO members (chat_id, user_id, role, last_read_seq)"
		"   SELECT $2, $1, 'member', c.last_seq FROM inv, chats c WHERE c.id = $2"
		"   RETURNING user_id),"
		SVC_BUMP("EXISTS (SELECT 1 FROM added)")
		SVC_INS("jsonb_build_object('event', 'joined', 'actor', " USER_JSON("$1") ")")
		SVC_RESULT("EXISTS (SELECT 1 FROM added)", RECIPIENTS_WITH("$1::bigint")), 3},

	/* ---- profiles, settings, blocking ---- */
	[STMT_USER_PROFILE] = {
		"SELECT u.id, u.nickname, u.name, u.about, " ISO("u.created_at") ","
		" u.deactivated_at IS NOT NULL, messly_blocked($1, u.id), u.is_system, u.avatar_id"
		" FROM users u WHERE lower(u.nickname) = $2 AND u.deleted_at IS NULL", 2},
	[STMT_ME_UPDATE] = {
		"UPDATE users u SET name = coalesce($2, u.name), about = coalesce($3, u.about),"
		" nickname = coalesce($4, u.nickname), lang = coalesce($5, u.lang),"
		" theme = coalesce($6, u.theme), privacy = coalesce($7, u.privacy),"
		" notify = coalesce($8::boolean, u.notify),"
		" notify_preview = coalesce($9::boolean, u.notify_preview),"
		" send_key = coalesce($10, u.send_key)"
		" WHERE u.id = $1 AND u.deleted_at IS NULL RETURNING " ME_COLS, 10},
	[STMT_ME_SECRET] = {
		"SELECT password_hash FROM users WHERE id = $1 AND password_hash IS NOT NULL", 1},
	/* $4: the hash the current password was checked against (a concurrent
	 * change makes this a no-op: zero rows) */
	[STMT_PASSWORD_SET] = {
		"WITH u AS (UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $4"
		"   RETURNING id),"
		" d AS (DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $3::bytea"
		"   AND EXISTS (SELECT 1 FROM u) RETURNING token_hash)"
		" SELECT u.id, encode(d.token_hash, 'hex') FROM u LEFT JOIN d ON true", 4},
	[STMT_EMAIL_SET] = {
		"UPDATE users u SET email = $2 WHERE u.id = $1 AND u.password_hash = $3"
		" RETURNING " ME_COLS, 3},
	[STMT_SESSIONS_LIST] = {
		"SELECT id, kind, user_agent, ip, " ISO("created_at") ", " ISO("last_seen_at") ", "
		ISO("expires_at") ", token_hash = $2::bytea FROM sessions"
		" WHERE user_id = $1 AND expires_at > now()"
		" ORDER BY token_hash = $2::bytea DESC, last_seen_at DESC, id DESC LIMIT 500", 2},
	[STMT_SESSION_END] = {
		"DELETE FROM sessions WHERE user_id = $1 AND id = $2"
		" RETURNING encode(token_hash, 'hex')", 2},
	[STMT_SESSIONS_END_OTHERS] = {
		"DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2::bytea"
		" RETURNING encode(token_hash, 'hex')", 2},
	[STMT_BLOCK] = {
		"WITH p AS (SELECT id FROM users WHERE lower(nickname) = $2 AND deleted_at IS NULL),"
		" ins AS (INSERT INTO blocks (blocker_id, blocked_id) SELECT $1, p.id FROM p"
		"   WHERE p.id <> $1 ON CONFLICT DO NOTHING)"
		" SELECT (SELECT id FROM p)", 2},
	[STMT_UNBLOCK] = {
		"WITH p AS (SELECT id FROM users WHERE lower(nickname) = $2 AND deleted_at IS NULL),"
		" d AS (DELETE FROM blocks b USING p WHERE b.blocker_id = $1 AND b.blocked_id = p.id)"
		" SELECT (SELECT id FROM p)", 2},
	[STMT_BLOCKS_LIST] = {
		"SELECT u.id, u.nickname, u.name, " ISO("b.created_at") " FROM blocks b"
		" JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = $1"
		" ORDER BY b.created_at DESC, u.id DESC LIMIT 1000", 1},
	/* zero rows: not a member, or not a direct chat; col 3: the peer is
	 * deleted or the system user (nothing to block) */
	[STMT_BLOCK_STATE] = {
		"SELECT o.user_id, " BLOCKED("$1::bigint", "o.user_id") ", " BLOCKED("o.user_id", "$1::bigint") ","
		" p.deleted_at IS NOT NULL OR p.is_system"
		" FROM members mb JOIN chats c ON c.id = mb.chat_id AND c.kind = 'direct'"
		" JOIN members o ON o.chat_id = c.id AND o.user_id <> mb.user_id"
		" JOIN users p ON p.id = o.user_id"
		" WHERE mb.chat_id = " OPAQUE("$2::bigint") " AND mb.user_id = $1", 2},
	[STMT_EXPORT_CHATS] = {
		"SELECT c.id, c.kind, c.title, mb.role, " ISO("mb.joined_at") ", " ISO("c.created_at") ","
		" c.last_seq, mb.last_read_seq, p.id, p.nickname, p.name"
		" FROM members mb JOIN chats c ON c.id = mb.chat_id"
		" LEFT JOIN LATERAL (SELECT u.id, u.nickname, u.name FROM members m2"
		"   JOIN users u ON u.id = m2.user_id"
		"   WHERE m2.chat_id = c.id AND m2.user_id <> mb.user_id LIMIT 1) p ON c.kind = 'direct'"
		" WHERE mb.user_id = $1 ORDER BY c.id", 1},
	/* $1 viewer, $2 chat, $3 after seq, $4 limit */
	[STMT_EXPORT_MESSAGES] = {
		"SELECT m.id, m.seq, m.kind, CASE WHEN m.deleted_at IS NULL THEN m.body END, "
		ISO("m.created_at") ", " ISO("m.edited_at") ", m.deleted_at IS NOT NULL, m.reply_to,"
		" s.id, s.nickname, s.name"
		" FROM members mb JOIN messages m ON m.chat_id = mb.chat_id"
		" LEFT JOIN users s ON s.id = m.sender_id"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1 AND m.seq > $3 ORDER BY m.seq LIMIT $4", 4},
	/* $2: the hash the password was checked against. Messages stay; the
	 * row is kept as their anonymous sender. */
	[STMT_ACCOUNT_DELETE] = {
		"WITH u AS (UPDATE users SET email = NULL, password_hash = NULL,"
		"   name = 'Deleted account', nickname = 'deleted_' || id, about = '', lang = 'en',"
		"   theme = 'system', privacy = 'nobody', notify = false, notify_preview = false,"
		"   is_admin = false, avatar_id = NULL, deleted_at = now()"
		"   WHERE id = $1 AND password_hash = $2 AND deleted_at IS NULL RETURNING id),"
		" s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u)),"
		/* the name in service messages (a snapshot) goes too */
		" sv AS (UPDATE messages m SET body = (SELECT jsonb_object_agg(e.k,"
		"   CASE WHEN jsonb_typeof(e.v) = 'object' AND e.v->>'id' = u.id::text"
		"   THEN jsonb_build_object('id', u.id, 'nickname', 'deleted_' || u.id,"
		"   'name', 'Deleted account', 'deleted', true) ELSE e.v END)"
		"   FROM jsonb_each(m.body::jsonb) e(k, v))::text FROM u"
		"   WHERE m.kind = 'service' AND u.id::text IN (m.body::jsonb->'actor'->>'id',"
		"   m.body::jsonb->'target'->>'id')),"
		" b AS (DELETE FROM blocks WHERE blocker_id IN (SELECT id FROM u)"
		"   OR blocked_id IN (SELECT id FROM u)),"
		" a AS (INSERT INTO audit_log (actor_id, action, target)"
		"   SELECT id, 'account.delete', 'user:' || id FROM u)"
		" SELECT id FROM u", 2},
	/* deploy: maintenance */
	[STMT_SESSIONS_PURGE] = {"DELETE FROM sessions WHERE expires_at < now()", 0},
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
	[STMT_MEMBER] = {
		"SELECT role FROM members WHERE chat_id = $1 AND user_id = $2", 2},
	[STMT_SEND_FILES] = {
		"WITH mb AS (SELECT 1 FROM members WHERE chat_id = $1 AND user_id = $2"
		"   AND NOT messly_direct_blocked($1, $2)),"
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
		SENDER_READS
		" men AS (" MENTIONS_INSERT("$7", "$1::bigint", "ins") " RETURNING user_id, written),"
		" r AS (SELECT true AS created, * FROM ins UNION ALL SELECT false, * FROM dup)"
		" SELECT r.created, r.id, r.seq, r.kind, r.body, r.html, r.client_id, "
		ISO("r.created_at") ","
		"   (SELECT string_agg(user_id::text, ',') FROM members WHERE chat_id = $1),"
		"   CASE WHEN r.created THEN (SELECT json_agg(" FILE_OBJ("f") " ORDER BY f.position) FROM f)"
		"   ELSE (SELECT json_agg(" FILE_OBJ("x") " ORDER BY x.position) FROM files x"
		"     WHERE x.message_id = r.id) END, " SENT_RECEIPT_AUDIENCE("$1", "$2") ","
		/* col 11: the caption's mentions (mentions.h) */
		"   CASE WHEN r.created THEN (SELECT json_agg(json_build_object('id', u.id,"
		"     'nickname', u.nickname, 'name', u.name, 'written', men.written) ORDER BY men.written)"
		"     FROM men JOIN users u ON u.id = men.user_id) ELSE " MSG_MENTIONS("r") " END FROM r", 7},
	[STMT_FILE_GET] = {
		"SELECT " FILE_COLS " FROM files f"
		" JOIN members mb ON mb.chat_id = f.chat_id AND mb.user_id = $1"
		" LEFT JOIN users u ON u.id = f.uploader_id WHERE f.id = $2"
		" AND NOT EXISTS (SELECT 1 FROM messages dm WHERE dm.id = f.message_id"
		"   AND dm.deleted_at IS NOT NULL)", 2},
	[STMT_FILES_LIST] = {
		"SELECT mb.role, c.kind, " FILE_COLS " FROM members mb JOIN chats c ON c.id = mb.chat_id"
		" LEFT JOIN LATERAL (SELECT * FROM files x WHERE x.chat_id = mb.chat_id AND x.id < $3"
		"   AND ($4 = '' OR x.kind = $4) AND NOT EXISTS (SELECT 1 FROM messages dm"
		"   WHERE dm.id = x.message_id AND dm.deleted_at IS NOT NULL)"
		"   ORDER BY x.id DESC LIMIT $5) f ON true"
		" LEFT JOIN users u ON u.id = f.uploader_id"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1 ORDER BY f.id DESC", 5},
	[STMT_AVATAR_SET_USER] = {
		"WITH a AS (INSERT INTO avatars (s48, s96, s256) VALUES ($2, $3, $4) RETURNING id),"
		" u AS (UPDATE users SET avatar_id = a.id FROM a WHERE users.id = $1 RETURNING users.id)"
		" SELECT a.id, " SHARERS " FROM a", 4},
	[STMT_AVATAR_CLEAR_USER] = {
		"WITH u AS (UPDATE users SET avatar_id = NULL WHERE id = $1 RETURNING id)"
		" SELECT u.id, " SHARERS " FROM u", 1},
	/* $1 the owner, $2 the group (the SVC_ convention); the new picture
	 * and its "picture" service message in one statement. Cols: member?,
	 * avatar id, chat id (NULL: not the owner or not a group), member ids,
	 * then the SVC_RESULT columns (flag 4, MSG_COLS 5..16, recipients 17). */
	[STMT_AVATAR_SET_CHAT] = {
		"WITH mb AS (SELECT role FROM members WHERE chat_id = $2 AND user_id = $1),"
		" ok AS (SELECT 1 FROM mb JOIN chats c ON c.id = $2 AND c.kind = 'group'"
		"   WHERE mb.role = 'owner'),"
		" a AS (INSERT INTO avatars (s48, s96, s256) SELECT $3, $4, $5 FROM ok RETURNING id),"
		" bump AS (UPDATE chats SET avatar_id = a.id, last_seq = last_seq + 1,"
		"   last_message_at = now() FROM a WHERE chats.id = $2"
		"   RETURNING chats.id, last_seq, last_message_at),"
		SVC_INS("jsonb_build_object('event', 'picture', 'actor', " USER_JSON("$1") ")")
		" SELECT EXISTS (SELECT 1 FROM mb), (SELECT id FROM a), (SELECT id FROM bump),"
		"   (SELECT string_agg(user_id::text, ',') FROM members WHERE chat_id = $2), r.*"
		" FROM (" SVC_RESULT("EXISTS (SELECT 1 FROM ins)", RECIPIENTS) ") r", 5},
	[STMT_AVATAR_GET] = {
		"SELECT a.s48, a.s96, a.s256 FROM avatars a WHERE a.id = $2 AND ("
		" EXISTS (SELECT 1 FROM users u WHERE u.avatar_id = a.id)"
		" OR EXISTS (SELECT 1 FROM chats c JOIN members m ON m.chat_id = c.id AND m.user_id = $1"
		"   WHERE c.avatar_id = a.id))", 2},
	/* operations (h_ops.c) */
	[STMT_HEALTH] = {"SELECT 1", 0},
	/* maintenance (maintenance.c): blobs no row refers to; a day's grace
	 * covers an upload whose blob is in place before its row commits */
	[STMT_AVATARS_PURGE] = {
		"DELETE FROM avatars a WHERE a.created_at < now() - interval '1 day'"
		" AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar_id = a.id)"
		" AND NOT EXISTS (SELECT 1 FROM chats c WHERE c.avatar_id = a.id)", 0},
	[STMT_BLOBS_UNUSED] = {
		"SELECT h FROM unnest($1::text[]) h"
		" WHERE NOT EXISTS (SELECT 1 FROM files f"
		"   WHERE f.sha256 = h OR f.view_sha256 = h OR f.thumb_sha256 = h)"
		" AND NOT EXISTS (SELECT 1 FROM avatars a WHERE a.s48 = h OR a.s96 = h OR a.s256 = h)", 1},
	/* admin panel (h_admin.c, admin_cli.c). Every action writes its
	 * audit row in the same statement: $1 the admin, $2 the target user,
	 * $3 the admin's address. */
	[STMT_ADMIN_CLI_ROLE] = {
		"WITH u AS (UPDATE users SET is_admin = $2::boolean"
		"   WHERE lower(nickname) = lower($1) AND NOT is_system AND deleted_at IS NULL"
		"   RETURNING id, nickname),"
		" a AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT NULL, CASE WHEN $2::boolean THEN 'user.promote' ELSE 'user.demote' END,"
		"   'user:' || id, 'cli', json_build_object('nickname', nickname, 'via', 'cli') FROM u)"
		" SELECT id FROM u", 2},
	/* $1 presence time-to-live in seconds. Active: a session used or a
	 * message sent; messages: those people sent (not service messages,
	 * not the welcome); today: since 00:00 UTC; week: the last 7 days. */
	[STMT_ADMIN_DASHBOARD] = {
		"WITH act AS (SELECT s.user_id AS uid, s.last_seen_at AS at FROM sessions s"
		"   UNION ALL SELECT m.sender_id, m.created_at FROM messages m"
		"   WHERE m.created_at > now() - interval '7 days' AND m.kind <> 'service'),"
		" people AS (SELECT id FROM users WHERE NOT is_system AND deleted_at IS NULL),"
		" msg AS (SELECT m.created_at FROM messages m JOIN users s ON s.id = m.sender_id"
		"   WHERE NOT s.is_system AND m.kind <> 'service'"
		"   AND m.created_at > now() - interval '7 days')"
		" SELECT (SELECT count(*) FROM people),"
		"  (SELECT count(DISTINCT uid) FROM act WHERE uid IN (SELECT id FROM people)"
		"    AND at >= date_trunc('day', now())),"
		"  (SELECT count(DISTINCT uid) FROM act WHERE uid IN (SELECT id FROM people)"
		"    AND at > now() - interval '7 days'),"
		"  (SELECT count(*) FROM msg WHERE created_at >= date_trunc('day', now())),"
		"  (SELECT count(*) FROM msg),"
		"  (SELECT count(*) FROM presence p WHERE p.connections > 0"
		"    AND p.seen_at > now() - make_interval(secs => $1)),"
		"  (SELECT count(*) FROM chats),"
		"  (SELECT count(*) FROM chats WHERE kind = 'group'),"
		"  (SELECT coalesce(sum(size), 0) FROM files),"
		"  (SELECT count(*) FROM files),"
		"  pg_database_size(current_database()),"
		"  (SELECT count(*) FROM people p JOIN users u ON u.id = p.id"
		"    WHERE u.deactivated_at IS NOT NULL)", 1},
	/* The last 30 days (UTC), oldest first: day, messages, active senders. */
	[STMT_ADMIN_ACTIVITY] = {
		"SELECT to_char(d.day, 'YYYY-MM-DD'), count(m.created_at), count(DISTINCT m.sender_id)"
		" FROM generate_series(date_trunc('day', now()) - interval '29 days',"
		"   date_trunc('day', now()), interval '1 day') d(day)"
		" LEFT JOIN (SELECT x.created_at, x.sender_id FROM messages x"
		"   JOIN users s ON s.id = x.sender_id"
		"   WHERE NOT s.is_system AND x.kind <> 'service'"
		"   AND x.created_at >= date_trunc('day', now()) - interval '29 days') m"
		"   ON m.created_at >= d.day AND m.created_at < d.day + interval '1 day'"
		" GROUP BY d.day ORDER BY d.day", 0},
	/* $1 search text ('' all: nickname, name or email containing it),
	 * $2 filter (all | active | deactivated | admins), $3 sort (newest |
	 * oldest | nickname | last_seen), $4 limit, $5 offset. Columns: id,
	 * nickname, name, email, is_admin, deactivated, created, last seen,
	 * the total matching. */
	[STMT_ADMIN_USERS] = {
		"SELECT u.id, u.nickname, u.name, u.email, u.is_admin, u.deactivated_at IS NOT NULL,"
		" " ISO("u.created_at") ", " ISO("ls.at") ", count(*) OVER ()"
		" FROM users u LEFT JOIN LATERAL (SELECT max(s.last_seen_at) AS at FROM sessions s"
		"   WHERE s.user_id = u.id) ls ON true"
		" WHERE NOT u.is_system AND u.deleted_at IS NULL"
		" AND ($1 = '' OR messly_fold(u.nickname) LIKE '%' || messly_like_escape(messly_fold($1)) || '%'"
		"   OR u.name_key LIKE '%' || messly_like_escape(messly_fold($1)) || '%'"
		"   OR lower(u.email) LIKE '%' || messly_like_escape(lower($1)) || '%')"
		" AND ($2 = 'all' OR ($2 = 'active' AND u.deactivated_at IS NULL)"
		"   OR ($2 = 'deactivated' AND u.deactivated_at IS NOT NULL)"
		"   OR ($2 = 'admins' AND u.is_admin))"
		" ORDER BY CASE WHEN $3 = 'nickname' THEN lower(u.nickname) END COLLATE \"C\","
		"   CASE WHEN $3 = 'last_seen' THEN ls.at END DESC NULLS LAST,"
		"   CASE WHEN $3 = 'oldest' THEN u.id END, u.id DESC"
		" LIMIT $4::int OFFSET $5::int", 5, true},
	/* $1 user id. Columns 0-7 as STMT_ADMIN_USERS, 8 about, 9 lang, 10
	 * chats, 11 files uploaded, 12 their bytes, 13 messages sent. */
	[STMT_ADMIN_USER] = {
		"SELECT u.id, u.nickname, u.name, u.email, u.is_admin, u.deactivated_at IS NOT NULL,"
		" " ISO("u.created_at") ","
		" " ISO("(SELECT max(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id)") ","
		" u.about, u.lang,"
		" (SELECT count(*) FROM members mb WHERE mb.user_id = u.id),"
		" (SELECT count(*) FROM files f WHERE f.uploader_id = u.id),"
		" (SELECT coalesce(sum(f.size), 0) FROM files f WHERE f.uploader_id = u.id),"
		" (SELECT count(*) FROM messages m WHERE m.sender_id = u.id)"
		" FROM users u WHERE u.id = $1 AND NOT u.is_system AND u.deleted_at IS NULL", 1},
	[STMT_ADMIN_USER_SESSIONS] = {
		"SELECT s.id, s.kind, s.user_agent, s.ip, " ISO("s.created_at") ", " ISO("s.last_seen_at")
		" FROM sessions s WHERE s.user_id = $1 AND s.expires_at > now()"
		" ORDER BY s.last_seen_at DESC LIMIT 100", 1},
	[STMT_ADMIN_DEACTIVATE] = {
		"WITH u AS (UPDATE users SET deactivated_at = now()"
		"   WHERE id = $2 AND id <> $1 AND NOT is_system AND deleted_at IS NULL"
		"   AND deactivated_at IS NULL RETURNING id, nickname),"
		" s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u)),"
		" a AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'user.deactivate', 'user:' || id, $3, json_build_object('nickname', nickname)"
		"   FROM u)"
		" SELECT id FROM u", 3},
	[STMT_ADMIN_REACTIVATE] = {
		"WITH u AS (UPDATE users SET deactivated_at = NULL"
		"   WHERE id = $2 AND NOT is_system AND deleted_at IS NULL"
		"   AND deactivated_at IS NOT NULL RETURNING id, nickname),"
		" a AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'user.reactivate', 'user:' || id, $3, json_build_object('nickname', nickname)"
		"   FROM u)"
		" SELECT id FROM u", 3},
	/* $4 true: promote, false: demote (never oneself: no lock-out). */
	[STMT_ADMIN_ROLE] = {
		"WITH u AS (UPDATE users SET is_admin = $4::boolean"
		"   WHERE id = $2 AND NOT is_system AND deleted_at IS NULL AND is_admin <> $4::boolean"
		"   AND NOT (id = $1 AND NOT $4::boolean) RETURNING id, nickname),"
		" a AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, CASE WHEN $4::boolean THEN 'user.promote' ELSE 'user.demote' END,"
		"   'user:' || id, $3, json_build_object('nickname', nickname) FROM u)"
		" SELECT id FROM u", 4},
	[STMT_ADMIN_SESSIONS_END] = {
		"WITH u AS (SELECT id, nickname FROM users"
		"   WHERE id = $2 AND NOT is_system AND deleted_at IS NULL),"
		" s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u) RETURNING 1),"
		" a AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'user.sessions_end', 'user:' || id, $3,"
		"   json_build_object('nickname', nickname, 'ended', (SELECT count(*) FROM s)) FROM u)"
		" SELECT id, (SELECT count(*) FROM s) FROM u", 3},
	/* $4 the new scrypt hash (never in the audit row). */
	[STMT_ADMIN_PASSWORD] = {
		"WITH u AS (UPDATE users SET password_hash = $4"
		"   WHERE id = $2 AND NOT is_system AND deleted_at IS NULL RETURNING id, nickname),"
		" s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u)),"
		" a AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'user.password', 'user:' || id, $3, json_build_object('nickname', nickname)"
		"   FROM u)"
		" SELECT id FROM u", 4},
	/* As STMT_ACCOUNT_DELETE (the row stays as the anonymous sender of
	 * its messages), by an admin, never oneself. */
	[STMT_ADMIN_DELETE] = {
		"WITH old AS (SELECT id, nickname FROM users"
		"   WHERE id = $2 AND id <> $1 AND NOT is_system AND deleted_at IS NULL),"
		" u AS (UPDATE users SET email = NULL, password_hash = NULL,"
		"   name = 'Deleted account', nickname = 'deleted_' || id, about = '', lang = 'en',"
		"   theme = 'system', privacy = 'nobody', notify = false, notify_preview = false,"
		"   is_admin = false, deleted_at = now()"
		"   WHERE id IN (SELECT id FROM old) RETURNING id),"
		" s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u)),"
		" b AS (DELETE FROM blocks WHERE blocker_id IN (SELECT id FROM u)"
		"   OR blocked_id IN (SELECT id FROM u)),"
		/* $4 true: their messages go too, each as a deletion that takes
		 * its chat's next seq (clients catch up on the jump) */
		" msgs AS (SELECT id, chat_id, row_number() OVER (PARTITION BY chat_id ORDER BY seq) AS i"
		"   FROM messages WHERE $4::boolean AND sender_id IN (SELECT id FROM old)"
		"   AND deleted_at IS NULL AND kind <> 'service'),"
		" per AS (SELECT chat_id, count(*) AS n FROM msgs GROUP BY chat_id),"
		" bump AS (UPDATE chats c SET last_seq = c.last_seq + per.n FROM per"
		"   WHERE c.id = per.chat_id RETURNING c.id, c.last_seq, per.n),"
		" gone AS (UPDATE messages m SET body = '', html = '', deleted_at = now(),"
		"   version_seq = bump.last_seq - bump.n + msgs.i FROM msgs JOIN bump ON bump.id = msgs.chat_id"
		"   WHERE m.id = msgs.id RETURNING m.id),"
		" rx AS (DELETE FROM reactions WHERE message_id IN (SELECT id FROM gone)),"
		" a AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'user.delete', 'user:' || id, $3, json_build_object('nickname', nickname,"
		"   'messages_deleted', (SELECT count(*) FROM msgs))"
		"   FROM old)"
		" SELECT id FROM u", 4},
	/* $1 admin nickname ('' any), $2 action ('' any), $3 from date, $4 to
	 * date (NULL: open), $5 limit, $6 offset. */
	[STMT_ADMIN_AUDIT] = {
		"SELECT l.id, " ISO("l.created_at") ", a.nickname, l.action, l.target, l.ip,"
		" coalesce(l.detail::text, '{}'), count(*) OVER ()"
		" FROM audit_log l LEFT JOIN users a ON a.id = l.actor_id"
		" WHERE ($1 = '' OR lower(a.nickname) = lower($1))"
		" AND ($2 = '' OR l.action = $2)"
		" AND ($3::date IS NULL OR l.created_at >= $3::date)"
		" AND ($4::date IS NULL OR l.created_at < $4::date + 1)"
		" ORDER BY l.created_at DESC, l.id DESC LIMIT $5::int OFFSET $6::int", 6, true},
	/* $1 title or a member's nickname ('' all), $2 all | direct | group,
	 * $3 limit, $4 offset. Columns: id, kind, title, the members'
	 * nicknames (direct chats), members, messages (people's, not
	 * deleted), last activity, created, the total matching. */
	[STMT_ADMIN_CHATS] = {
		"SELECT c.id, c.kind, c.title,"
		" (SELECT string_agg(u.nickname, ', ' ORDER BY u.nickname) FROM members m"
		"   JOIN users u ON u.id = m.user_id WHERE m.chat_id = c.id AND c.kind = 'direct'),"
		" (SELECT count(*) FROM members m WHERE m.chat_id = c.id),"
		" (SELECT count(*) FROM messages x WHERE x.chat_id = c.id AND x.kind <> 'service'"
		"   AND x.deleted_at IS NULL),"
		" " ISO("c.last_message_at") ", " ISO("c.created_at") ", count(*) OVER ()"
		" FROM chats c"
		" WHERE ($2 = 'all' OR c.kind = $2)"
		" AND ($1 = '' OR messly_fold(coalesce(c.title, '')) LIKE '%' || messly_like_escape(messly_fold($1)) || '%'"
		"   OR EXISTS (SELECT 1 FROM members m JOIN users u ON u.id = m.user_id"
		"     WHERE m.chat_id = c.id AND lower(u.nickname) = lower($1)))"
		" ORDER BY c.last_message_at DESC, c.id DESC LIMIT $3::int OFFSET $4::int", 4, true},
	/* $1 chat. Columns as STMT_ADMIN_CHATS (0-7) then the description. */
	[STMT_ADMIN_CHAT] = {
		"SELECT c.id, c.kind, c.title, NULL,"
		" (SELECT count(*) FROM members m WHERE m.chat_id = c.id),"
		" (SELECT count(*) FROM messages x WHERE x.chat_id = c.id AND x.kind <> 'service'"
		"   AND x.deleted_at IS NULL),"
		" " ISO("c.last_message_at") ", " ISO("c.created_at") ", c.description"
		" FROM chats c WHERE c.id = $1", 1},
	[STMT_ADMIN_CHAT_MEMBERS] = {
		"SELECT u.id, u.nickname, u.name, m.role, " ISO("m.joined_at")
		" FROM members m JOIN users u ON u.id = m.user_id WHERE m.chat_id = $1"
		" ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END,"
		" lower(u.nickname) LIMIT 1000", 1},
	/* $1 admin, $2 chat, $3 address, $4 the new name. The service
	 * messages of these statements have no sender: "An administrator". */
	[STMT_ADMIN_CHAT_RENAME] = {
		"WITH ok AS (SELECT c.title FROM chats c WHERE c.id = $2 AND c.kind = 'group'"
		"   AND c.title IS DISTINCT FROM $4::text),"
		" bump AS (UPDATE chats SET last_seq = last_seq + 1, last_message_at = now(), title = $4::text"
		"   WHERE id = $2 AND EXISTS (SELECT 1 FROM ok) RETURNING last_seq, last_message_at),"
		ADMIN_SVC_INS("jsonb_build_object('event', 'renamed', 'actor', " ADMIN_ACTOR
			", 'from', (SELECT title FROM ok), 'to', $4::text)")
		" aud AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'chat.rename', 'chat:' || $2::bigint, $3,"
		"   json_build_object('from', title, 'to', $4::text) FROM ok)"
		ADMIN_SVC_RESULT("EXISTS (SELECT 1 FROM ok)"), 4},
	/* $4 the member to remove (not the owner: transfer first). */
	[STMT_ADMIN_CHAT_REMOVE] = {
		"WITH gone AS (DELETE FROM members m USING chats c WHERE m.chat_id = $2 AND c.id = m.chat_id"
		"   AND c.kind = 'group' AND m.user_id = $4 AND m.role <> 'owner' RETURNING m.user_id),"
		SVC_BUMP("EXISTS (SELECT 1 FROM gone)")
		ADMIN_SVC_INS("jsonb_build_object('event', 'removed', 'actor', " ADMIN_ACTOR
			", 'target', " USER_JSON("$4") ")")
		" aud AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'chat.remove_member', 'chat:' || $2::bigint, $3,"
		"   json_build_object('user', $4::bigint, 'nickname', (SELECT nickname FROM users WHERE id = $4))"
		"   FROM gone)"
		ADMIN_SVC_RESULT("EXISTS (SELECT 1 FROM gone)"), 4},
	/* $4 the member who becomes owner; the old owner becomes an admin. */
	[STMT_ADMIN_CHAT_TRANSFER] = {
		"WITH t AS (SELECT 1 FROM members m JOIN chats c ON c.id = m.chat_id WHERE m.chat_id = $2"
		"   AND c.kind = 'group' AND m.user_id = $4 AND m.role <> 'owner'),"
		" upd AS (UPDATE members SET role = CASE WHEN user_id = $4 THEN 'owner' ELSE 'admin' END"
		"   WHERE chat_id = $2 AND (user_id = $4 OR role = 'owner') AND EXISTS (SELECT 1 FROM t)"
		"   RETURNING user_id),"
		SVC_BUMP("EXISTS (SELECT 1 FROM upd)")
		ADMIN_SVC_INS("jsonb_build_object('event', 'owner', 'actor', " ADMIN_ACTOR
			", 'target', " USER_JSON("$4") ")")
		" aud AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'chat.transfer', 'chat:' || $2::bigint, $3,"
		"   json_build_object('user', $4::bigint, 'nickname', (SELECT nickname FROM users WHERE id = $4))"
		"   WHERE EXISTS (SELECT 1 FROM upd))"
		ADMIN_SVC_RESULT("EXISTS (SELECT 1 FROM upd)"), 4},
	/* Columns: the deleted id (NULL: none), the recipients "id:lang,...". */
	[STMT_ADMIN_CHAT_DELETE] = {
		"WITH c AS (SELECT id, kind, title FROM chats WHERE id = $2),"
		" rcpt AS (SELECT string_agg(m.user_id || ':' || u.lang, ',') AS list FROM members m"
		"   JOIN users u ON u.id = m.user_id WHERE m.chat_id = $2),"
		" gone AS (DELETE FROM chats WHERE id IN (SELECT id FROM c) RETURNING id),"
		" aud AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'chat.delete', 'chat:' || id, $3, json_build_object('kind', kind, 'title', title)"
		"   FROM c)"
		" SELECT (SELECT id FROM gone), (SELECT list FROM rcpt)", 3},
	[STMT_SERVER_SETTINGS] = {
		"SELECT key, value FROM server_settings", 0},
	/* $1 lang, $2 a sign-up code or NULL. Columns: registration open, the
	 * welcome text for lang (NULL: the catalog's), the code consumed (true
	 * only while registration is closed and the code was valid). */
	[STMT_REGISTER_GATE] = {
		"WITH s AS (SELECT coalesce((SELECT value = 'true' FROM server_settings"
		"   WHERE key = 'registration_open'), true) AS open),"
		" taken AS (UPDATE signup_invites SET used_at = now() WHERE code = $2 AND used_at IS NULL"
		"   AND expires_at > now() AND NOT (SELECT open FROM s) RETURNING code)"
		" SELECT s.open, (SELECT value FROM server_settings WHERE key = 'welcome_' || $1),"
		" EXISTS (SELECT 1 FROM taken) FROM s", 2},
	/* $1 code, $2 the new user (NULL: registration failed, the link is
	 * free again). */
	[STMT_SIGNUP_INVITE_DONE] = {
		"UPDATE signup_invites SET used_by = $2::bigint,"
		" used_at = CASE WHEN $2::bigint IS NULL THEN NULL ELSE used_at END WHERE code = $1", 2},
	[STMT_UPLOAD_CAP] = {
		"SELECT value::bigint FROM server_settings WHERE key = 'max_upload'", 0},
	/* $1 admin, $2 address, $3 registration_open, $4 max_upload, $5
	 * welcome_en, $6 welcome_ru; '' removes a setting (the default). */
	[STMT_ADMIN_SETTINGS_SET] = {
		"WITH v(key, value) AS (VALUES ('registration_open', $3::text), ('max_upload', $4::text),"
		"   ('welcome_en', $5::text), ('welcome_ru', $6::text)),"
		" del AS (DELETE FROM server_settings s USING v WHERE s.key = v.key AND v.value = ''),"
		" up AS (INSERT INTO server_settings (key, value) SELECT key, value FROM v WHERE value <> ''"
		"   ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now() RETURNING key),"
		" aud AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'settings.update', 'server', $2, json_build_object('registration_open', $3::text,"
		"   'max_upload', $4::text, 'welcome_en', $5::text <> '', 'welcome_ru', $6::text <> ''))"
		" SELECT count(*) FROM up", 6},
	/* $1 admin, $2 address, $3 code, $4 seconds valid. */
	[STMT_ADMIN_INVITE_CREATE] = {
		"WITH ins AS (INSERT INTO signup_invites (code, created_by, expires_at)"
		"   VALUES ($3, $1, now() + make_interval(secs => $4::int)) RETURNING code, expires_at),"
		" aud AS (INSERT INTO audit_log (actor_id, action, target, ip, detail)"
		"   SELECT $1, 'signup_invite.create', 'signup_invite', $2,"
		"   json_build_object('expires_at', expires_at) FROM ins)"
		" SELECT code, " ISO("expires_at") " FROM ins", 4},
	[STMT_ADMIN_INVITES] = {
		"SELECT i.code, " ISO("i.created_at") ", " ISO("i.expires_at") ", u.nickname"
		" FROM signup_invites i LEFT JOIN users u ON u.id = i.created_by"
		" WHERE i.used_at IS NULL AND i.expires_at > now() ORDER BY i.created_at DESC LIMIT 100", 0},
	/* ---- integration ---- */
	/* The files the user uploaded in messages still there, oldest first. */
	[STMT_EXPORT_FILES] = {
		"SELECT f.id, f.chat_id, m.seq, f.name, f.type, f.size, f.sha256, " ISO("f.created_at")
		" FROM files f JOIN messages m ON m.id = f.message_id"
		" WHERE f.uploader_id = $1 AND m.deleted_at IS NULL ORDER BY f.id LIMIT 20000", 1},
	/* ---- message actions (h_messages.c): $1 the viewer, $2 the message.
	 * A change bumps the chat's seq under its row lock and sets the
	 * message's version_seq to it; it answers (chat, changed) for a member
	 * and no row for others; STMT_MSG_GET then reads the new state. */
	[STMT_MSG_GET] = {
		"SELECT m.chat_id, " MSG_COLS ","
		" (SELECT string_agg(user_id::text, ',') FROM members WHERE chat_id = m.chat_id),"
		" c.kind, mb.role"
		" FROM messages m JOIN members mb ON mb.chat_id = m.chat_id AND mb.user_id = $1"
		" JOIN chats c ON c.id = m.chat_id LEFT JOIN users s ON s.id = m.sender_id"
		" WHERE m.id = $2", 2},
	[STMT_MSG_EDIT] = {
		"WITH t AS (SELECT m.chat_id, m.sender_id = $1 AND m.kind = 'text'"
		"   AND m.deleted_at IS NULL AS ok FROM messages m"
		"   JOIN members mb ON mb.chat_id = m.chat_id AND mb.user_id = $1 WHERE m.id = $2),"
		" bump AS (UPDATE chats c SET last_seq = c.last_seq + 1 FROM t"
		"   WHERE c.id = t.chat_id AND t.ok RETURNING c.last_seq),"
		" up AS (UPDATE messages m SET body = $3, html = $4, edited_at = now(),"
		"   version_seq = bump.last_seq FROM bump WHERE m.id = $2 RETURNING m.id, m.seq),"
		/* mentions: the ones still written keep their user; new ones resolve now */
		" dm AS (DELETE FROM message_mentions d USING up WHERE d.message_id = up.id"
		"   AND NOT coalesce(d.written = ANY($5::text[]), false)),"
		" am AS (" MENTIONS_INSERT("$5", "(SELECT chat_id FROM t)", "up") ")"
		" SELECT t.chat_id, EXISTS (SELECT 1 FROM up) FROM t", 5},
	/* the author, or an owner or admin of a group; the text is dropped */
	[STMT_MSG_DELETE] = {
		"WITH t AS (SELECT m.chat_id, m.deleted_at IS NULL AND m.kind <> 'service'"
		"   AND (m.sender_id = $1 OR (c.kind = 'group' AND mb.role IN ('owner', 'admin'))) AS ok"
		"   FROM messages m JOIN chats c ON c.id = m.chat_id"
		"   JOIN members mb ON mb.chat_id = m.chat_id AND mb.user_id = $1 WHERE m.id = $2),"
		" bump AS (UPDATE chats c SET last_seq = c.last_seq + 1 FROM t"
		"   WHERE c.id = t.chat_id AND t.ok RETURNING c.last_seq),"
		" up AS (UPDATE messages m SET body = '', html = '', deleted_at = now(),"
		"   version_seq = bump.last_seq FROM bump WHERE m.id = $2 RETURNING m.id),"
		" rx AS (DELETE FROM reactions WHERE message_id IN (SELECT id FROM up))"
		" SELECT t.chat_id, EXISTS (SELECT 1 FROM up) FROM t", 2},
	/* $3 the emoji, $4 'add', 'remove' or 'toggle'; col 2: the message
	 * already has REACTIONS_MAX other emoji (nothing added) */
	[STMT_REACT] = {
		"WITH t AS (SELECT m.id, m.chat_id FROM messages m"
		"   JOIN members mb ON mb.chat_id = m.chat_id AND mb.user_id = $1"
		"   WHERE m.id = $2 AND m.deleted_at IS NULL AND m.kind <> 'service' FOR UPDATE OF m),"
		" had AS (SELECT 1 FROM reactions WHERE message_id = $2 AND user_id = $1 AND emoji = $3),"
		" cap AS (SELECT count(DISTINCT emoji) >= " REACTIONS_MAX " AND NOT bool_or(emoji = $3) AS f"
		"   FROM reactions WHERE message_id = $2),"
		" ins AS (INSERT INTO reactions (message_id, user_id, emoji) SELECT t.id, $1, $3 FROM t"
		"   WHERE NOT EXISTS (SELECT 1 FROM had) AND $4 <> 'remove'"
		"   AND NOT coalesce((SELECT f FROM cap), false) ON CONFLICT DO NOTHING RETURNING 1),"
		" del AS (DELETE FROM reactions r USING t WHERE r.message_id = t.id AND r.user_id = $1"
		"   AND r.emoji = $3 AND $4 <> 'add' RETURNING 1),"
		" bump AS (UPDATE chats c SET last_seq = c.last_seq + 1 FROM t WHERE c.id = t.chat_id"
		"   AND (EXISTS (SELECT 1 FROM ins) OR EXISTS (SELECT 1 FROM del)) RETURNING c.last_seq),"
		" up AS (UPDATE messages m SET version_seq = bump.last_seq FROM bump WHERE m.id = $2"
		"   RETURNING m.id)"
		" SELECT t.chat_id, EXISTS (SELECT 1 FROM up), coalesce((SELECT f FROM cap), false)"
		"   AND NOT EXISTS (SELECT 1 FROM had) AND $4 <> 'remove' FROM t", 4},
	/* who reacted with what: one row per reaction (NULLs: none), in
	 * first-use order of the emoji */
	[STMT_REACTIONS_LIST] = {
		"SELECT m.chat_id, r.emoji, u.id, u.nickname, u.name FROM messages m"
		" JOIN members mb ON mb.chat_id = m.chat_id AND mb.user_id = $1"
		" LEFT JOIN (SELECT x.*, min(x.created_at) OVER (PARTITION BY x.emoji) AS first"
		"   FROM reactions x WHERE x.message_id = $2) r ON true"
		" LEFT JOIN users u ON u.id = r.user_id"
		" WHERE m.id = $2 AND m.deleted_at IS NULL ORDER BY r.first, r.emoji, r.created_at", 2},
	/* Forward text or file message $2 (the viewer a member of its chat)
	 * into chat $3 (a member, not blocked there) as the viewer's new
	 * message naming the original author; $4 client id. A file message's
	 * files are copied as rows of the target chat (the blobs are shared by
	 * hash), so its members are the ones allowed to fetch them. (source
	 * found, target ok, new id) */
	[STMT_FORWARD] = {
		"WITH src AS (SELECT m.kind, m.body, m.html, coalesce(m.forwarded_from, m.sender_id) AS author"
		"   FROM messages m JOIN members mb ON mb.chat_id = m.chat_id AND mb.user_id = $1"
		"   WHERE m.id = $2 AND m.deleted_at IS NULL AND m.kind IN ('text', 'file')),"
		" tgt AS (SELECT 1 FROM members WHERE chat_id = $3 AND user_id = $1"
		"   AND NOT messly_direct_blocked($3, $1)),"
		" bump AS (UPDATE chats SET last_seq = last_seq + 1, last_message_at = now()"
		"   WHERE id = $3 AND EXISTS (SELECT 1 FROM src) AND EXISTS (SELECT 1 FROM tgt)"
		"   RETURNING last_seq, last_message_at),"
		" ins AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html,"
		"   client_id, created_at, forwarded_from)"
		"   SELECT $3, bump.last_seq, bump.last_seq, $1, src.kind, src.body, src.html, $4,"
		"   bump.last_message_at, src.author FROM bump, src RETURNING id, seq),"
		" fc AS (INSERT INTO files (chat_id, message_id, position, uploader_id, kind, name, type,"
		"   size, sha256, width, height, view_sha256, view_width, view_height, thumb_sha256,"
		"   thumb_width, thumb_height, as_file)"
		"   SELECT $3, ins.id, f.position, $1, f.kind, f.name, f.type, f.size, f.sha256, f.width,"
		"   f.height, f.view_sha256, f.view_width, f.view_height, f.thumb_sha256, f.thumb_width,"
		"   f.thumb_height, f.as_file FROM ins, files f WHERE f.message_id = $2),"
		" rd AS (UPDATE members SET last_read_seq = ins.seq FROM ins"
		"   WHERE members.chat_id = $3 AND members.user_id = $1)"
		" SELECT EXISTS (SELECT 1 FROM src), EXISTS (SELECT 1 FROM tgt), (SELECT id FROM ins)", 4},
	/* Pin ($3 'pin') or unpin a message: group owner and admins, both
	 * people of a direct chat. The chat's seq goes up by two: the message's
	 * new version, then the service message. (chat, allowed, service id,
	 * recipients "id:lang,...") for a member; no row for others. */
	[STMT_PIN] = {
		"WITH mem AS (SELECT m.chat_id, m.seq, c.kind = 'direct' OR mb.role IN ('owner', 'admin') AS may,"
		"   m.deleted_at IS NULL AND m.kind <> 'service' AND (($3 = 'pin') = (m.pinned_at IS NULL)) AS todo,"
		"   left(m.body, 100) AS text FROM messages m JOIN chats c ON c.id = m.chat_id"
		"   JOIN members mb ON mb.chat_id = m.chat_id AND mb.user_id = $1 WHERE m.id = $2),"
		" bump AS (UPDATE chats c SET last_seq = c.last_seq + 2, last_message_at = now() FROM mem"
		"   WHERE c.id = mem.chat_id AND mem.may AND mem.todo"
		"   RETURNING c.id, c.last_seq, c.last_message_at),"
		" up AS (UPDATE messages m SET pinned_at = CASE WHEN $3 = 'pin' THEN now() END,"
		"   pinned_by = CASE WHEN $3 = 'pin' THEN $1::bigint END, version_seq = bump.last_seq - 1"
		"   FROM bump WHERE m.id = $2 RETURNING m.id),"
		" ins AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html, created_at)"
		"   SELECT bump.id, bump.last_seq, bump.last_seq, $1, 'service',"
		"   jsonb_build_object('event', CASE WHEN $3 = 'pin' THEN 'pinned' ELSE 'unpinned' END,"
		"   'actor', " USER_JSON("$1") ", 'message', $2::bigint, 'seq', mem.seq,"
		"   'text', mem.text)::text, '', bump.last_message_at FROM bump, mem RETURNING id)"
		" SELECT mem.chat_id, mem.may, (SELECT id FROM ins),"
		"   (SELECT string_agg(x.user_id || ':' || u.lang, ',') FROM members x"
		"     JOIN users u ON u.id = x.user_id WHERE x.chat_id = mem.chat_id)"
		" FROM mem", 3},
	/* The pinned messages of a chat, newest pin first; one row of NULL
	 * message columns when none; no row for a stranger. */
	[STMT_PINS] = {
		"SELECT mb.chat_id, " MSG_COLS " FROM members mb"
		" LEFT JOIN messages m ON m.chat_id = mb.chat_id AND m.pinned_at IS NOT NULL"
		"   AND m.deleted_at IS NULL"
		" LEFT JOIN users s ON s.id = m.sender_id"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1 ORDER BY m.pinned_at DESC LIMIT 100", 2},
	/* ---- mentions (h_mentions.c) */
	/* Members of chat $2 (the viewer $1 one of them) to suggest for "@$3":
	 * nickname or a word of the name starting with $3, not the viewer; one
	 * row of NULLs after the chat id when none; no row for a stranger. */
	[STMT_MENTION_CANDIDATES] = {
		"SELECT mb.chat_id, u.id, u.nickname, u.name, u.avatar_id FROM members mb"
		" LEFT JOIN LATERAL (SELECT u.id, u.nickname, u.name, u.avatar_id FROM members x"
		"   JOIN users u ON u.id = x.user_id WHERE x.chat_id = mb.chat_id AND u.id <> $1"
		"   AND NOT u.is_system AND u.deleted_at IS NULL"
		"   AND (lower(u.nickname) LIKE (SELECT messly_like_escape(lower($3)) || '%')"
		"     OR u.name_key LIKE (SELECT messly_like_escape(messly_fold($3)) || '%')"
		"     OR u.name_key LIKE (SELECT '% ' || messly_like_escape(messly_fold($3)) || '%'))"
		"   ORDER BY lower(u.nickname) LIKE (SELECT messly_like_escape(lower($3)) || '%') DESC,"
		"   lower(u.nickname) LIMIT $4::int) u ON true"
		" WHERE mb.chat_id = $2 AND mb.user_id = $1", 4},
	/* STMT_MESSAGES_BEFORE identifying the viewer itself (R_SELF_AUTH):
	 * $1 the session's token hash, $5 the address; each row ends with the
	 * viewer's AUTH_ME_COLS columns; no row: no such session, or not a member. */
	[STMT_MESSAGES_BEFORE_ME] = {
		"WITH" SESSION_ME("$1", "$5") ","
		" h AS (" HISTORY_FOR(ME_ID, "x.seq < $3", "seq", "DESC") ")"
		" SELECT h.*, me.* FROM h, me ORDER BY h.seq", 5},
	/* STMT_PRESENCE_GET's row for the other member of direct chat $2 of
	 * viewer $1 (none for a group or a stranger), so that the chat page
	 * can ask before it knows the peer ($3 the TTL; no peers column) */
	[STMT_PRESENCE_PEER] = {
		PRESENCE_SELECT("false") " FROM members mb JOIN chats dc ON dc.id = mb.chat_id AND dc.kind = 'direct'"
		" JOIN members o ON o.chat_id = dc.id AND o.user_id <> mb.user_id"
		" JOIN users u ON u.id = o.user_id LEFT JOIN presence p ON p.user_id = u.id"
		" WHERE mb.chat_id = " OPAQUE("$2::bigint") " AND mb.user_id = $1", 3},
};

struct db {
	char *conninfo;
	PGconn *conn;
	bool ready; /* connected */
	bool prepared[STMT__MAX]; /* on this connection, prepared at first use */
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
	memset(db->prepared, 0, sizeof(db->prepared));
	db->ready = true;
	return 0;
}

static void pqclear_cb(void *p) { PQclear(p); }

/* Statements that may run again after the connection broke mid-way:
 * reads, and writes that are idempotent (STMT_SEND by client_id). */
static bool retry_safe(enum stmt s)
{
	/* A whitelist: a statement added later is not retried until someone
	 * decides it is safe. */
	switch (s) {
	case STMT_SESSION_USER:
	case STMT_LOGIN_LOOKUP:
	case STMT_USERS_SEARCH:
	case STMT_SET_LANG:
	case STMT_CHATS_LIST:
	case STMT_CHAT_GET:
	case STMT_MESSAGES_BEFORE:
	case STMT_MESSAGES_BEFORE_ME:
	case STMT_EVENTS_AFTER:
	case STMT_SEND: /* idempotent by client_id */
	case STMT_READ:
	case STMT_GROUP_INFO:
	case STMT_GROUP_ROLES:
	case STMT_INVITES_LIST:
	case STMT_INVITE_GET:
	case STMT_USER_PROFILE:
	case STMT_ME_SECRET:
	case STMT_SESSIONS_LIST:
	case STMT_BLOCKS_LIST:
	case STMT_BLOCK_STATE:
	case STMT_EXPORT_CHATS:
	case STMT_EXPORT_MESSAGES:
	case STMT_MEMBER:
	case STMT_SEND_FILES: /* idempotent by client_id */
	case STMT_FILE_GET:
	case STMT_FILES_LIST:
	case STMT_AVATAR_GET:
	case STMT_HEALTH:
	case STMT_EXPORT_FILES:
	case STMT_MSG_GET:
	case STMT_REACTIONS_LIST:
	case STMT_PINS:
	case STMT_MESSAGES_AROUND: /* the reads of the chat page's batch */
	case STMT_RECEIPTS:
	case STMT_PRESENCE_GET:
	case STMT_PRESENCE_PEER:
		return true;
	default:
		return false;
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

/* Each statement is prepared on a connection the first time it runs there:
 * an idle worker's backend holds no plans it never uses (the idle
 * footprint), and a busy one prepares each statement once. NULL when s is
 * prepared (or is planned on every run), else the failed prepare's result. */
static PGresult *prepare_once(struct db *db, enum stmt s)
{
	if (statements[s].replan || db->prepared[s])
		return NULL;
	char name[16];
	snprintf(name, sizeof(name), "s%d", (int)s);
	PGresult *res = PQprepare(db->conn, name, statements[s].sql, statements[s].nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("prepare statement %d: %s", (int)s, PQerrorMessage(db->conn));
		return res;
	}
	PQclear(res);
	db->prepared[s] = true;
	return NULL;
}

/* A failed prepare's result is returned as the statement's. */
static PGresult *exec_prepared(struct db *db, enum stmt s, const char *const *params, int n)
{
	char name[16];
	snprintf(name, sizeof(name), "s%d", (int)s);
	if (statements[s].replan)
		return PQexecParams(db->conn, statements[s].sql, n, NULL, params, NULL, NULL, 0);
	PGresult *failed = prepare_once(db, s);
	if (failed)
		return failed;
	return PQexecPrepared(db->conn, name, n, params, NULL, NULL, 0);
}

/* The status of a statement's result that is not a connection failure. */
static enum db_status result_status(struct db *db, enum stmt s, const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return DB_OK;
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state && strcmp(state, "23505") == 0) {
		const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
		snprintf(db->conflict, sizeof(db->conflict), "%s", c ? c : "");
		return DB_CONFLICT;
	}
	log_error("statement %d failed: %s", (int)s, PQresultErrorMessage(res));
	return DB_ERROR;
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
	return result_status(db, s, res);
}

/* ---- batches (libpq pipeline mode) */

int db_batch_add(struct req *r, struct db_batch *b, enum stmt s, const char *const *params,
		 int n)
{
	if (b->n >= DB_BATCH_MAX || s < 0 || s >= STMT__MAX || n != statements[s].nparams) {
		log_error("db_batch_add: statement %d given %d parameters (%d queued)", (int)s, n, b->n);
		b->bad = true;
		return -1;
	}
	const char **copy = arena_calloc(&r->arena, n ? (size_t)n : 1, sizeof(*copy));
	for (int i = 0; i < n; i++)
		copy[i] = params[i];
	b->calls[b->n] = (struct db_call){.s = s, .params = copy, .nparams = n, .st = DB_ERROR};
	return b->n++;
}

/* Queue one call and its Sync (each statement its own transaction, as with
 * db_run). PQpipelineSync flushes: the server starts on a statement while
 * the next is sent, and nothing waits for an answer until all are out. The
 * parameters are a few short numbers, so the blocking sends cannot fill
 * the socket while the server waits for us to read (the pipeline deadlock). */
static bool batch_send(struct db *db, const struct db_call *c)
{
	const char *sql = statements[c->s].sql;
	int sent;
	if (statements[c->s].replan) {
		sent = PQsendQueryParams(db->conn, sql, c->nparams, NULL, c->params, NULL, NULL, 0);
	} else {
		char name[16];
		snprintf(name, sizeof(name), "s%d", (int)c->s);
		sent = PQsendQueryPrepared(db->conn, name, c->nparams, c->params, NULL, NULL, 0);
	}
	return sent == 1 && PQpipelineSync(db->conn) == 1;
}

/* The result of the next queued call, read up to its Sync (NULL when the
 * connection gave none). Each call's result is followed by a NULL and then
 * PGRES_PIPELINE_SYNC; a broken connection gives an error and then only NULLs. */
static PGresult *batch_result(struct req *r, PGconn *conn)
{
	PGresult *first = NULL;
	for (int nulls = 0; nulls < 2;) {
		PGresult *res = PQgetResult(conn);
		if (res == NULL) {
			nulls++;
			continue;
		}
		nulls = 0;
		if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			return first;
		}
		arena_defer(&r->arena, pqclear_cb, res);
		if (first == NULL)
			first = res;
	}
	return first;
}

/* Prepare what this connection lacks, before the pipeline (a first use
 * costs its one round trip once per connection). false when the
 * connection failed; a statement whose prepare failed is marked DB_ERROR
 * and not sent (skip[i]). */
static bool batch_prepare(struct req *r, struct db *db, struct db_batch *b, bool *skip)
{
	for (int i = 0; i < b->n; i++) {
		PGresult *failed = prepare_once(db, b->calls[i].s);
		if (failed == NULL)
			continue;
		arena_defer(&r->arena, pqclear_cb, failed);
		if (connection_failed(db->conn, failed))
			return false;
		b->calls[i].st = DB_ERROR;
		skip[i] = true;
	}
	return true;
}

/* One attempt on a connected db; false when the connection failed. */
static bool batch_once(struct req *r, struct db *db, struct db_batch *b)
{
	bool skip[DB_BATCH_MAX] = {false};
	if (!batch_prepare(r, db, b, skip) || PQenterPipelineMode(db->conn) != 1)
		return false;
	bool ok = true;
	for (int i = 0; i < b->n && ok; i++)
		ok = skip[i] || batch_send(db, &b->calls[i]);
	for (int i = 0; i < b->n && ok; i++) {
		struct db_call *c = &b->calls[i];
		if (skip[i])
			continue;
		c->res = batch_result(r, db->conn);
		ExecStatusType st = c->res ? PQresultStatus(c->res) : PGRES_FATAL_ERROR;
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			c->st = DB_OK;
			continue;
		}
		if (c->res == NULL || connection_failed(db->conn, c->res)) {
			c->res = NULL;
			ok = false;
			break;
		}
		c->st = result_status(db, c->s, c->res);
		c->res = NULL;
	}
	return PQexitPipelineMode(db->conn) == 1 && ok;
}

enum db_status db_batch_run(struct req *r, struct db_batch *b)
{
	struct db *db = r->w->db;
	if (b->bad)
		return DB_ERROR;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (db_connect(db) != 0)
			return DB_UNAVAILABLE;
		if (batch_once(r, db, b))
			return DB_OK;
		log_error("database connection lost in a batch: %s", PQerrorMessage(db->conn));
		db->ready = false; /* PQreset at the next connect also ends pipeline mode */
		bool again = true;
		for (int i = 0; i < b->n; i++) {
			again = again && retry_safe(b->calls[i].s);
			b->calls[i].st = DB_ERROR;
			b->calls[i].res = NULL;
		}
		if (!again) {
			db_connect(db);
			return DB_UNAVAILABLE;
		}
	}
	return DB_UNAVAILABLE;
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
