// Upgrades: a database of release 0.1.0 (the migrations it shipped) with
// data in every table is migrated to this tree's head by `messly migrate`;
// every row and column of 0.1.0 survives, every migration is recorded once,
// a second run does nothing, and check-config then reports the schema up to
// date. Migrations after 0.1.0 must be additive, so that the version still
// serving keeps working while `messly migrate` runs (deploy/DEPLOY.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from './node.mjs';

/* What each release shipped in schema/. A new release appends its line. */
const RELEASES = { '0.1.0': ['001_core.sql'] };
const PREVIOUS = '0.1.0';

const DB = `messly_upgrade_${process.pid}`;
const base = process.env.MESSLY_DB.replace(/dbname=\S+/, '');
const conninfo = `${base} dbname=${DB}`;
let home;

function psql(dbConn, sql) {
	const r = spawnSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', dbConn, '-c', sql], { encoding: 'utf8' });
	assert.equal(r.status, 0, `psql: ${r.stderr}`);
	return r.stdout;
}

function messly(args, extra = {}) {
	const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, MESSLY_DB: conninfo, ...extra } });
	return { code: r.status, out: r.stdout, err: r.stderr };
}

/* Every table of the previous release with its columns, and each table's
 * rows (those columns only) as text, in a stable order. */
function snapshot(tables) {
	const out = {};
	for (const [table, cols] of Object.entries(tables)) {
		const list = cols.map((c) => `"${c}"`).join(', ');
		out[table] = psql(conninfo, `SELECT row(${list})::text FROM "${table}" ORDER BY 1`);
	}
	return out;
}

