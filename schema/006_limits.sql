-- 006_limits: the counters behind the rate limits (cgi/ratelimit.c). UNLOGGED:
-- no WAL on the hot path, and a crash of PostgreSQL empties them, which only
-- forgets who was throttled. Nothing references them.

-- Sliding-window attempt log: a failed login ('u:<user id>' or 'l:<login>'
-- for an unknown one, and 'a:<address>'), a registration ('r:<address>').
-- The Nth most recent row younger than an hour is the block's end.
CREATE UNLOGGED TABLE auth_attempts (
	key text NOT NULL,
	at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_attempts_key ON auth_attempts (key, at);
CREATE INDEX auth_attempts_at ON auth_attempts (at);

-- One token bucket per sender, refilled continuously; the send statement
-- (STMT_SEND) takes a token in the same round trip that stores the message.
CREATE UNLOGGED TABLE send_budget (
	user_id bigint PRIMARY KEY,
	tokens  double precision NOT NULL,
	at      timestamptz NOT NULL
);
