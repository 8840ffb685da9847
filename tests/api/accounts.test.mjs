// Accounts: register, login, logout, me, user search, the welcome chat.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	RUN, api, register, login, uniq, newUserFields, expectStatus, expectError, expectNo5xx, closeAll,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 60000 };

function checkMe(u, where = 'user') {
	assert.ok(u && typeof u === 'object', `${where}: missing`);
	assert.ok(Number.isInteger(u.id) && u.id > 0, `${where}.id: ${JSON.stringify(u.id)}`);
	for (const k of ['nickname', 'name', 'email', 'lang']) assert.equal(typeof u[k], 'string', `${where}.${k}`);
	assert.ok(['en', 'ru'].includes(u.lang), `${where}.lang: ${u.lang}`);
	for (const k of Object.keys(u)) assert.ok(!/pass|hash|token|secret/i.test(k), `${where} leaks ${k}`);
}

describe('POST /api/register', () => {
	it('201 {user: me, token}', T, async () => {
		const f = newUserFields('reg');
		const res = await api('POST', '/api/register', { body: f });
		expectStatus(res, 201);
		checkMe(res.json.user);
		assert.equal(res.json.user.nickname, f.nickname);
		assert.equal(res.json.user.name, f.name);
		assert.equal(res.json.user.email, f.email);
		assert.equal(typeof res.json.token, 'string');
		assert.ok(res.json.token.length >= 32, `token too short: ${res.json.token}`);
		assert.ok(!res.text.includes(f.password), 'the password is echoed back');
		const me = await api('GET', '/api/me', { token: res.json.token });
		expectStatus(me, 200);
		assert.deepEqual(me.json.user, res.json.user);
	});

	it('stores the nickname lower-case', T, async () => {
		const f = newUserFields('up');
		const typed = 'Up' + f.nickname.slice(2).toUpperCase(); // e.g. "Up_K3J9X2A_4"
		const res = await api('POST', '/api/register', { body: { ...f, nickname: typed } });
		expectStatus(res, 201);
		assert.equal(res.json.user.nickname, typed.toLowerCase());
		const lg = await login(typed.toLowerCase(), f.password);
		expectStatus(lg, 200, 'login with the lower-cased nickname');
	});

	it('accepts the boundaries: nickname 3 and 32, name 64 code points, password 8', T, async () => {
		// 32-char nickname, 64 multi-byte code points name, 8-char password
		const nick32 = (`b32_${RUN}_` + 'x'.repeat(32)).slice(0, 32);
		const res = await api('POST', '/api/register', {
			body: { email: `${nick32}@example.test`, password: 'abcdefgh', nickname: nick32, name: 'я'.repeat(64) },
		});
		expectStatus(res, 201);
		assert.equal(res.json.user.nickname, nick32);
		assert.equal(res.json.user.name, 'я'.repeat(64));
		// password 256 code points (512 bytes), email of exactly 254 bytes
		const n2 = uniq('b256');
		const email254 = n2 + '@' + 'd'.repeat(254 - n2.length - 1 - '.test'.length) + '.test';
		assert.equal(Buffer.byteLength(email254), 254);
		const r256 = await api('POST', '/api/register', { body: { email: email254, password: 'ж'.repeat(256), nickname: n2, name: 'B' } });
		expectStatus(r256, 201, '256-code-point password, 254-byte email');
		expectStatus(await login(email254, 'ж'.repeat(256)), 200, 'login with the 256-code-point password');
		// 3-char nickname: random, retried on the rare collision with an earlier run
		let ok = false;
		for (let i = 0; i < 6 && !ok; i++) {
			const n3 = Math.random().toString(36).replace(/[^a-z0-9]/g, '').slice(0, 3).padEnd(3, '0');
			const r = await api('POST', '/api/register', {
				body: { email: `n3_${RUN}_${i}@example.test`, password: 'password-ok', nickname: n3, name: 'Three' },
			});
			if (r.status === 201) {
				assert.equal(r.json.user.nickname, n3);
				ok = true;
			} else expectStatus(r, [409, 422], '3-char nickname (taken?)');
		}
		assert.ok(ok, 'could not register any 3-char nickname');
	});

	it('duplicate nickname differing only in case -> 409/422 (field nickname)', T, async () => {
		const u = await register('dup');
		const f = newUserFields('dupb', { nickname: u.user.nickname.toUpperCase() });
		const res = await api('POST', '/api/register', { body: f });
		expectError(res, [409, 422], { field: 'nickname' });
	});

	it('concurrent registrations of one nickname: one 201, the rest 409/422', T, async () => {
		const f = newUserFields('race');
		const rs = await Promise.all(Array.from({ length: 4 }, (_, i) =>
			api('POST', '/api/register', { body: { ...f, email: `${i}.${f.email}` } })));
		assert.equal(rs.filter((r) => r.status === 201).length, 1, `statuses ${rs.map((r) => r.status)}`);
		for (const r of rs) if (r.status !== 201) expectError(r, [409, 422], { field: 'nickname' });
	});

	it('duplicate email -> 409/422 (field email)', T, async () => {
		const u = await register('dupe');
		const res = await api('POST', '/api/register', { body: newUserFields('dupe2', { email: u.email }) });
		expectError(res, [409, 422], { field: 'email' });
	});

	const invalid = [
		['email', 'no at sign', 'not-an-email'],
		['email', 'two @', 'a@b@example.test'],
		['email', 'space', 'a b@example.test'],
		['email', 'empty', ''],
		['email', '255 bytes', 'e'.repeat(255 - '@example.test'.length) + '@example.test'],
		['password', '7 chars', 'abcdefg'],
		['password', '257 chars', 'p'.repeat(257)],
		['password', 'empty', ''],
		['nickname', "with '-'", 'bad-nick'],
		['nickname', '2 chars', 'ab'],
		['nickname', '33 chars', 'n'.repeat(33)],
		['nickname', 'space', 'a b c'],
		['nickname', 'non-ASCII', 'ник_name'],
		['nickname', 'markup', '<script>'],
		['nickname', 'empty', ''],
		['name', 'empty', ''],
		['name', 'only spaces', '    '],
		['name', '65 chars', 'n'.repeat(65)],
		['name', '65 code points', 'я'.repeat(65)],
		['name', 'control char', 'bell\u0007name'],
	];
	for (const [field, what, value] of invalid) {
		it(`${field} ${what} -> 422 field ${field}`, T, async () => {
			const f = newUserFields('inv', { [field]: value });
			const res = await api('POST', '/api/register', { body: f });
			expectError(res, 422, { field });
		});
	}

	for (const reserved of ['messly', 'admin', 'MESSLY']) {
		it(`reserved nickname ${reserved} -> 409/422`, T, async () => {
			const res = await api('POST', '/api/register', { body: newUserFields('rsv', { nickname: reserved }) });
			expectError(res, [409, 422], { field: 'nickname' });
		});
	}

	it('missing fields -> 400/422', T, async () => {
		for (const drop of ['email', 'password', 'nickname', 'name']) {
			const f = newUserFields('miss');
			delete f[drop];
			const res = await api('POST', '/api/register', { body: f });
			expectError(res, [400, 422], { field: drop, note: `without ${drop}` });
		}
	});

	it('wrong types -> 400/422', T, async () => {
		for (const [k, v] of [['nickname', ['a', 'b']], ['password', { p: 1 }], ['email', null]]) {
			const res = await api('POST', '/api/register', { body: newUserFields('typ', { [k]: v }) });
			expectError(res, [400, 422], { note: `${k}=${JSON.stringify(v)}` });
		}
	});

	it('a refused registration writes nothing', T, async () => {
		const f = newUserFields('atom');
		const bad = await api('POST', '/api/register', { body: { ...f, password: 'short' } });
		expectError(bad, 422, { field: 'password' });
		const lg = await login(f.nickname, 'short');
		expectStatus(lg, 401, 'login as the refused user');
		const good = await api('POST', '/api/register', { body: f });
		expectStatus(good, 201, 'the same nickname/email after the refusal');
	});
});

