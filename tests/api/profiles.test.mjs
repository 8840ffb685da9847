// Profiles, nicknames, contact search, blocking, password/email changes,
// sessions, export and account deletion (issue 7). JSON and HTML views.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	BASE, RUN, PASSWORD, api, register, login, uniq, directChat, send, clientId, sleep, wsConnect,
	browserRegister, htmlText, assertNoInjection, expectStatus, expectError, closeAll, newUserFields,
	catalog, sql,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 60000 };

/* ---------------------------------------------------------- helpers */

// The message catalogs, to check that errors come in the user's language.
const EN = catalog('en');
const RU = catalog('ru');

// SQL against the test stack's database (MESSLY_DB): only for what the API
// cannot do yet (deactivation is an admin feature) and for looking behind
// the API (nothing personal left). Values interpolated here are integers.

const patchMe = (u, body) => api('PATCH', '/api/me', { token: u.token, body });
const search = (u, q, extra = '') => api('GET', `/api/users?q=${encodeURIComponent(q)}${extra}`, { token: u.token });
const nicks = (res) => {
	expectStatus(res, 200);
	return res.json.users.map((x) => x.nickname);
};

/* A second bearer session of the same account. */
async function secondSession(u, ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0') {
	const res = await api('POST', '/api/login', { body: { login: u.user.nickname, password: u.password }, headers: { 'User-Agent': ua } });
	expectStatus(res, 200, 'second login');
	return { ...u, token: res.json.token };
}

/* The files of a store-only ZIP, checked against its central directory and CRCs. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});
function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
function unzip(buf) {
	const end = buf.length - 22;
	assert.equal(buf.readUInt32LE(end), 0x06054b50, 'end of central directory record');
	const count = buf.readUInt16LE(end + 10);
	let p = buf.readUInt32LE(end + 16);
	assert.equal(p + buf.readUInt32LE(end + 12), end, 'central directory size and offset');
	const files = {};
	for (let i = 0; i < count; i++) {
		assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central header');
		const crc = buf.readUInt32LE(p + 16);
		const size = buf.readUInt32LE(p + 20);
		const nameLen = buf.readUInt16LE(p + 28);
		const off = buf.readUInt32LE(p + 42);
		const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
		assert.equal(buf.readUInt32LE(off), 0x04034b50, `local header of ${name}`);
		assert.equal(buf.readUInt16LE(off + 8), 0, `${name} is stored`);
		const dataAt = off + 30 + buf.readUInt16LE(off + 26) + buf.readUInt16LE(off + 28);
		const data = buf.subarray(dataAt, dataAt + size);
		assert.equal(crc32(data), crc, `CRC of ${name}`);
		files[name] = data.toString('utf8');
		p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
	}
	return files;
}
async function download(path, headers) {
	const res = await fetch(BASE + path, { headers, redirect: 'manual' });
	return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/* ---------------------------------------------------------- nicknames */

