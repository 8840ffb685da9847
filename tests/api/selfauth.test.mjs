// The routes that look the session up inside their own statement (R_SELF_AUTH in
// cgi/router.h: POST and GET /chats/ID/messages, one round trip each): every
// check of the usual up-front lookup still holds, and every answer is the one the
// route gave with the lookup done first (401 before 422/400/403/404, the
// viewer's language in errors, the session's last use refreshed).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	api, register, directChat, send, clientId, expectStatus, expectError, browserRegister, closeAll,
	catalog, sql,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 60000 };

const EN = catalog('en');
const RU = catalog('ru');

// SQL for what the API cannot do (expire a session, deactivate without the
// admin panel); values interpolated are integers or hex.
const tokenHash = (token) => {
	assert.match(token, /^[0-9a-f]{64}$/);
	return `sha256(convert_to('${token}', 'UTF8'))`;
};

const post = (u, chat, body) => api('POST', `/api/chats/${chat}/messages`, { token: u.token, body, retry429: false });
const list = (u, chat, q = '') => api('GET', `/api/chats/${chat}/messages${q}`, { token: u.token });

describe('one round trip for sending and reading: every check kept', () => {
	it('a live session sends (201, its sender) and reads (200); a retry is 200 with the same message', T, async () => {
		const a = await register('sa');
		const b = await register('sb');
		const chat = (await directChat(a, b)).id;
		const cid = clientId('sa');
		const r = await post(a, chat, { text: 'one **trip**', client_id: cid });
		expectStatus(r, 201);
		assert.equal(r.json.message.sender.id, a.user.id);
		assert.equal(r.json.message.html, '<p>one <strong>trip</strong></p>');
		const again = await post(a, chat, { text: 'one **trip**', client_id: cid });
		expectStatus(again, 200);
		assert.equal(again.json.message.id, r.json.message.id);
		const h = await list(b, chat);
		expectStatus(h, 200);
		assert.equal(h.json.messages.at(-1).id, r.json.message.id);
	});

	it('no, a malformed, an ended or an expired session: 401, before any 422, 400 or 404', T, async () => {
		const a = await register('sc');
		const b = await register('sd');
		const chat = (await directChat(a, b)).id;
		const ended = await api('POST', '/api/login', { body: { login: a.user.nickname, password: a.password } });
		expectStatus(ended, 200);
		expectStatus(await api('POST', '/api/logout', { token: ended.json.token }), 204);
		const expired = await api('POST', '/api/login', { body: { login: a.user.nickname, password: a.password } });
		sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = ${tokenHash(expired.json.token)}`);
		for (const [what, token] of [['none', undefined], ['malformed', 'abc'], ['ended', ended.json.token],
			['expired', expired.json.token], ['unknown', 'f'.repeat(64)]]) {
			const u = { token };
			expectError(await post(u, chat, { text: 'x', client_id: clientId('x') }), 401, { note: what });
			expectError(await post(u, chat, { text: '', client_id: clientId('x') }), 401, { note: `${what}, empty text` });
			expectError(await post(u, chat, { text: 'x', client_id: 'bad id with spaces' }), 401, { note: `${what}, bad client_id` });
			expectError(await post(u, 999999999, { text: 'x' }), 401, { note: `${what}, no such chat` });
			expectError(await list(u, chat), 401, { note: `${what}, read` });
			expectError(await list(u, chat, '?limit=0'), 401, { note: `${what}, bad limit` });
			expectError(await list(u, 999999999), 401, { note: `${what}, read no such chat` });
		}
		// and the live one still gets the usual answers
		expectError(await post(a, chat, { text: '', client_id: clientId('x') }), 422, { field: 'text' });
		expectError(await list(a, chat, '?limit=0'), 400);
		expectError(await post(a, 999999999, { text: 'x' }), 404);
		expectError(await list(a, 999999999), 404);
	});

	it('a deactivated account neither sends nor reads; reactivated it does both again', T, async () => {
		const a = await register('se');
		const b = await register('sf');
		const chat = (await directChat(a, b)).id;
		await send(a, chat, 'before');
		sql(`UPDATE users SET deactivated_at = now() WHERE id = ${Number(a.user.id)}`);
		try {
			expectError(await post(a, chat, { text: 'while deactivated', client_id: clientId('d') }), 401);
			expectError(await list(a, chat), 401);
		} finally {
			sql(`UPDATE users SET deactivated_at = NULL WHERE id = ${Number(a.user.id)}`);
		}
		expectStatus(await post(a, chat, { text: 'after', client_id: clientId('d') }), 201);
		const texts = (await list(b, chat)).json.messages.map((m) => m.text);
		assert.ok(!texts.includes('while deactivated'), texts.join('|'));
	});

	it('not a member: 404 to send and to read; a blocked direct chat: 403', T, async () => {
		const a = await register('sg');
		const b = await register('sh');
		const c = await register('si');
		const chat = (await directChat(a, b)).id;
		expectError(await post(c, chat, { text: 'intruder', client_id: clientId('i') }), 404);
		expectError(await list(c, chat), 404);
		expectStatus(await api('POST', `/api/users/${b.user.nickname}/block`, { token: a.token }), [200, 201, 204]);
		expectError(await post(b, chat, { text: 'blocked', client_id: clientId('b') }), 403, { field: 'text' });
		expectError(await post(a, chat, { text: 'blocker', client_id: clientId('b') }), 403, { field: 'text' });
		expectStatus(await list(b, chat), 200);
	});

	it("errors come in the viewer's language, decided by the session found in the statement", T, async () => {
		const a = await register('sj');
		const b = await register('sk');
		const c = await register('sl');
		const chat = (await directChat(a, b)).id;
		for (const u of [a, c]) expectStatus(await api('PATCH', '/api/me', { token: u.token, body: { language: 'ru' } }), 200);
		const empty = expectError(await post(a, chat, { text: '   ', client_id: clientId('l') }), 422, { field: 'text' });
		assert.equal(empty.message, RU['err.text.empty']);
		assert.equal(expectError(await post(c, chat, { text: 'x', client_id: clientId('l') }), 404).message, RU['err.not_found']);
		assert.equal(expectError(await list(c, chat), 404).message, RU['err.not_found']);
		assert.equal(expectError(await post(b, chat, { text: '', client_id: clientId('l') }), 422).message, EN['err.text.empty']);
	});

	it('the session is used: its last use and address are refreshed by a send', T, async () => {
		const a = await register('sm');
		const b = await register('sn');
		const chat = (await directChat(a, b)).id;
		const h = tokenHash(a.token);
		sql(`UPDATE sessions SET last_seen_at = now() - interval '2 hours', ip = 'old' WHERE token_hash = ${h}`);
		expectStatus(await post(a, chat, { text: 'touch', client_id: clientId('t') }), 201);
		const [fresh, ip] = sql(`SELECT last_seen_at > now() - interval '1 minute', ip <> 'old' FROM sessions WHERE token_hash = ${h}`).split('|');
		assert.equal(fresh, 't');
		assert.equal(ip, 't');
		sql(`UPDATE sessions SET last_seen_at = now() - interval '2 hours' WHERE token_hash = ${h}`);
		expectStatus(await list(a, chat), 200);
		assert.equal(sql(`SELECT last_seen_at > now() - interval '1 minute' FROM sessions WHERE token_hash = ${h}`), 't');
	});

	it('forms with a session cookie: CSRF checked (403), a dead cookie goes to the login page first, a good post 303', T, async () => {
		const { browser } = await browserRegister('so');
		const peer = await register('sp');
		const opened = await browser.post('/chats', { kind: 'direct', nickname: peer.user.nickname });
		expectStatus(opened, 303, 'open a direct chat by form');
		const chat = opened.headers.get('location').match(/^\/chats\/(\d+)/)?.[1];
		assert.ok(chat, `a direct chat for the form user: ${opened.headers.get('location')}`);
		await browser.get(`/chats/${chat}`);
		const ok = await browser.post(`/chats/${chat}/messages`, { text: 'by form', client_id: clientId('f') });
		expectStatus(ok, 303);
		assert.match(ok.headers.get('location'), new RegExp(`^/chats/${chat}#m-\\d+$`));
		expectStatus(await browser.post(`/chats/${chat}/messages`, { text: 'no token', client_id: clientId('f') }, { csrf: false }), 403);
		expectStatus(await browser.post(`/chats/${chat}/messages`, { text: 'bad token', client_id: clientId('f') }, { csrf: 'a'.repeat(64) }), 403);
		expectStatus(await browser.post(`/chats/${chat}/messages`, { text: 'foreign', client_id: clientId('f') }, { origin: 'https://evil.example' }), 403);
		// the composer comes back with the text and the message on a refusal
		const empty = await browser.post(`/chats/${chat}/messages`, { text: '  ', client_id: clientId('f') });
		expectStatus(empty, 422);
		assert.ok(empty.text.includes(EN['err.text.empty']), 'the error on the re-shown page');
		// the session ends: the form is sent to the login page, CSRF or not
		const cookie = browser.cookieHeader;
		sql(`DELETE FROM sessions WHERE token_hash = ${tokenHash(browser.session)}`);
		for (const csrf of [true, false]) {
			const dead = await browser.post(`/chats/${chat}/messages`, { text: 'dead', client_id: clientId('f') }, { csrf });
			expectStatus(dead, 303, `a dead session, csrf ${csrf}`);
			assert.match(dead.headers.get('location'), /^\/login\?next=/);
		}
		const read = await api('GET', `/chats/${chat}/messages`, { cookie, headers: { Accept: 'text/html' } });
		expectStatus(read, 303);
		assert.match(read.headers.get('location'), /^\/login\?next=/);
	});
});
