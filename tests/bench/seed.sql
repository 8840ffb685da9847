-- seed.sql: the benchmark's data, written straight into the schema the app uses
-- (what the app would have stored, without a million HTTP requests):
--   20,000 users "benchK" (K = 1..20000), each with a bearer session whose token is
--     hex(sha256("messly-bench-K")) (bench.mjs derives the same tokens);
--   1,000 direct chats, chat I between users 2I-1 and 2I, with 1,000 messages each
--     (one million messages in all), read to the end;
--   4 groups "bench-group-G" of 1,000 members each (users 2001..6000, disjoint);
--   a searcher "benchsearch" (token hex(sha256("messly-bench-search"))), a third
--     member of the last 50 direct chats (50,000 messages of the million to search).
SET synchronous_commit = off;

INSERT INTO users (email, nickname, name)
SELECT 'bench' || k || '@bench.invalid', 'bench' || k, 'Bench user ' || k
FROM generate_series(1, 20000) k;

CREATE TEMP TABLE bu AS
SELECT substr(nickname, 6)::int AS k, id FROM users WHERE nickname ~ '^bench[0-9]+$';
CREATE UNIQUE INDEX ON bu (k);

INSERT INTO sessions (token_hash, user_id, kind, expires_at)
SELECT sha256(convert_to(encode(sha256(convert_to('messly-bench-' || k, 'UTF8')), 'hex'), 'UTF8')),
       id, 'bearer', now() + interval '1 day'
FROM bu;

CREATE TEMP TABLE dc AS
SELECT i, a.id AS ua, b.id AS ub, least(a.id, b.id) || ':' || greatest(a.id, b.id) AS key
FROM generate_series(1, 1000) i JOIN bu a ON a.k = 2 * i - 1 JOIN bu b ON b.k = 2 * i;

INSERT INTO chats (kind, direct_key, last_seq) SELECT 'direct', key, 1000 FROM dc;
ALTER TABLE dc ADD COLUMN chat_id bigint;
UPDATE dc SET chat_id = c.id FROM chats c WHERE c.direct_key = dc.key;

INSERT INTO members (chat_id, user_id, last_read_seq)
SELECT chat_id, ua, 1000 FROM dc UNION ALL SELECT chat_id, ub, 1000 FROM dc;

INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html, created_at)
SELECT dc.chat_id, s, s, CASE WHEN s % 2 = 1 THEN dc.ua ELSE dc.ub END, 'text',
       t.body, '<p>' || t.body || '</p>', now() - (1000 - s) * interval '1 minute'
FROM dc, generate_series(1, 1000) s,
LATERAL (SELECT 'Message ' || s || ' of chat ' || dc.i || ': ' ||
    (ARRAY['the quick brown fox jumps over the lazy dog', 'lunch at noon?',
           'see the attached plan for the next release', 'пример текста на русском языке',
           'the deploy went fine, thanks everyone', 'the meeting moved to friday afternoon'])
    [1 + (s * 7 + dc.i) % 6] AS body) t;

INSERT INTO chats (kind, title) SELECT 'group', 'bench-group-' || g FROM generate_series(1, 4) g;
INSERT INTO members (chat_id, user_id, role)
SELECT c.id, bu.id, CASE WHEN bu.k = 2001 + (g - 1) * 1000 THEN 'owner' ELSE 'member' END
FROM generate_series(1, 4) g
JOIN chats c ON c.kind = 'group' AND c.title = 'bench-group-' || g
JOIN bu ON bu.k BETWEEN 2001 + (g - 1) * 1000 AND 2000 + g * 1000;

INSERT INTO users (email, nickname, name) VALUES ('benchsearch@bench.invalid', 'benchsearch', 'Bench searcher');
INSERT INTO sessions (token_hash, user_id, kind, expires_at)
SELECT sha256(convert_to(encode(sha256(convert_to('messly-bench-search', 'UTF8')), 'hex'), 'UTF8')),
       id, 'bearer', now() + interval '1 day'
FROM users WHERE nickname = 'benchsearch';
INSERT INTO members (chat_id, user_id, last_read_seq)
SELECT dc.chat_id, u.id, 1000 FROM dc, users u WHERE dc.i > 950 AND u.nickname = 'benchsearch';

VACUUM ANALYZE;
