-- limit.sql: the yardstick's table (tests/bench/limit.c). The messages table's columns,
-- defaults, indexes and foreign keys, so that its one INSERT does what a stored message
-- costs PostgreSQL; seq from a sequence (the yardstick keeps no per-chat order).
CREATE TABLE bench_messages (LIKE messages INCLUDING ALL);
ALTER TABLE bench_messages
    ADD FOREIGN KEY (chat_id) REFERENCES chats(id) ON DELETE CASCADE,
    ADD FOREIGN KEY (sender_id) REFERENCES users(id) ON DELETE SET NULL;
CREATE SEQUENCE bench_seq;
