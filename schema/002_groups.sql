-- 002_groups: group chats (description, one owner), invite links.
-- Service messages are messages with kind 'service' whose body is JSON:
--   {"event": "renamed", "actor": {id, nickname, name}, "target": {...} | absent,
--    "from": "Old", "to": "New"}
-- (names stored alongside, as they were at the time of the change).

ALTER TABLE chats ADD COLUMN description text NOT NULL DEFAULT '';

-- At most one owner per chat, checked at commit (a transfer swaps two rows
-- in one statement, which an immediate unique index would refuse).
ALTER TABLE members ADD CONSTRAINT members_one_owner
	EXCLUDE (chat_id WITH =) WHERE (role = 'owner') DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE invites (
	code       text PRIMARY KEY,               -- 32 random hex characters
	chat_id    bigint NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
	created_by bigint REFERENCES users(id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz,                    -- NULL: never
	max_uses   integer CHECK (max_uses > 0),   -- NULL: unlimited
	uses       integer NOT NULL DEFAULT 0,
	revoked_at timestamptz
);
CREATE INDEX invites_chat ON invites (chat_id);