describe('nickname changes (PATCH /api/me {nickname})', () => {
	let A, B;
	before(async () => {
		[A, B] = await Promise.all([register('na'), register('nb')]);
	});

	it('a new nickname takes effect everywhere at once; the old one is free', T, async () => {
		const chat = await directChat(B, A);
		const m = await send(A, chat.id, `before rename ${RUN}`);
		const old = A.user.nickname;
		const fresh = uniq('nn');
		const res = await patchMe(A, { nickname: fresh.toUpperCase() });
		expectStatus(res, 200);
		assert.equal(res.json.user.nickname, fresh, 'stored lower-case');
		assert.equal(res.json.user.id, A.user.id);
		// the peer sees the new nickname on the chat and on the old message
		const c = await api('GET', `/api/chats/${chat.id}`, { token: B.token });
		assert.equal(c.json.chat.peer.nickname, fresh);
		const hist = await api('GET', `/api/chats/${chat.id}/messages`, { token: B.token });
		assert.equal(hist.json.messages.find((x) => x.id === m.id).sender.nickname, fresh);
		expectStatus(await api('GET', `/api/users/${fresh}`, { token: B.token }), 200);
		expectError(await api('GET', `/api/users/${old}`, { token: B.token }), 404);
		expectStatus(await login(fresh, A.password), 200, 'login with the new nickname');
		expectStatus(await login(old, A.password), 401, 'the old nickname logs nobody in');
		// the old nickname can be taken by someone else
		const r = await api('POST', '/api/register', { body: newUserFields('x', { nickname: old }) });
		expectStatus(r, 201, 'register the freed nickname');
		A.user.nickname = fresh;
	});

	it('the same nickname again (any case) is not a change', T, async () => {
		const res = await patchMe(A, { nickname: A.user.nickname.toUpperCase(), name: 'Same Nick' });
		expectStatus(res, 200);
		assert.equal(res.json.user.name, 'Same Nick');
	});

	const cases = [
		['reserved', 'Admin', 409, 'err.nickname.reserved'],
		['reserved', 'support', 409, 'err.nickname.reserved'],
		['reserved (a deleted account\'s name)', 'deleted_12', 409, 'err.nickname.reserved'],
		['invalid characters', 'bad-nick', 422, 'err.nickname.format'],
		['non-Latin', 'никнейм', 422, 'err.nickname.format'],
		['too long', 'n'.repeat(33), 422, 'err.nickname.format'],
		['too short', 'ab', 422, 'err.nickname.format'],
		['empty', '', 422, 'err.nickname.format'],
	];
	for (const [what, nick, status, key] of cases) {
		it(`${what}: ${JSON.stringify(nick)} -> ${status} with a clear message in English and Russian`, T, async () => {
			const en = await patchMe(A, { nickname: nick, language: 'en' });
			const e = expectError(en, status, { field: 'nickname', fieldRequired: true });
			assert.equal(e.message, EN[key]);
			const ru = await patchMe(B, { language: 'ru' });
			expectStatus(ru, 200);
			const r = expectError(await patchMe(B, { nickname: nick }), status, { field: 'nickname', fieldRequired: true });
			assert.equal(r.message, RU[key]);
			expectStatus(await patchMe(B, { language: 'en' }), 200);
		});
	}

	it('taken by someone else in another case -> 409 taken', T, async () => {
		const e = expectError(await patchMe(A, { nickname: B.user.nickname.toUpperCase() }), 409, { field: 'nickname', fieldRequired: true });
		assert.equal(e.message, EN['err.nickname.taken']);
		const me = await api('GET', '/api/me', { token: A.token });
		assert.equal(me.json.user.nickname, A.user.nickname, 'nothing changed');
	});

	it('registration refuses the same reserved names', T, async () => {
		const r = await api('POST', '/api/register', { body: newUserFields('r', { nickname: 'deleted_1' }) });
		expectError(r, 409, { field: 'nickname' });
	});

	it('the profile form shows the error at the field, in Russian for a Russian session', T, async () => {
		const w = await browserRegister('nf');
		w.browser.cookies.set('messly_lang', 'ru');
		await w.browser.get('/settings/profile');
		const res = await w.browser.post('/settings/profile', { name: 'Имя', nickname: 'admin', about: 'typed' });
		expectStatus(res, 409);
		assert.ok(htmlText(res.text).includes(RU['err.nickname.reserved']), 'Russian message on the page');
		assert.match(res.text, /id="nickname"[^>]*aria-invalid="true"/);
		assert.ok(res.text.includes('>typed</textarea>'), 'the typed text is kept');
		const ok = await w.browser.post('/settings/profile', { name: 'Новое Имя', nickname: w.user.nickname, about: 'Hi' });
		expectStatus(ok, 303);
		assert.equal(ok.headers.get('location'), '/settings/profile?saved=1');
		const page = await w.browser.get('/settings/profile?saved=1');
		assert.ok(htmlText(page.text).includes(RU['settings.saved']));
		assert.ok(page.text.includes('value="Новое Имя"'));
	});
});

/* ---------------------------------------------------------- profile and preferences */

