-- 008_admin: the admin panel. Audit rows remember the address an action came
-- from; the panel lists them newest first and filters by admin and action.
-- Applied once by `messly migrate` in its own transaction.

ALTER TABLE audit_log ADD COLUMN ip text NOT NULL DEFAULT '';
CREATE INDEX audit_log_created ON audit_log (created_at DESC, id DESC);

-- Dashboard figures by day: messages and who sent them.
CREATE INDEX messages_created ON messages (created_at);

-- Server settings changed from the panel (absent row: the default).
-- registration_open 'true'|'false'; max_upload bytes (at most the
-- configuration's max_upload, which nginx enforces too); welcome_LANG the
-- welcome message's Markdown (absent: the catalog's welcome.text).
CREATE TABLE server_settings (
	key        text PRIMARY KEY
		CHECK (key IN ('registration_open', 'max_upload', 'welcome_en', 'welcome_ru')),
	value      text NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Sign-up links made by an admin: while registration is closed, one link
-- lets one person register.
CREATE TABLE signup_invites (
	code       text PRIMARY KEY,
	created_by bigint REFERENCES users(id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at    timestamptz,
	used_by    bigint REFERENCES users(id) ON DELETE SET NULL
);