describe('welcome chat', () => {
	it('registration creates a direct chat with "messly" holding a welcome message', T, async () => {
		const u = await register('wel');
		const res = await api('GET', '/api/chats', { token: u.token });
		expectStatus(res, 200);
		assert.ok(Array.isArray(res.json.chats), 'chats array');
		const chat = res.json.chats.find((c) => c.peer && c.peer.nickname === 'messly');
		assert.ok(chat, `no chat with messly in ${res.text}`);
		assert.equal(chat.kind, 'direct');
		for (const k of ['id', 'kind', 'title', 'peer', 'last_seq', 'last_read_seq', 'unread', 'last_message', 'updated_at'])
			assert.ok(k in chat, `chat lacks ${k}: ${JSON.stringify(chat)}`);
		assert.ok(chat.last_seq >= 1, 'last_seq');
		assert.equal(chat.last_message?.sender?.nickname, 'messly');
		assert.ok(!('email' in chat.peer), 'peer leaks email');
		const msgs = await api('GET', `/api/chats/${chat.id}/messages`, { token: u.token });
		expectStatus(msgs, 200);
		const first = msgs.json.messages[0];
		assert.equal(first.seq, 1);
		assert.equal(first.kind, 'text');
		assert.equal(first.sender?.nickname, 'messly');
		assert.equal(first.chat, chat.id);
		assert.ok(first.text.length > 0, 'welcome text is empty');
		assert.equal(msgs.json.has_older, false);
		const one = await api('GET', `/api/chats/${chat.id}`, { token: u.token });
		expectStatus(one, 200);
		assert.equal(one.json.chat.id, chat.id);
	});
});