describe('profiles and preferences', () => {
	let A, B;
	before(async () => {
		[A, B] = await Promise.all([register('pa'), register('pb')]);
	});

	it('GET /api/users/NICKNAME: the public profile, nothing private', T, async () => {
		expectStatus(await patchMe(A, { about: `Hello from ${RUN}\nhttps://example.com/me` }), 200);
		const res = await api('GET', `/api/users/${A.user.nickname.toUpperCase()}`, { token: B.token });
		expectStatus(res, 200);
		const u = res.json.user;
		assert.equal(u.id, A.user.id);
		assert.equal(u.nickname, A.user.nickname);
		assert.equal(u.name, A.user.name);
		assert.equal(u.about, `Hello from ${RUN}\nhttps://example.com/me`);
		assert.equal(u.blocked, false);
		assert.equal(u.self, false);
		assert.equal(u.deactivated, false);
		assert.ok(!/mail|pass|hash|token|theme|privacy|notify/i.test(Object.keys(u).join(' ')), `leaks: ${Object.keys(u)}`);
		assert.ok(!res.text.includes('@example.test'), 'email leaked');
		expectError(await api('GET', '/api/users/nobody_here_' + RUN, { token: B.token }), 404);
		expectError(await api('GET', '/api/users/bad-name', { token: B.token }), 404);
		expectError(await api('GET', `/api/users/${A.user.nickname}`), 401);
	});

	it('/u/NICKNAME: the page with links in the about text, escaped, and a Message button', T, async () => {
		const payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'https://ex.am/"onmouseover="alert(1)'];
		expectStatus(await patchMe(A, { about: `Links: https://example.com/a?b=1&c=2 ${payloads.join(' ')}` }), 200);
		const w = await browserRegister('pw');
		const page = await w.browser.get(`/u/${A.user.nickname}`);
		expectStatus(page, 200);
		assert.ok(htmlText(page.text).includes(A.user.name));
		assert.match(page.text, /<a href="https:\/\/example\.com\/a\?b&#61;1&amp;c&#61;2" rel="nofollow noopener noreferrer ugc"/);
		assertNoInjection(page.text, payloads, 'alert(1)', '/u/ page');
		assert.match(page.text, /<form method="post" action="\/chats">[\s\S]*name="nickname" value="[^"]+"/);
		const open = await w.browser.post('/chats', { kind: 'direct', nickname: A.user.nickname });
		expectStatus(open, 303);
		assert.match(open.headers.get('location'), /^\/chats\/\d+$/);
		expectStatus(await w.browser.get('/u/nobody_' + RUN), 404);
		const own = await w.browser.get(`/u/${w.user.nickname}`);
		assert.ok(own.text.includes('href="/settings/profile"'), 'own profile links to the settings');
		assert.ok(!own.text.includes('action="/chats"'), 'no Message button on one\'s own profile');
	});

	it('PATCH /api/me validates every field', T, async () => {
		const bad = [
			[{ about: 'x'.repeat(501) }, 'about', 'err.about.long'],
			[{ about: 'bell\u0007' }, 'about', 'err.text.control'],
			[{ name: '   ' }, 'name', 'err.name.empty'],
			[{ name: 5 }, 'name', null],
			[{ theme: 'blue' }, 'theme', 'err.choice'],
			[{ language: 'de' }, 'language', 'err.choice'],
			[{ privacy: 'friends' }, 'privacy', 'err.choice'],
			[{ notify: 'maybe' }, 'notify', 'err.choice'],
		];
		for (const [body, field, key] of bad) {
			const e = expectError(await patchMe(A, body), 422, { field, fieldRequired: true, note: JSON.stringify(body) });
			if (key) assert.equal(e.message, EN[key], JSON.stringify(body));
		}
		const ok = await patchMe(A, { about: 'я'.repeat(500), name: '  Trimmed  ', theme: 'dark', privacy: 'contacts', notify: false, notify_preview: false });
		expectStatus(ok, 200);
		const u = ok.json.user;
		assert.equal(u.name, 'Trimmed');
		assert.equal(u.about, 'я'.repeat(500));
		assert.deepEqual([u.theme, u.privacy, u.notify, u.notify_preview], ['dark', 'contacts', false, false]);
		const me = await api('GET', '/api/me', { token: A.token });
		assert.deepEqual(me.json.user, u);
		expectStatus(await patchMe(A, {}), 200, 'an empty change');
	});

	it('the theme is applied to every page; the preferences form works without JavaScript', T, async () => {
		const w = await browserRegister('th');
		let page = await w.browser.get('/chats');
		assert.match(page.text, /<html lang="en" data-theme="system">/);
		page = await w.browser.get('/settings/preferences');
		expectStatus(page, 200);
		assert.match(page.text, /name="theme" value="system" checked/);
		// unticked boxes are not sent: notifications off
		const res = await w.browser.post('/settings/preferences', { language: 'ru', theme: 'dark', privacy: 'nobody' });
		expectStatus(res, 303);
		assert.ok(res.setCookies.some((c) => c.startsWith('messly_lang=ru')), 'the language cookie follows the preference');
		page = await w.browser.get('/chats');
		assert.match(page.text, /<html lang="ru" data-theme="dark">/);
		const me = (await w.browser.api('GET', '/api/me')).json.user;
		assert.deepEqual([me.lang, me.theme, me.privacy, me.notify, me.notify_preview], ['ru', 'dark', 'nobody', false, false]);
		const bad = await w.browser.post('/settings/preferences', { theme: 'neon' });
		expectStatus(bad, 422);
		assert.ok(htmlText(bad.text).includes(RU['err.choice']));
	});
});

/* ---------------------------------------------------------- search */

