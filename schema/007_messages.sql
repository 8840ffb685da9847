-- 007_messages: reactions on messages (cgi/h_messages.c). A reaction, an
-- edit, a deletion each take the chat's next seq as the message's
-- version_seq, so /events?after= catches them up.
CREATE TABLE reactions (
	message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	emoji      text NOT NULL CHECK (octet_length(emoji) BETWEEN 1 AND 64),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (message_id, emoji, user_id)
);
CREATE INDEX reactions_user ON reactions (user_id);

-- A forwarded message names the author of the original (its current name is
-- shown, so a rename follows); NULL for messages written here.
ALTER TABLE messages ADD COLUMN forwarded_from bigint REFERENCES users(id) ON DELETE SET NULL;

-- Pinned messages: when and by whom (NULL: not pinned). Pinning and
-- unpinning also leave a service message.
ALTER TABLE messages ADD COLUMN pinned_at timestamptz,
	ADD COLUMN pinned_by bigint REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX messages_pinned ON messages (chat_id, pinned_at) WHERE pinned_at IS NOT NULL;
