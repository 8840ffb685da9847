-- 010_mentions: who a message mentions (cgi/mentions.c). Stored by user id,
-- so a rename keeps an old @mention pointing at the same person: the text
-- keeps what was typed, the stored HTML marks each token with the nickname
-- as written (lower case), and pages show the current nickname of the user
-- that token was resolved to when the message was sent or edited. Only
-- members of the chat at that moment are resolved.
CREATE TABLE message_mentions (
	message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	chat_id    bigint NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
	seq        bigint NOT NULL,
	written    text NOT NULL CHECK (octet_length(written) BETWEEN 1 AND 64),
	PRIMARY KEY (message_id, written)
);
-- unread mentions of a member: seq after their read position
CREATE INDEX message_mentions_unread ON message_mentions (user_id, chat_id, seq);