describe('contact search', () => {
	let S;
	const t = `q${RUN}`; // a token only this run's users carry
	before(async () => {
		S = await register('ss');
	});

	it('ranks exact nickname, nickname prefix, name prefix, then a later word of the name', T, async () => {
		const exact = await register('e', { nickname: t, name: 'Zed Exact' });
		const prefix = await register('p', { nickname: `${t}_b`, name: 'Alpha Prefix' });
		const namePrefix = await register('np', { name: `${t.toUpperCase()} Name` });
		const word = await register('nw', { name: `Some ${t}` });
		const ids = (await search(S, t)).json.users.map((u) => u.id);
		assert.deepEqual(ids, [exact.user.id, prefix.user.id, namePrefix.user.id, word.user.id]);
		// a word's middle does not match
		assert.deepEqual(nicks(await search(S, t.slice(2))).filter((n) => [exact, prefix, namePrefix, word].some((u) => u.user.nickname === n)), []);
	});

	it('ignores case and treats ё as е, both ways', T, async () => {
		const tag = RUN;
		const fyodor = await register('yo', { name: `Фёдор Ёлкин${tag}` });
		const fedor = await register('ye', { name: `Федор Елкин${tag}х` });
		for (const q of [`ёлкин${tag}`, `ЕЛКИН${tag}`, `Елкин${tag}`]) {
			const ids = (await search(S, q)).json.users.map((u) => u.id);
			assert.ok(ids.includes(fyodor.user.id) && ids.includes(fedor.user.id), `q=${q}: ${ids}`);
		}
		const ids = (await search(S, `елкин${tag}х`)).json.users.map((u) => u.id);
		assert.deepEqual(ids, [fedor.user.id]);
	});

	it('is paginated: limit, offset, has_more, next_offset', { timeout: 120000 }, async () => {
		const p = `pg${RUN}`;
		const made = [];
		for (let i = 0; i < 3; i++) made.push(...(await Promise.all(Array.from({ length: 8 }, () => register('pg', { name: `${p} Person` })))));
		const seen = [];
		let offset = 0;
		for (let page = 0; page < 5; page++) {
			const res = await search(S, p, `&limit=10&offset=${offset}`);
			expectStatus(res, 200);
			seen.push(...res.json.users.map((u) => u.id));
			if (!res.json.has_more) break;
			assert.equal(res.json.next_offset, offset + 10);
			offset = res.json.next_offset;
		}
		assert.equal(seen.length, 24);
		assert.deepEqual([...new Set(seen)].sort(), made.map((u) => u.user.id).sort());
		// the old contract: without limit at most 20
		assert.equal((await search(S, p)).json.users.length, 20);
		// the page without JavaScript links to the next page
		const w = await browserRegister('pgw');
		const page = await w.browser.get(`/users?q=${p}`);
		assert.ok(page.text.includes(`href="/users?q=${p}&amp;offset=20"`), 'a "more" link');
		const next = await w.browser.get(`/users?q=${p}&offset=20`);
		assert.equal((next.text.match(/class="user-item"/g) || []).length, 4);
	});

	it('hides people who blocked the searcher, deactivated and deleted accounts', T, async () => {
		const tag = `h${RUN}`;
		const [blocker, deact, del, plain] = await Promise.all(['hb', 'hd', 'hx', 'hp'].map((p) => register(p, { name: `${tag} ${p}` })));
		expectStatus(await api('POST', `/api/users/${S.user.nickname}/block`, { token: blocker.token }), 204);
		sql(`UPDATE users SET deactivated_at = now() WHERE id = ${deact.user.id}`);
		expectStatus(await api('DELETE', '/api/me', { token: del.token, body: { password: del.password } }), 204);
		assert.deepEqual((await search(S, tag)).json.users.map((u) => u.id), [plain.user.id]);
		// someone else still finds the blocker
		const other = await register('ho');
		const ids = (await search(other, tag)).json.users.map((u) => u.id);
		assert.deepEqual(ids.sort(), [blocker.user.id, plain.user.id].sort());
	});

	it('treats LIKE wildcards and markup literally, never 5xx', T, async () => {
		for (const q of ['%', '_', '\\', '%_%', "'; DROP TABLE users; --", '<script>', 'ё', 'a'.repeat(64)]) {
			const res = await search(S, q);
			expectStatus(res, 200, q);
		}
		assert.deepEqual(nicks(await search(S, '%')), []);
	});
});

/* ---------------------------------------------------------- blocking */

