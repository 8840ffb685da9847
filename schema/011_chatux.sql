-- 011_chatux: which key sends a message from the composer, per user:
-- 'enter' (Enter sends, Shift+Enter breaks the line; the default) or
-- 'ctrl_enter' (Ctrl+Enter or Cmd+Enter sends, Enter breaks the line).
ALTER TABLE users ADD COLUMN send_key text NOT NULL DEFAULT 'enter'
  CHECK (send_key IN ('enter', 'ctrl_enter'));
