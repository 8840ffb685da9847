// `messly maintenance` (run hourly by messly-maintenance.timer) deletes
// expired sessions and keeps the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, register } from '../api/lib.mjs';
import { BIN } from './node.mjs';

function psql(sql) {
	const r = spawnSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', process.env.MESSLY_DB, '-c', sql], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim();
}

test('maintenance deletes expired sessions only', async () => {
	const live = await register('mnt');
	const gone = await register('mnt');
	psql(`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = ${gone.user.id}`);
	const before = Number(psql('SELECT count(*) FROM sessions WHERE expires_at < now()'));
	assert.ok(before >= 1);
	const r = spawnSync(BIN, ['maintenance'], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stderr, new RegExp(`maintenance: deleted ${before} expired session\\(s\\)`));
	assert.equal(psql('SELECT count(*) FROM sessions WHERE expires_at < now()'), '0');
	assert.equal(psql(`SELECT count(*) FROM sessions WHERE user_id = ${gone.user.id}`), '0');
	assert.equal((await api('GET', '/api/me', { token: live.token })).status, 200, 'a live session still works');
	assert.equal((await api('GET', '/api/me', { token: gone.token })).status, 401);
});

test('maintenance removes old blobs nothing refers to and keeps the rest', async () => {
	const { mkdirSync, writeFileSync, existsSync, utimesSync } = await import('node:fs');
	const { join } = await import('node:path');
	const { createHash } = await import('node:crypto');
	const dir = process.env.MESSLY_FILES_DIR;
	const A = await register('mfa'), B = await register('mfb');
	const chat = (await api('POST', '/api/chats', { token: A.token, body: { kind: 'direct', nickname: B.user.nickname } })).json.chat;
	// a real upload: its blob is referenced by a files row
	const form = new FormData();
	form.append('file', new Blob([`kept ${Date.now()}`], { type: 'text/plain' }), 'kept.txt');
	const up = await fetch(`${process.env.MESSLY_URL}/api/chats/${chat.id}/files`, {
		method: 'POST', headers: { Authorization: `Bearer ${A.token}` }, body: form });
	assert.equal(up.status, 201, await up.text());
	const kept = psql(`SELECT sha256 FROM files WHERE chat_id = ${chat.id}`);
	const blob = (hex) => join(dir, hex.slice(0, 2), hex);
	const put = (text) => {
		const hex = createHash('sha256').update(text).digest('hex');
		mkdirSync(join(dir, hex.slice(0, 2)), { recursive: true });
		writeFileSync(blob(hex), text);
		return hex;
	};
	const old = (hex) => { const t = Date.now() / 1000 - 3 * 86400; utimesSync(blob(hex), t, t); };
	const orphan = put(`orphan ${Date.now()}`);
	const fresh = put(`fresh ${Date.now()}`);
	old(orphan);
	old(kept);
	const r = spawnSync(BIN, ['maintenance'], { encoding: 'utf8', env: process.env });
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stderr, /maintenance: removed [1-9]\d* unused file\(s\)/);
	assert.equal(existsSync(blob(orphan)), false, 'an old unreferenced blob is removed');
	assert.equal(existsSync(blob(kept)), true, 'a blob a file refers to stays');
	assert.equal(existsSync(blob(fresh)), true, 'a new blob stays (its row may not be committed yet)');
	const dl = await fetch(`${process.env.MESSLY_URL}/api/chats/${chat.id}/files`, { headers: { Authorization: `Bearer ${A.token}` } });
	assert.equal(dl.status, 200);
});