describe('blocking', () => {
	let A, B;
	before(async () => {
		[A, B] = await Promise.all([register('ba'), register('bb')]);
	});

	it('a blocked person cannot start or write in a direct chat; nor can the blocker until unblocking', T, async () => {
		const chat = await directChat(A, B);
		await send(B, chat.id, 'before the block');
		expectStatus(await api('POST', `/api/users/${B.user.nickname}/block`, { token: A.token }), 204);
		expectStatus(await api('POST', `/api/users/${B.user.nickname}/block`, { token: A.token }), 204, 'again: no error');
		// B cannot write in the existing chat ...
		let r = await api('POST', `/api/chats/${chat.id}/messages`, { token: B.token, body: { text: 'hi', client_id: clientId() } });
		assert.equal(expectError(r, 403).message, EN['err.blocked.by_peer']);
		// ... nor start one
		const C = await register('bc');
		expectStatus(await api('POST', `/api/users/${C.user.nickname}/block`, { token: A.token }), 204);
		r = await api('POST', '/api/chats', { token: C.token, body: { kind: 'direct', nickname: A.user.nickname } });
		assert.equal(expectError(r, 403).message, EN['err.blocked.by_peer']);
		// the blocker is told to unblock first
		r = await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'hi', client_id: clientId() } });
		assert.equal(expectError(r, 403).message, EN['err.blocked.by_me']);
		// the blocker may still open the chat to read it
		expectStatus(await api('GET', `/api/chats/${chat.id}/messages`, { token: A.token }), 200);
		// and a non-member still gets 404, not a hint
		expectError(await api('POST', `/api/chats/${chat.id}/messages`, { token: C.token, body: { text: 'x', client_id: clientId() } }), 404);
		// the list
		const list = await api('GET', '/api/me/blocks', { token: A.token });
		expectStatus(list, 200);
		assert.deepEqual(list.json.users.map((u) => u.id).sort(), [B.user.id, C.user.id].sort());
		assert.ok(list.json.users.every((u) => typeof u.blocked_at === 'string'));
		expectStatus(await api('GET', `/api/users/${B.user.nickname}`, { token: A.token }), 200);
		assert.equal((await api('GET', `/api/users/${B.user.nickname}`, { token: A.token })).json.user.blocked, true);
		// unblock: both write again
		expectStatus(await api('DELETE', `/api/users/${B.user.nickname}/block`, { token: A.token }), 204);
		await send(B, chat.id, 'after the unblock');
		await send(A, chat.id, 'me too');
		assert.deepEqual((await api('GET', '/api/me/blocks', { token: A.token })).json.users.map((u) => u.id), [C.user.id]);
	});

	it('refusals: oneself, unknown people, without a session', T, async () => {
		expectError(await api('POST', `/api/users/${A.user.nickname}/block`, { token: A.token }), 422);
		expectError(await api('POST', `/api/users/nobody_${RUN}/block`, { token: A.token }), 404);
		expectError(await api('POST', `/api/users/${B.user.nickname}/block`), 401);
	});

	it('groups can ask the database: messly_blocked(blocker, blocked)', T, async () => {
		const D = await register('bd');
		expectStatus(await api('POST', `/api/users/${D.user.nickname}/block`, { token: B.token }), 204);
		assert.equal(sql(`SELECT messly_blocked(${B.user.id}, ${D.user.id})`), 't');
		assert.equal(sql(`SELECT messly_blocked(${D.user.id}, ${B.user.id})`), 'f');
	});

	it('from the pages: block on a profile, the chat shows why nobody can write', T, async () => {
		const a = await browserRegister('bwa');
		const b = await browserRegister('bwb');
		const open = await a.browser.post('/chats', { kind: 'direct', nickname: b.user.nickname });
		const chatPath = open.headers.get('location');
		await a.browser.get(`/u/${b.user.nickname}`);
		const blk = await a.browser.post(`/u/${b.user.nickname}/block`, {});
		expectStatus(blk, 303);
		assert.equal(blk.headers.get('location'), `/u/${b.user.nickname}`);
		let page = await a.browser.get(chatPath);
		assert.ok(htmlText(page.text).includes(EN['chat.blocked_by_me']));
		assert.ok(page.text.includes(`action="/u/${b.user.nickname}/unblock"`), 'an unblock button in the chat');
		assert.ok(!page.text.includes('id="composer"'), 'no composer');
		page = await b.browser.get(chatPath);
		assert.ok(htmlText(page.text).includes(EN['chat.blocked_by_peer']));
		const sent = await b.browser.post(`${chatPath}/messages`, { text: 'let me in', client_id: clientId() });
		expectStatus(sent, 403);
		assert.ok(htmlText(sent.text).includes(EN['chat.blocked_by_peer']));
		// the blocked list in the settings, and unblocking from there
		page = await a.browser.get('/settings/blocked');
		assert.ok(htmlText(page.text).includes(`@${b.user.nickname}`));
		const un = await a.browser.post(`/u/${b.user.nickname}/unblock`, { back: '/settings/blocked' });
		expectStatus(un, 303);
		assert.equal(un.headers.get('location'), '/settings/blocked');
		page = await a.browser.get('/settings/blocked');
		assert.ok(htmlText(page.text).includes(EN['blocked.none']));
		page = await b.browser.get(chatPath);
		assert.ok(page.text.includes('id="composer"'), 'the composer is back');
	});
});

/* ---------------------------------------------------------- password, email, sessions */

