-- 005_readstate: read receipts and presence settings, per-chat notification
-- levels, presence (connections and the heartbeat) and full-text search.

-- read_receipts: send them (and see other people's); presence: who may see
-- online/last seen.
ALTER TABLE users
	ADD COLUMN read_receipts boolean NOT NULL DEFAULT true,
	ADD COLUMN presence text NOT NULL DEFAULT 'everyone'
		CHECK (presence IN ('everyone', 'nobody'));

-- all: every message notifies; mentions: direct chats and messages naming
-- @nickname; muted: nothing, and no count in the page title.
ALTER TABLE members
	ADD COLUMN notify text NOT NULL DEFAULT 'all'
		CHECK (notify IN ('all', 'mentions', 'muted'));

-- Presence is soft state: UNLOGGED (not WAL-logged, emptied after a crash,
-- which only makes everyone offline until their next connection).
-- connections: nchan subscribe hooks minus unsubscribe hooks for the user's
-- channel; seen_at: the last hook or heartbeat. Online means connections > 0
-- and seen_at within the time-to-live, because a crashed nginx worker fires
-- no unsubscribe hook.
CREATE UNLOGGED TABLE presence (
	user_id     bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	channel     text NOT NULL UNIQUE,       -- the user's nchan channel id (hooks name it)
	connections integer NOT NULL DEFAULT 0,
	seen_at     timestamptz NOT NULL DEFAULT now()
);

-- Full-text search. The 'russian' configuration stems Cyrillic words with the
-- Russian Snowball stemmer and ASCII words with the English one; 'simple'
-- keeps exact forms (names, codes) and ranks exact hits higher (weight A).
ALTER TABLE messages ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('simple'::regconfig, body), 'A') ||
	setweight(to_tsvector('russian'::regconfig, body), 'B')) STORED;
CREATE INDEX messages_tsv ON messages USING gin (tsv);
-- the search filter "from": that person's messages, newest first
CREATE INDEX messages_sender ON messages (sender_id, id);

-- AND of tsqueries, for building a query word by word.
CREATE AGGREGATE tsquery_and_agg(tsquery) (sfunc = tsquery_and, stype = tsquery);

-- The search query for words (letters and digits only, made by the app):
-- every word must match in its Russian/English stemmed form or exactly;
-- the last one as a prefix when prefix is true. NULL when no word is left.
CREATE FUNCTION messly_search_query(words text[], prefix boolean) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET client_min_messages = warning   -- no NOTICE for stop words
AS $$
	SELECT tsquery_and_agg(to_tsquery('russian', w.q) || to_tsquery('simple', w.q))
	FROM (SELECT CASE WHEN prefix AND i = cardinality(words) THEN x || ':*' ELSE x END AS q
	      FROM unnest(words) WITH ORDINALITY AS t(x, i)) w
$$;
