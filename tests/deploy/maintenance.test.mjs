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