describe('password and email changes, sessions', () => {
	it('a password change needs the current one and ends every other session, closing its sockets', T, async () => {
		const A = await register('pwa');
		const A2 = await secondSession(A);
		const [w1, w2] = await Promise.all([wsConnect(A.token), wsConnect(A2.token)]);
		let r = await api('PUT', '/api/me/password', { token: A.token, body: { current_password: 'wrong-password', new_password: 'new-password-1' } });
		assert.equal(expectError(r, 403, { field: 'current_password' }).message, EN['err.password.wrong']);
		r = await api('PUT', '/api/me/password', { token: A.token, body: { current_password: A.password, new_password: 'short' } });
		expectError(r, 422, { field: 'new_password' });
		expectStatus(await api('GET', '/api/me', { token: A2.token }), 200, 'nothing ended by refused changes');
		r = await api('PUT', '/api/me/password', { token: A.token, body: { current_password: A.password, new_password: 'new-password-1' } });
		expectStatus(r, 204);
		await w2.waitForClose(5000);
		expectError(await api('GET', '/api/me', { token: A2.token }), 401);
		expectStatus(await api('GET', '/api/me', { token: A.token }), 200, 'this session goes on');
		// this session's socket is still live
		const B = await register('pwb');
		const chat = await directChat(B, A);
		const m = await send(B, chat.id, 'still here?');
		await w1.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'event on the surviving socket');
		assert.equal(w1.closed, null);
		expectStatus(await login(A.user.nickname, A.password), 401, 'old password');
		expectStatus(await login(A.user.nickname, 'new-password-1'), 200, 'new password');
		await w1.close();
	});

	it('the password form works without JavaScript', T, async () => {
		const w = await browserRegister('pwf');
		const other = await secondSession({ ...w, token: null });
		await w.browser.get('/settings/account');
		let res = await w.browser.post('/settings/password', { current_password: 'nope-nope', new_password: 'another-pass-1' });
		expectStatus(res, 403);
		assert.match(res.text, /id="current-password"[^>]*aria-invalid="true"/);
		res = await w.browser.post('/settings/password', { current_password: w.password, new_password: 'another-pass-1' });
		expectStatus(res, 303);
		expectStatus(await w.browser.get('/settings/account'), 200, 'the form\'s session goes on');
		expectError(await api('GET', '/api/me', { token: other.token }), 401);
	});

	it('an email change needs the password; taken and invalid addresses are refused', T, async () => {
		const [A, B] = await Promise.all([register('ema'), register('emb')]);
		const fresh = `${uniq('em')}@example.test`;
		expectError(await api('PUT', '/api/me/email', { token: A.token, body: { email: fresh, password: 'wrong-password' } }), 403, { field: 'password' });
		expectError(await api('PUT', '/api/me/email', { token: A.token, body: { email: 'not-an-email', password: A.password } }), 422, { field: 'email' });
		const e = expectError(await api('PUT', '/api/me/email', { token: A.token, body: { email: B.email.toUpperCase(), password: A.password } }), 409, { field: 'email' });
		assert.equal(e.message, EN['err.email.taken']);
		const ok = await api('PUT', '/api/me/email', { token: A.token, body: { email: fresh, password: A.password } });
		expectStatus(ok, 200);
		assert.equal(ok.json.user.email, fresh);
		expectStatus(await login(fresh, A.password), 200);
		expectStatus(await login(A.email, A.password), 401);
	});

	it('sessions: listed with device, address and last activity; one or all others can be ended', T, async () => {
		const A = await register('sea');
		const A2 = await secondSession(A);
		const A3 = await secondSession(A, 'curl/8.1.2');
		const ws2 = await wsConnect(A2.token);
		const res = await api('GET', '/api/me/sessions', { token: A.token });
		expectStatus(res, 200);
		const list = res.json.sessions;
		assert.equal(list.length, 3);
		assert.equal(list[0].current, true, 'the current session first');
		assert.equal(list.filter((s) => s.current).length, 1);
		for (const s of list) {
			assert.ok(Number.isInteger(s.id));
			for (const k of ['kind', 'browser', 'os', 'user_agent', 'ip', 'created_at', 'last_active_at', 'expires_at']) assert.equal(typeof s[k], 'string', k);
			assert.ok(!/hash|token/i.test(Object.keys(s).join(' ')));
		}
		const ff = list.find((s) => s.browser === 'Firefox');
		assert.ok(ff && ff.os === 'Linux', JSON.stringify(list));
		assert.ok(list.some((s) => s.browser === 'curl'));
		assert.match(list[0].ip, /^[0-9a-f.:]+$/);
		// someone else's session id is not found
		const B = await register('seb');
		expectError(await api('DELETE', `/api/me/sessions/${ff.id}`, { token: B.token }), 404);
		// end one: its socket closes, its token is dead, the others live
		expectStatus(await api('DELETE', `/api/me/sessions/${ff.id}`, { token: A.token }), 204);
		await ws2.waitForClose(5000);
		expectError(await api('GET', '/api/me', { token: A2.token }), 401);
		expectStatus(await api('GET', '/api/me', { token: A3.token }), 200);
		expectError(await api('DELETE', `/api/me/sessions/${ff.id}`, { token: A.token }), 404, { note: 'twice' });
		// end all others
		const all = await api('DELETE', '/api/me/sessions', { token: A.token });
		expectStatus(all, 200);
		assert.equal(all.json.ended, 1);
		expectError(await api('GET', '/api/me', { token: A3.token }), 401);
		assert.equal((await api('GET', '/api/me/sessions', { token: A.token })).json.sessions.length, 1);
	});

	it('last activity is written at most once a minute', T, async () => {
		const A = await register('la');
		const id = (await api('GET', '/api/me/sessions', { token: A.token })).json.sessions[0].id;
		sql(`UPDATE sessions SET last_seen_at = now() - interval '30 seconds' WHERE id = ${id}`);
		const before30 = sql(`SELECT last_seen_at FROM sessions WHERE id = ${id}`);
		expectStatus(await api('GET', '/api/me', { token: A.token }), 200);
		assert.equal(sql(`SELECT last_seen_at FROM sessions WHERE id = ${id}`), before30, 'not rewritten within the minute');
		sql(`UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE id = ${id}`);
		expectStatus(await api('GET', '/api/me', { token: A.token }), 200);
		assert.equal(sql(`SELECT last_seen_at > now() - interval '10 seconds' FROM sessions WHERE id = ${id}`), 't', 'refreshed after a minute');
	});

	it('the sessions page ends a session with a form', T, async () => {
		const w = await browserRegister('sef');
		const other = await secondSession({ ...w, token: null });
		const page = await w.browser.get('/settings/sessions');
		expectStatus(page, 200);
		const ids = [...page.text.matchAll(/action="\/settings\/sessions\/(\d+)\/end"/g)].map((m) => m[1]);
		assert.equal(ids.length, 1, 'one "end" button: not for the current session');
		assert.ok(htmlText(page.text).includes(EN['sessions.current']));
		const res = await w.browser.post(`/settings/sessions/${ids[0]}/end`, {});
		expectStatus(res, 303);
		expectError(await api('GET', '/api/me', { token: other.token }), 401);
	});

	it('a deactivated account cannot log in (clear message) and its sessions are refused', T, async () => {
		const A = await register('dea');
		const ws = await wsConnect(A.token);
		sql(`UPDATE users SET deactivated_at = now() WHERE id = ${A.user.id}`);
		expectError(await api('GET', '/api/me', { token: A.token }), 401);
		const r = await login(A.user.nickname, A.password);
		assert.equal(expectError(r, 403).message, EN['err.login.deactivated']);
		expectStatus(await login(A.user.nickname, 'wrong-password'), 401, 'a wrong password says nothing more');
		const B = await register('deb');
		const p = await api('GET', `/api/users/${A.user.nickname}`, { token: B.token });
		assert.equal(p.json.user.deactivated, true);
		expectError(await api('POST', '/api/chats', { token: B.token, body: { kind: 'direct', nickname: A.user.nickname } }), 404);
		await ws.close();
	});
});

