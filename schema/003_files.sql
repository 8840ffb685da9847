-- 003_files: files sent in chats (content-addressed blobs on disk) and the
-- avatars of users and chats. Applied once by `messly migrate`.
--
-- Blobs live under MESSLY_FILES_DIR, named by the SHA-256 of their bytes
-- (ab/abcdef...), so the same bytes are stored once; rows only refer to them.

CREATE TABLE files (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	chat_id      bigint NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
	message_id   bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	position     int NOT NULL,                -- order within its message
	uploader_id  bigint REFERENCES users(id) ON DELETE SET NULL,
	kind         text NOT NULL CHECK (kind IN ('image', 'file')), -- image: has previews
	name         text NOT NULL,               -- sanitized original name, for display
	type         text NOT NULL,               -- detected from the content
	size         bigint NOT NULL,             -- bytes of the served original
	sha256       text NOT NULL,               -- blob of the served original
	width        int,                         -- images: of the served original
	height       int,
	view_sha256  text,                        -- ~1280 px view (images)
	view_width   int,
	view_height  int,
	thumb_sha256 text,                        -- ~320 px thumbnail (images)
	thumb_width  int,
	thumb_height int,
	as_file      boolean NOT NULL DEFAULT false, -- original bytes kept ("send as file")
	created_at   timestamptz NOT NULL DEFAULT now(),
	UNIQUE (message_id, position)
);
-- the Files view of a chat, newest first, optionally by kind
CREATE INDEX files_chat ON files (chat_id, id DESC);
CREATE INDEX files_chat_kind ON files (chat_id, kind, id DESC);

-- One row per uploaded avatar; three square sizes, each a blob.
CREATE TABLE avatars (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	s48        text NOT NULL,
	s96        text NOT NULL,
	s256       text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE users ADD COLUMN avatar_id bigint REFERENCES avatars(id) ON DELETE SET NULL;
ALTER TABLE chats ADD COLUMN avatar_id bigint REFERENCES avatars(id) ON DELETE SET NULL;
CREATE INDEX users_avatar ON users (avatar_id) WHERE avatar_id IS NOT NULL;
CREATE INDEX chats_avatar ON chats (avatar_id) WHERE avatar_id IS NOT NULL;
