-- 004_profiles: profiles, preferences, contact search, sessions' devices,
-- blocking, deactivated and deleted accounts.
-- Applied once by `messly migrate` in its own transaction.

-- pg_trgm (PostgreSQL contrib) indexes display names for substring search.
-- It is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Profile and preferences. privacy and the notification defaults are stored
-- here for the features that honour them (online status / last seen, and
-- notifications): see docs/API.md, object "me".
ALTER TABLE users
	ADD COLUMN about          text NOT NULL DEFAULT '' CHECK (char_length(about) <= 500),
	ADD COLUMN theme          text NOT NULL DEFAULT 'system'
		CHECK (theme IN ('system', 'light', 'dark')),
	-- who sees my online status and last seen
	ADD COLUMN privacy        text NOT NULL DEFAULT 'everyone'
		CHECK (privacy IN ('everyone', 'contacts', 'nobody')),
	-- notifications for new messages by default, and whether they show the text
	ADD COLUMN notify         boolean NOT NULL DEFAULT true,
	ADD COLUMN notify_preview boolean NOT NULL DEFAULT true,
	-- set by an admin: cannot log in, sessions refused, absent from search
	ADD COLUMN deactivated_at timestamptz,
	-- the account was deleted: the row stays (anonymised) so that messages
	-- keep a sender shown as "Deleted account"
	ADD COLUMN deleted_at     timestamptz;

-- Search key of a text: lower case, ё as е. The Cyrillic capitals are mapped
-- explicitly so that the key does not depend on the database's LC_CTYPE.
CREATE FUNCTION messly_fold(t text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT translate(lower(t),
		'ЁёАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ',
		'ееабвгдежзийклмнопрстуфхцчшщъыьэюя') $$;

-- A LIKE pattern matching t literally (\ % _ escaped).
CREATE FUNCTION messly_like_escape(t text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT replace(replace(replace(t, '\', '\\'), '%', '\%'), '_', '\_') $$;

-- Contact search (STMT_USERS_SEARCH). Display names by the prefix of any
-- word (LIKE 'q%', '% q%', '%-q%') on a stored search key; nicknames by
-- prefix as a range in byte order, which also gives them in order.
ALTER TABLE users ADD COLUMN name_key text GENERATED ALWAYS AS (messly_fold(name)) STORED;
CREATE INDEX users_name_trgm ON users USING gin (name_key gin_trgm_ops);
CREATE INDEX users_nickname_c ON users ((lower(nickname) COLLATE "C"));

-- Sessions: a public id (to end one), the device and the address. 001's
-- last_seen_at is the "last active" time, refreshed at most once a minute.
ALTER TABLE sessions
	ADD COLUMN id         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	ADD COLUMN user_agent text NOT NULL DEFAULT '',
	ADD COLUMN ip         text NOT NULL DEFAULT '';

-- blocker blocked blocked: blocked cannot start or write in a direct chat
-- with blocker, nor add blocker to a group; in shared groups blocked's
-- messages are collapsed for blocker.
CREATE TABLE blocks (
	blocker_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	blocked_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (blocker_id, blocked_id),
	CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

-- For other features' statements (e.g. adding a member to a group:
-- "AND NOT messly_blocked(<added user>, <adder>)").
CREATE FUNCTION messly_blocked(blocker bigint, blocked bigint) RETURNS boolean
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	AS $$ SELECT EXISTS (SELECT 1 FROM blocks b
		WHERE b.blocker_id = blocker AND b.blocked_id = blocked) $$;

-- Is writing in this chat refused to this user because it is a direct chat
-- and either of its two people blocked the other?
CREATE FUNCTION messly_direct_blocked(chat bigint, uid bigint) RETURNS boolean
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	AS $$ SELECT EXISTS (SELECT 1 FROM chats c
		JOIN members o ON o.chat_id = c.id AND o.user_id <> uid
		JOIN blocks b ON (b.blocker_id = o.user_id AND b.blocked_id = uid)
			OR (b.blocker_id = uid AND b.blocked_id = o.user_id)
		WHERE c.id = chat AND c.kind = 'direct') $$;