/* ---------------------------------------------------------- export */

describe('export', () => {
	it('a zip of JSON: profile, chats, the messages of my chats and nothing else', T, async () => {
		const [A, B, C] = await Promise.all([register('xa'), register('xb'), register('xc')]);
		const chat = await directChat(A, B);
		await send(A, chat.id, `from A ${RUN} "quoted" ёж`);
		await send(B, chat.id, `from B ${RUN}`);
		const secret = await directChat(B, C);
		await send(C, secret.id, `secret ${RUN}`);
		expectStatus(await api('POST', `/api/users/${C.user.nickname}/block`, { token: A.token }), 204);
		const res = await download('/api/me/export', { Authorization: `Bearer ${A.token}` });
		assert.equal(res.status, 200);
		assert.equal(res.headers.get('content-type'), 'application/zip');
		assert.match(res.headers.get('content-disposition'), new RegExp(`^attachment; filename="messly-${A.user.nickname}-\\d{4}-\\d{2}-\\d{2}\\.zip"$`));
		const files = unzip(res.body);
		const profile = JSON.parse(files['profile.json']);
		assert.equal(profile.user.id, A.user.id);
		assert.equal(profile.user.email, A.email);
		assert.equal(profile.sessions.length, 1);
		assert.deepEqual(profile.blocked.map((u) => u.id), [C.user.id]);
		const chats = JSON.parse(files['chats.json']).chats;
		const ids = chats.map((c) => c.id);
		assert.ok(ids.includes(chat.id) && !ids.includes(secret.id), `chats ${ids}`);
		assert.equal(chats.find((c) => c.id === chat.id).peer.id, B.user.id);
		const msgs = JSON.parse(files[`messages/${chat.id}.json`]).messages;
		assert.deepEqual(msgs.map((m) => m.text), [`from A ${RUN} "quoted" ёж`, `from B ${RUN}`]);
		assert.equal(msgs[0].sender.id, A.user.id);
		assert.equal(files[`messages/${secret.id}.json`], undefined);
		const all = Object.values(files).join('\n');
		assert.ok(!all.includes(`secret ${RUN}`), 'a message of a chat I am not in');
		assert.ok(!/\$s1\$|scrypt|password_hash|token_hash/.test(all), 'a secret in the export');
		assert.deepEqual(Object.keys(files).sort(), ['chats.json', 'files.json', 'profile.json', ...ids.map((i) => `messages/${i}.json`)].sort());
	});

	it('the settings link downloads the same archive with the session cookie', T, async () => {
		const w = await browserRegister('xw');
		const res = await download('/settings/export', { Cookie: w.browser.cookieHeader });
		assert.equal(res.status, 200);
		const files = unzip(res.body);
		assert.equal(JSON.parse(files['profile.json']).user.nickname, w.user.nickname);
		// the welcome chat is there
		assert.equal(JSON.parse(files['chats.json']).chats.length, 1);
		expectStatus(await api('GET', '/api/me/export'), 401);
	});
});