function columns() {
	const rows = psql(conninfo, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position");
	const t = {};
	for (const line of rows.trim().split('\n')) {
		const [table, col] = line.split('|');
		(t[table] ||= []).push(col);
	}
	return t;
}

before(() => {
	psql(`${base} dbname=postgres`, `CREATE DATABASE ${DB}`);
	home = mkdtempSync('/tmp/messly-upgrade-');
	mkdirSync(join(home, 'schema'));
	for (const f of RELEASES[PREVIOUS]) copyFileSync(join(ROOT, 'schema', f), join(home, 'schema', f));
});
after(() => {
	psql(`${base} dbname=postgres`, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
	rmSync(home, { recursive: true, force: true });
});

test(`a ${PREVIOUS} database with data upgrades to head and keeps every row`, () => {
	let r = messly(['migrate'], { MESSLY_HOME: home });
	assert.equal(r.code, 0, r.err);
	// data as 0.1.0 wrote it: users, sessions, a direct chat, messages (a
	// reply, an edited and a deleted one), read positions, the audit log
	psql(conninfo, `
		INSERT INTO users (email, nickname, name, password_hash, lang, is_admin) VALUES
			('ann@example.test', 'ann', 'Ann', '$s1$0e0801$c2FsdA==$aGFzaA==', 'ru', true),
			('bob@example.test', 'bob', 'Bob "B" O''Neil', NULL, 'en', false);
		INSERT INTO sessions (token_hash, user_id, kind, expires_at)
			SELECT sha256(convert_to(nickname, 'UTF8')), id, 'cookie', now() + interval '30 days' FROM users WHERE nickname IN ('ann', 'bob');
		INSERT INTO chats (kind, direct_key, last_seq) VALUES ('direct', '2:3', 4);
		INSERT INTO members (chat_id, user_id, role, last_read_seq)
			SELECT 1, id, 'member', 2 FROM users WHERE nickname IN ('ann', 'bob');
		INSERT INTO messages (chat_id, seq, version_seq, sender_id, body, html, client_id) VALUES
			(1, 1, 1, 2, 'привет **мир**', '<p>привет <strong>мир</strong></p>', 'c-1'),
			(1, 2, 4, 3, 'edited', '<p>edited</p>', 'c-2'),
			(1, 3, 3, 2, 'gone', '<p>gone</p>', NULL);
		UPDATE messages SET edited_at = now() WHERE seq = 2;
		UPDATE messages SET deleted_at = now() WHERE seq = 3;
		INSERT INTO messages (chat_id, seq, version_seq, sender_id, body, html, reply_to) VALUES (1, 4, 4, 3, 'reply', '<p>reply</p>', 1);
		INSERT INTO audit_log (actor_id, action, target, detail) VALUES (2, 'register', 'user:2', '{"ip": "127.0.0.1"}');
	`);
	const old = columns();
	assert.deepEqual(Object.keys(old).sort(), ['audit_log', 'chats', 'members', 'messages', 'schema_migrations', 'sessions', 'users']);
	delete old.schema_migrations;
	const before = snapshot(old);
	for (const t of Object.keys(old)) assert.notEqual(before[t], '', `${t} has data`);

	r = messly(['migrate'], { MESSLY_HOME: ROOT });
	assert.equal(r.code, 0, `migrate to head failed: ${r.err}`);
	const all = readdirSync(join(ROOT, 'schema')).filter((f) => /^\d.*\.sql$/.test(f)).sort();
	assert.equal(psql(conninfo, 'SELECT version FROM schema_migrations ORDER BY version').trim().split('\n').join(','), all.join(','));
	const now = columns();
	for (const [t, cols] of Object.entries(old))
		for (const c of cols) assert.ok(now[t]?.includes(c), `column ${t}.${c} of ${PREVIOUS} still exists`);
	assert.deepEqual(snapshot(old), before, `every ${PREVIOUS} row survives unchanged`);

	r = messly(['migrate'], { MESSLY_HOME: ROOT });
	assert.equal(r.code, 0);
	assert.doesNotMatch(r.err, /applied/, 'a second run applies nothing');
	r = messly(['check-config'], { MESSLY_HOME: ROOT });
	assert.match(r.out, new RegExp(`^ok {4}schema: up to date \\(${all.length} migrations, last ${all.at(-1).replace('.', '\\.')}\\)`, 'm'), r.out);
});

/* Statements that would break the version still serving while (or after)
 * the migration runs. A migration that really must contract the schema
 * says so on a line `-- messly: contract (<why>)` and ships a release after
 * the one that stopped using what it removes. */
const BREAKING = [
	[/\bDROP\s+(TABLE|COLUMN|VIEW|TYPE)\b/i, 'drops what the old version may read'],
	[/\bRENAME\b/i, 'renames what the old version uses'],
	[/\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b/i, 'changes a column type (rewrites the table under a lock)'],
	[/\bALTER\s+COLUMN\s+\S+\s+SET\s+NOT\s+NULL\b/i, "sets NOT NULL (the old version's inserts may fail)"],
	[/\bADD\s+COLUMN\b(?![^;]*\bDEFAULT\b)[^;]*\bNOT\s+NULL\b/i, "adds a NOT NULL column without a default (the old version's inserts fail)"],
];

function breakingStatements(sql) {
	if (/^--\s*messly:\s*contract\b/m.test(sql)) return [];
	const code = sql.replace(/--.*$/gm, '');
	const found = [];
	for (const stmt of code.split(';')) {
		for (const [re, why] of BREAKING)
			if (re.test(stmt)) found.push(`${why}: ${stmt.trim().replace(/\s+/g, ' ').slice(0, 120)}`);
	}
	return found;
}

test(`migrations after ${PREVIOUS} are additive`, () => {
	const shipped = new Set(Object.values(RELEASES).flat());
	const later = readdirSync(join(ROOT, 'schema')).filter((f) => /^\d.*\.sql$/.test(f) && !shipped.has(f)).sort();
	const problems = [];
	for (const f of later)
		for (const p of breakingStatements(readFileSync(join(ROOT, 'schema', f), 'utf8'))) problems.push(`${f}: ${p}`);
	assert.deepEqual(problems, []);
	// the check itself notices each kind of breaking change
	assert.equal(breakingStatements('ALTER TABLE users DROP COLUMN lang;').length, 1);
	assert.equal(breakingStatements('ALTER TABLE chats RENAME TO rooms;').length, 1);
	assert.equal(breakingStatements('ALTER TABLE users ALTER COLUMN name TYPE varchar(10);').length, 1);
	assert.equal(breakingStatements('ALTER TABLE users ADD COLUMN bio text NOT NULL;').length, 1);
	assert.equal(breakingStatements("ALTER TABLE users ADD COLUMN bio text NOT NULL DEFAULT '';").length, 0);
	assert.equal(breakingStatements('ALTER TABLE users ADD COLUMN bio text;\nCREATE TABLE files (id bigint);').length, 0);
	assert.equal(breakingStatements('-- messly: contract (0.3 stopped reading it)\nALTER TABLE users DROP COLUMN x;').length, 0);
});
