-- 001_core: users, sessions, chats, members, messages, audit log.
-- Applied once by `messly migrate` in its own transaction.

CREATE TABLE users (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email         text,                        -- NULL for the system user; unique ignoring case
	nickname      text NOT NULL,
	name          text NOT NULL,
	password_hash text,                        -- libscrypt MCF; NULL: cannot log in
	lang          text NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'ru')),
	is_admin      boolean NOT NULL DEFAULT false,
	is_system     boolean NOT NULL DEFAULT false,
	created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_nickname_lower ON users (lower(nickname));
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
-- prefix search on nicknames (lower(nickname) LIKE 'abc%')
CREATE INDEX users_nickname_prefix ON users (lower(nickname) text_pattern_ops);

CREATE TABLE sessions (
	token_hash   bytea PRIMARY KEY,            -- sha256 of the 256-bit token
	user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind         text NOT NULL CHECK (kind IN ('cookie', 'bearer')),
	created_at   timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE chats (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind            text NOT NULL CHECK (kind IN ('direct', 'group')),
	title           text,                      -- groups only
	direct_key      text UNIQUE,               -- 'lowid:highid' for direct chats
	last_seq        bigint NOT NULL DEFAULT 0, -- gapless, bumped under the row lock
	created_at      timestamptz NOT NULL DEFAULT now(),
	last_message_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE members (
	chat_id       bigint NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
	user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role          text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
	last_read_seq bigint NOT NULL DEFAULT 0,
	joined_at     timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE messages (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	chat_id    bigint NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
	seq        bigint NOT NULL,               -- the chat seq of its creation
	version_seq bigint NOT NULL,              -- the chat seq of its latest change
	sender_id  bigint REFERENCES users(id) ON DELETE SET NULL,
	kind       text NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'file', 'service')),
	body       text NOT NULL,
	html       text NOT NULL,                  -- cmark-gfm output, rendered once at send
	client_id  text,                           -- sender's idempotency key
	reply_to   bigint REFERENCES messages(id) ON DELETE SET NULL,
	edited_at  timestamptz,
	deleted_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (chat_id, seq)
);
-- catch-up: every change to a message takes the chat's next seq
CREATE INDEX messages_version ON messages (chat_id, version_seq);
CREATE UNIQUE INDEX messages_client_id ON messages (chat_id, sender_id, client_id)
	WHERE client_id IS NOT NULL;

CREATE TABLE audit_log (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	actor_id   bigint REFERENCES users(id) ON DELETE SET NULL,
	action     text NOT NULL,
	target     text,
	detail     jsonb,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- The system user that greets newcomers. It has no password: nobody logs in as it.
INSERT INTO users (email, nickname, name, is_system) VALUES (NULL, 'messly', 'Messly', true);