/* ---------------------------------------------------------- deletion */

describe('account deletion', () => {
	it('needs the password; history stays readable for others as "Deleted account"; nothing personal is left', T, async () => {
		const [A, B] = await Promise.all([register('da'), register('db')]);
		expectStatus(await patchMe(A, { about: `about ${RUN}` }), 200);
		const chat = await directChat(A, B);
		const m = await send(A, chat.id, `last words ${RUN}`);
		expectStatus(await api('POST', `/api/users/${B.user.nickname}/block`, { token: A.token }), 204);
		const ws = await wsConnect(A.token);
		expectError(await api('DELETE', '/api/me', { token: A.token, body: { password: 'wrong-password' } }), 403, { field: 'password' });
		expectError(await api('DELETE', '/api/me', { token: A.token }), 403);
		expectStatus(await api('GET', '/api/me', { token: A.token }), 200, 'still there after refusals');
		expectStatus(await api('DELETE', '/api/me', { token: A.token, body: { password: A.password } }), 204);
		await ws.waitForClose(5000);
		expectError(await api('GET', '/api/me', { token: A.token }), 401);
		expectStatus(await login(A.email, A.password), 401);
		expectStatus(await login(A.user.nickname, A.password), 401);
		// history for B
		const hist = await api('GET', `/api/chats/${chat.id}/messages`, { token: B.token });
		const mine = hist.json.messages.find((x) => x.id === m.id);
		assert.equal(mine.text, `last words ${RUN}`);
		assert.equal(mine.sender.id, A.user.id);
		assert.equal(mine.sender.name, 'Deleted account');
		assert.equal(mine.sender.nickname, `deleted_${A.user.id}`);
		const page = await api('GET', `/chats/${chat.id}`, { token: B.token, headers: { Accept: 'text/html' } });
		expectStatus(page, 200);
		assert.ok(htmlText(page.text).includes('Deleted account'));
		assert.ok(!/action="\/u\/[^"]*\/(un)?block"/.test(page.text), 'no block button for a deleted account');
		// not findable, not reachable; the nickname and email are free
		expectError(await api('GET', `/api/users/${A.user.nickname}`, { token: B.token }), 404);
		expectError(await api('GET', `/api/users/deleted_${A.user.id}`, { token: B.token }), 404);
		assert.deepEqual(nicks(await search(B, A.user.nickname)), []);
		expectError(await api('POST', '/api/chats', { token: B.token, body: { kind: 'direct', nickname: `deleted_${A.user.id}` } }), 404);
		expectStatus(await api('POST', '/api/register', { body: newUserFields('x', { nickname: A.user.nickname, email: A.email }) }), 201);
		// behind the API
		assert.equal(sql(`SELECT coalesce(email, '-') || '|' || coalesce(password_hash, '-') || '|' || about || '|' || (deleted_at IS NOT NULL) FROM users WHERE id = ${A.user.id}`), '-|-||true');
		assert.equal(sql(`SELECT count(*) FROM sessions WHERE user_id = ${A.user.id}`), '0');
		assert.equal(sql(`SELECT count(*) FROM blocks WHERE blocker_id = ${A.user.id} OR blocked_id = ${A.user.id}`), '0');
	});

	it('the form needs the password and the confirmation', T, async () => {
		const w = await browserRegister('dw');
		await w.browser.get('/settings/account');
		let res = await w.browser.post('/settings/delete', { password: w.password });
		expectStatus(res, 422);
		assert.ok(htmlText(res.text).includes(EN['err.delete.confirm']));
		res = await w.browser.post('/settings/delete', { password: 'wrong-password', confirm: 'true' });
		expectStatus(res, 403);
		res = await w.browser.post('/settings/delete', { password: w.password, confirm: 'true' });
		expectStatus(res, 303);
		assert.equal(res.headers.get('location'), '/login');
		expectError(await w.browser.api('GET', '/api/me'), 401);
	});
});