describe('POST /api/login, /api/logout, GET /api/me', () => {
	let u;
	before(async () => {
		u = await register('lg');
	});

	it('login with email -> 200 {user, token}', T, async () => {
		const res = await login(u.email, u.password);
		expectStatus(res, 200);
		checkMe(res.json.user);
		assert.equal(res.json.user.id, u.user.id);
		assert.equal(typeof res.json.token, 'string');
		assert.notEqual(res.json.token, u.token, 'a new login should get a new token');
		expectStatus(await api('GET', '/api/me', { token: res.json.token }), 200);
	});

	it('login with nickname -> 200', T, async () => {
		const res = await login(u.user.nickname, u.password);
		expectStatus(res, 200);
		assert.equal(res.json.user.id, u.user.id);
	});

	it('login with the nickname in upper case -> 200 (nicknames ignore case)', T, async () => {
		const res = await login(u.user.nickname.toUpperCase(), u.password);
		expectStatus(res, 200);
		assert.equal(res.json.user.id, u.user.id);
	});

	it('wrong password and unknown login -> the same 401 and message', T, async () => {
		const wrong = await login(u.user.nickname, u.password + 'x');
		const unknown = await login(uniq('nobody'), u.password);
		const unknownEmail = await login(`${uniq('nobody')}@example.test`, u.password);
		const e1 = expectError(wrong, 401);
		const e2 = expectError(unknown, 401);
		const e3 = expectError(unknownEmail, 401);
		assert.equal(e1.message, e2.message, 'wrong password vs unknown nickname reveal different messages');
		assert.equal(e1.message, e3.message, 'wrong password vs unknown email reveal different messages');
		assert.equal(wrong.json.token, undefined);
	});

	it('password prefix / empty password does not log in', T, async () => {
		expectStatus(await login(u.user.nickname, u.password.slice(0, -1)), 401);
		expectError(await login(u.user.nickname, ''), [400, 401, 422]);
		expectError(await api('POST', '/api/login', { body: { login: u.user.nickname } }), [400, 401, 422]);
	});

	it('GET /api/me: 401 without auth, with a bogus token, with Basic auth', T, async () => {
		expectError(await api('GET', '/api/me'), 401);
		expectError(await api('GET', '/api/me', { token: 'x'.repeat(43) }), 401);
		expectError(await api('GET', '/api/me', { token: '' }), 401);
		expectError(await api('GET', '/api/me', { headers: { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }), 401);
		expectError(await api('GET', '/api/me', { headers: { Authorization: `Bearer ${u.token} extra` } }), 401);
	});

	it('GET /api/me with bearer -> 200 {user: me}', T, async () => {
		const res = await api('GET', '/api/me', { token: u.token });
		expectStatus(res, 200);
		checkMe(res.json.user);
		assert.equal(res.json.user.id, u.user.id);
		assert.equal(res.json.user.email, u.email);
	});

	it('logout -> 204; that token then gets 401; other sessions live on', T, async () => {
		const s1 = await login(u.email, u.password);
		const s2 = await login(u.email, u.password);
		expectStatus(s1, 200);
		expectStatus(s2, 200);
		const out = await api('POST', '/api/logout', { token: s1.json.token });
		expectStatus(out, 204);
		assert.equal(out.text, '', '204 with a body');
		expectError(await api('GET', '/api/me', { token: s1.json.token }), 401, { note: 'after logout' });
		expectStatus(await api('GET', '/api/me', { token: s2.json.token }), 200, 'another session of the same user');
		const again = await api('POST', '/api/logout', { token: s1.json.token });
		expectStatus(again, [204, 401], 'logout with the dead token');
	});

	it('logout without auth -> 204 or 401, never 5xx', T, async () => {
		expectStatus(await api('POST', '/api/logout'), [204, 401]);
	});
});

describe('GET /api/users?q=', () => {
	let me, a1, a2, other;
	const prefix = `s${RUN}`;
	before(async () => {
		me = await register('srch');
		a1 = await register(`${prefix}a`);
		a2 = await register(`${prefix}b`);
		other = await register(`z${RUN}`);
	});

	function checkUsers(res) {
		expectStatus(res, 200);
		assert.ok(Array.isArray(res.json.users), `users array: ${res.text}`);
		assert.ok(res.json.users.length <= 20, `more than 20 users: ${res.json.users.length}`);
		for (const x of res.json.users) {
			assert.ok(Number.isInteger(x.id) && typeof x.nickname === 'string' && typeof x.name === 'string', JSON.stringify(x));
			for (const k of Object.keys(x)) assert.ok(!/mail|pass|hash|token|secret/i.test(k), `user search leaks ${k}`);
		}
		assert.ok(!/@example\.test/.test(res.text), 'user search leaks an email address');
		return res.json.users.map((x) => x.nickname);
	}

	it('finds by nickname prefix', T, async () => {
		const nicks = checkUsers(await api('GET', `/api/users?q=${prefix}`, { token: me.token }));
		assert.ok(nicks.includes(a1.user.nickname) && nicks.includes(a2.user.nickname), `got ${nicks}`);
		assert.ok(!nicks.includes(other.user.nickname), 'a non-matching user is listed');
		const hit = (await api('GET', `/api/users?q=${a1.user.nickname}`, { token: me.token })).json.users.find((x) => x.nickname === a1.user.nickname);
		assert.deepEqual(hit, { id: a1.user.id, nickname: a1.user.nickname, name: a1.user.name, avatar: null });
	});

	it('is case-insensitive and ignores a leading @', T, async () => {
		for (const q of [prefix.toUpperCase(), '@' + prefix, '%40' + prefix.toUpperCase()]) {
			const nicks = checkUsers(await api('GET', `/api/users?q=${q}`, { token: me.token }));
			assert.ok(nicks.includes(a1.user.nickname) && nicks.includes(a2.user.nickname), `q=${q}: got ${nicks}`);
		}
	});

	it('is a prefix match, not a substring match', T, async () => {
		const nicks = checkUsers(await api('GET', `/api/users?q=${prefix.slice(2)}`, { token: me.token }));
		assert.ok(!nicks.includes(a1.user.nickname), `q=${prefix.slice(2)} matched in the middle: ${nicks}`);
	});

	it('treats % and _ literally (no LIKE wildcards)', T, async () => {
		const pct = checkUsers(await api('GET', `/api/users?q=${encodeURIComponent('%')}`, { token: me.token }));
		assert.deepEqual(pct, [], `q=% matched users: ${pct}`);
		// a1 = "<prefix>a_<run>_<n>": "<prefix>a_" must not match "<prefix>ax…"
		const us = checkUsers(await api('GET', `/api/users?q=${prefix}_`, { token: me.token }));
		assert.ok(!us.includes(a1.user.nickname), `q=${prefix}_ matched ${a1.user.nickname} ("_" used as a wildcard)`);
	});

	it('returns at most 20 users', { timeout: 120000 }, async () => {
		const cap = `k${RUN}`;
		for (let i = 0; i < 21; i += 7) await Promise.all(Array.from({ length: 7 }, () => register(cap)));
		const nicks = checkUsers(await api('GET', `/api/users?q=${cap}`, { token: me.token }));
		assert.equal(nicks.length, 20, `q=${cap} with 21 matching users`);
		assert.ok(nicks.every((n) => n.startsWith(cap)));
		checkUsers(await api('GET', '/api/users?q=u', { token: me.token }));
	});

	it('q empty or missing -> 200 [] or 400/422, never 5xx', T, async () => {
		for (const p of ['/api/users?q=', '/api/users', '/api/users?q=@']) {
			const res = await api('GET', p, { token: me.token });
			expectStatus(res, [200, 400, 422], p);
			if (res.status === 200) checkUsers(res);
		}
	});

	it('401 without auth', T, async () => {
		expectError(await api('GET', `/api/users?q=${prefix}`), 401);
	});
});

describe('GET /api/chats', () => {
	it('401 without auth', T, async () => {
		expectError(await api('GET', '/api/chats'), 401);
		expectNo5xx(await api('GET', '/api/chats', { token: 'nope' }));
	});
});
