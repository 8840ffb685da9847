// The auth pool (cgi/server.c; auth_socket, auth_workers): nginx passes /login and
// /register to worker processes of their own, so while password hashing keeps every
// one of them busy, everything else is still answered by the main workers. A test-only
// hold (cgi/fault.h, fault_hold "login.hash") keeps logins busy inside the handler, just
// before hashing, until the test lets them go. Functional, not timed: the reads must be
// answered while the logins are still held (with one pool they would wait behind them).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, rmSync } from 'node:fs';
import { register, login, api, sleep } from './lib.mjs';

const FAULT = process.env.MESSLY_FAULT_FILE;
const HELD = `${FAULT}.held`;
const release = () => rmSync(FAULT, { force: true });
after(() => { release(); rmSync(HELD, { force: true }); });

describe('auth pool', { skip: !FAULT && 'needs MESSLY_FAULT_FILE (deploy/test.sh)' }, () => {
	it('reads are answered while logins hold the auth workers', async () => {
		const u = await register('pool');
		// more logins than the main pool has workers: with a single pool, all of them
		// would be held and the reads below would wait
		const n = Number(process.env.MESSLY_WORKERS || 2) + 2;
		rmSync(HELD, { force: true });
		writeFileSync(FAULT, 'hold:login.hash\n');
		let settled = 0;
		const logins = Array.from({ length: n }, () =>
			login(u.user.nickname, u.password).finally(() => { settled++; }));
		for (let i = 0; i < 1000 && !existsSync(HELD); i++) await sleep(10);
		assert.ok(existsSync(HELD), 'a login reached the hold');
		const chats = await api('GET', '/api/chats', { token: u.token, timeout: 10000 });
		assert.equal(chats.status, 200, `a read while the logins are held: ${chats}`);
		const me = await api('GET', '/api/me', { token: u.token, timeout: 10000 });
		assert.equal(me.status, 200, `another read: ${me}`);
		assert.equal(me.json?.user?.id, u.user.id);
		assert.ok(existsSync(FAULT), 'the logins were still held when the reads were answered');
		assert.equal(settled, 0, 'no login was answered before its release');
		release();
		for (const r of await Promise.all(logins)) {
			assert.equal(r.status, 200, `a held login, once let go: ${r}`);
			assert.ok(r.json?.token, 'the login gave a session');
		}
	});

	it('a wrong password is still refused by the auth pool', async () => {
		const u = await register('poolw');
		const r = await login(u.user.nickname, 'not the password');
		assert.equal(r.status, 401, `${r}`);
	});
});
