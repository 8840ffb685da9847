// HTML views: forms, CSRF + Origin checks, cookies, post/redirect/get, escaping.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	BASE, FOREIGN_ORIGIN, RUN, api, register, login, directChat, send, clientId, newUserFields, Browser,
	browserRegister, parseTags, htmlText, extractCsrf, assertNoInjection, expectStatus, expectNo5xx, closeAll,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 60000 };
const XSS_NAME = '<script>alert(1)</script>"><img src=x onerror=alert(1)>';
const XSS_TEXTS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];

function isHtml(res) {
	assert.match(res.headers.get('content-type') || '', /text\/html/, `${res.req.method} ${res.req.path}: content-type ${res.headers.get('content-type')}`);
}

function sessionCookie(res) {
	return res.setCookies.find((c) => /^messly_session=/.test(c));
}

/* Location resolved against BASE; asserts it stays on this origin. */
function location(res) {
	const loc = res.headers.get('location');
	assert.ok(loc, `${res.req.method} ${res.req.path}: ${res.status} without Location`);
	const u = new URL(loc, BASE + res.req.path);
	assert.equal(u.origin, new URL(BASE).origin, `redirect leaves the origin: ${loc}`);
	return u.pathname + u.search;
}

function inputs(html) {
	return parseTags(html).filter((t) => t.name === 'input' || t.name === 'textarea');
}

function formsOf(html) {
	return parseTags(html).filter((t) => t.name === 'form');
}

describe('GET /login and /register', () => {
	for (const [path, fields] of [['/login', ['login', 'password']], ['/register', ['email', 'password', 'nickname', 'name']]]) {
		it(`${path} renders a form with a csrf hidden input`, T, async () => {
			const b = new Browser();
			const res = await b.get(path);
			expectStatus(res, 200);
			isHtml(res);
			const forms = formsOf(res.text).filter((f) => (f.attrs.method || '').toLowerCase() === 'post');
			assert.ok(forms.length > 0, `${path}: no POST form`);
			const csrf = inputs(res.text).find((t) => t.attrs.name === 'csrf');
			assert.ok(csrf, `${path}: no csrf input`);
			assert.equal(csrf.attrs.type, 'hidden');
			assert.ok(csrf.attrs.value.length >= 16, `${path}: csrf token too short: ${csrf.attrs.value}`);
			for (const f of fields) assert.ok(inputs(res.text).some((t) => t.attrs.name === f), `${path}: no input ${f}`);
			const pw = inputs(res.text).find((t) => t.attrs.name === 'password');
			assert.equal(pw.attrs.type, 'password');
			assert.ok(!pw.attrs.value, 'a password input carries a value');
			assert.match(res.text, /<html[^>]*\blang="(en|ru)"/, 'no <html lang>');
		});
	}
});

describe('form POST /register', () => {
	it('303 with messly_session HttpOnly SameSite=Lax; the cookie logs in', T, async () => {
		const b = new Browser();
		await b.get('/register');
		const f = newUserFields('hr');
		const res = await b.post('/register', f);
		expectStatus(res, 303);
		const to = location(res);
		const sc = sessionCookie(res);
		assert.ok(sc, `no messly_session Set-Cookie: ${res.setCookies}`);
		assert.match(sc, /;\s*HttpOnly/i, `not HttpOnly: ${sc}`);
		assert.match(sc, /;\s*SameSite=Lax/i, `not SameSite=Lax: ${sc}`);
		assert.match(sc, /;\s*Path=\//i, `no Path=/: ${sc}`);
		if (BASE.startsWith('https:')) assert.match(sc, /;\s*Secure/i);
		const value = sc.split(';')[0].split('=')[1];
		assert.ok(value.length >= 32, 'session token too short');
		assert.ok(!sc.includes(f.password));
		const page = await b.get(to);
		expectStatus(page, 200, `GET ${to} after registering`);
		isHtml(page);
		assert.ok(htmlText(page.text).includes(f.nickname) || htmlText(page.text).includes(f.name), `the page after registering does not show the user`);
		const me = await b.api('GET', '/api/me');
		expectStatus(me, 200);
		assert.equal(me.json.user.nickname, f.nickname);
	});

	it('errors -> 422, the page keeps nickname/email, never the password', T, async () => {
		const cases = [
			['password', { password: `short${RUN}`.slice(0, 7) }],
			['nickname', { nickname: 'ab', password: `Long-${RUN}-secret-pw` }],
			['email', { email: 'not-an-email', password: `Long-${RUN}-secret-pw2` }],
		];
		for (const [field, over] of cases) {
			const b = new Browser();
			await b.get('/register');
			const f = newUserFields('he', over);
			const res = await b.post('/register', f);
			expectStatus(res, 422, `bad ${field}`);
			isHtml(res);
			const ins = inputs(res.text);
			assert.equal(ins.find((t) => t.attrs.name === 'nickname')?.attrs.value, f.nickname, `${field}: nickname not kept`);
			assert.equal(ins.find((t) => t.attrs.name === 'email')?.attrs.value, f.email, `${field}: email not kept`);
			assert.equal(ins.find((t) => t.attrs.name === 'name')?.attrs.value, f.name, `${field}: name not kept`);
			assert.ok(!res.text.includes(f.password), `${field}: the password is in the page`);
			assert.ok(!sessionCookie(res) || /messly_session=;|Max-Age=0/i.test(sessionCookie(res)), 'a failed registration set a session');
			assert.ok(extractCsrf(res.text), 'the re-rendered form has no csrf');
		}
	});

	it('typed markup is escaped when the form is re-rendered', T, async () => {
		const b = new Browser();
		await b.get('/register');
		const typed = `"><script>alert(1)</script>`;
		const f = newUserFields('hx', { nickname: typed, name: XSS_NAME, email: `"><img src=x onerror=alert(1)>@x` });
		const res = await b.post('/register', f);
		expectStatus(res, 422);
		assertNoInjection(res.text, [typed, XSS_NAME, '<img src=x'], 'alert(1)', 'register form');
		assert.equal(inputs(res.text).find((t) => t.attrs.name === 'nickname')?.attrs.value, typed);
	});

	it('the register page shows no raw catalog keys', T, async () => {
		const b = new Browser();
		const page = await b.get('/register');
		assert.ok(!/err\.[a-z]+\.[a-z]+/.test(page.text), 'an untranslated catalog key on the page');
	});

	for (const [what, opts] of [
		['without csrf', { csrf: false }],
		['with a wrong csrf', { csrf: 'x'.repeat(43) }],
		['with a foreign Origin', { origin: FOREIGN_ORIGIN }],
		['without Origin or Referer', { origin: null }],
		['with a foreign Referer and no Origin', { origin: null, referer: `${FOREIGN_ORIGIN}/register` }],
		['with Origin null', { origin: 'null' }],
	]) {
		it(`POST /register ${what} -> 403 and nothing created`, T, async () => {
			const b = new Browser();
			await b.get('/register');
			const f = newUserFields('hc');
			const res = await b.post('/register', f, opts);
			expectStatus(res, 403);
			assert.ok(!sessionCookie(res) || /messly_session=;/.test(sessionCookie(res)), 'a session cookie was issued');
			expectStatus(await login(f.nickname, f.password), 401, 'the refused registration created the user');
		});
	}

	it('POST /register with the own Referer and no Origin -> 303', T, async () => {
		const b = new Browser();
		await b.get('/register');
		const res = await b.post('/register', newUserFields('hf'), { origin: null, referer: `${BASE}/register` });
		expectStatus(res, 303);
		assert.ok(b.session);
	});
});

describe('form POST /login, /logout', () => {
	let u;
	before(async () => {
		u = await register('hl');
	});

	it('303 with a session cookie; a bad password re-renders with the login kept', T, async () => {
		const b = new Browser();
		await b.get('/login');
		const bad = await b.post('/login', { login: u.user.nickname, password: u.password + 'nope' });
		expectStatus(bad, [401, 422]);
		isHtml(bad);
		assert.equal(inputs(bad.text).find((t) => t.attrs.name === 'login')?.attrs.value, u.user.nickname, 'login not kept');
		assert.ok(!bad.text.includes(u.password + 'nope'), 'the password is in the page');
		assert.ok(!b.session, 'a failed login set a session');
		const ok = await b.post('/login', { login: u.email, password: u.password });
		expectStatus(ok, 303);
		location(ok);
		const sc = sessionCookie(ok);
		assert.match(sc, /HttpOnly/i);
		assert.match(sc, /SameSite=Lax/i);
		expectStatus(await b.api('GET', '/api/me'), 200);
	});

	it('without csrf or with a foreign Origin -> 403', T, async () => {
		for (const opts of [{ csrf: false }, { origin: FOREIGN_ORIGIN }]) {
			const b = new Browser();
			await b.get('/login');
			const res = await b.post('/login', { login: u.email, password: u.password }, opts);
			expectStatus(res, 403, JSON.stringify(opts));
			assert.ok(!b.session, 'session issued');
		}
	});

	it('next= never redirects off-site', T, async () => {
		for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
			const b = new Browser();
			await b.get(`/login?next=${encodeURIComponent(next)}`);
			const res = await b.post('/login', { login: u.email, password: u.password, next });
			expectStatus(res, 303, `next=${next}`);
			location(res);
			assert.ok(!/evil\.example|javascript:/i.test(res.headers.get('location')), `Location ${res.headers.get('location')}`);
		}
		const b = new Browser();
		await b.get('/login?next=%2Fchats');
		const res = await b.post('/login', { login: u.email, password: u.password, next: '/chats' });
		expectStatus(res, 303);
		assert.equal(location(res), '/chats');
	});

	it('reflected next / q parameters are escaped', T, async () => {
		const p = '"><script>alert(1)</script>';
		const b = new Browser();
		const l = await b.get(`/login?next=${encodeURIComponent(p)}`);
		expectNo5xx(l);
		assertNoInjection(l.text, [p], 'alert(1)', '/login?next=');
		const w = await browserRegister('hq');
		const s = await w.browser.get(`/users?q=${encodeURIComponent(p)}`);
		expectStatus(s, 200);
		assertNoInjection(s.text, [p], 'alert(1)', '/users?q=');
	});

	it('logout: 303, the cookie is cleared and the old value is dead', T, async () => {
		const w = await browserRegister('ho');
		const old = w.browser.cookieHeader;
		const res = await w.browser.post('/logout', {});
		expectStatus(res, 303);
		location(res);
		assert.ok(!w.browser.session, `the cookie was not cleared: ${res.setCookies}`);
		expectStatus(await api('GET', '/api/me', { cookie: old }), 401, 'the old session cookie after logout');
		const page = await api('GET', '/chats', { cookie: old });
		expectStatus(page, [302, 303, 401], 'GET /chats with the old cookie');
	});

	it('JSON /api/login carrying a session cookie needs CSRF', T, async () => {
		const w = await browserRegister('hj');
		const res = await w.browser.api('POST', '/api/login', { body: { login: u.email, password: u.password } });
		expectStatus(res, 403, 'cookie + JSON login without csrf/Origin');
		const me = await w.browser.api('GET', '/api/me');
		assert.equal(me.json?.user?.id, w.user.id, 'the session was switched to another user');
	});

	it('logout without csrf -> 403 and the session lives on', T, async () => {
		const w = await browserRegister('hn');
		expectStatus(await w.browser.post('/logout', {}, { csrf: false }), 403);
		expectStatus(await w.browser.api('GET', '/api/me'), 200);
	});
});

describe('chat pages', () => {
	let w, peer, chat;
	before(async () => {
		w = await browserRegister('hp');
		peer = await register('hpp');
		chat = await directChat(peer, { user: w.user });
		await send(peer, chat.id, `hi from ${peer.user.nickname}`);
	});

	it('anonymous GET /chats -> redirect to /login or 401', T, async () => {
		const res = await api('GET', '/chats');
		expectStatus(res, [302, 303, 401]);
		if (res.status !== 401) assert.match(location(res), /^\/login/);
	});

	it('GET /chats lists the chats; GET /chats/ID shows the messages', T, async () => {
		const list = await w.browser.get('/chats');
		expectStatus(list, 200);
		isHtml(list);
		assert.ok(list.text.includes(`/chats/${chat.id}`), 'no link to the chat');
		assert.ok(extractCsrf(list.text), 'no csrf on the chats page');
		const page = await w.browser.get(`/chats/${chat.id}`);
		expectStatus(page, 200);
		isHtml(page);
		assert.ok(htmlText(page.text).includes(`hi from ${peer.user.nickname}`), 'the message is not on the page');
		assert.ok(htmlText(page.text).includes(peer.user.name), 'the peer name is not on the page');
		const li = parseTags(page.text).filter((t) => t.name === 'li' && /\bmsg\b/.test(t.attrs.class || ''));
		assert.ok(li.length >= 1, 'no <li class="msg">');
		for (const t of li) for (const k of ['id', 'data-id', 'data-seq', 'data-sender']) assert.ok(k in t.attrs, `${t.raw} lacks ${k}`);
		const form = formsOf(page.text).find((f) => (f.attrs.action || '').endsWith(`/chats/${chat.id}/messages`));
		assert.ok(form, 'no form posting to /chats/ID/messages');
	});

	it('form POST /chats/ID/messages -> 303 to /chats/ID and the message is there', T, async () => {
		await w.browser.get(`/chats/${chat.id}`);
		const text = `form message ${RUN} & co`;
		const res = await w.browser.post(`/chats/${chat.id}/messages`, { text });
		expectStatus(res, 303);
		assert.match(location(res), new RegExp(`^/chats/${chat.id}(\\?|#|$)`));
		const page = await w.browser.get(`/chats/${chat.id}`);
		assert.ok(htmlText(page.text).includes(text), 'the posted message is not on the page');
		const msgs = await api('GET', `/api/chats/${chat.id}/messages`, { token: peer.token });
		const m = msgs.json.messages.find((x) => x.text === text);
		assert.ok(m, 'the peer does not see it');
		assert.equal(m.sender.id, w.user.id);
	});

	it('form message errors: empty -> 422 page with the error; no csrf / foreign Origin -> 403; nothing created', T, async () => {
		const before = (await api('GET', `/api/chats/${chat.id}`, { token: peer.token })).json.chat.last_seq;
		await w.browser.get(`/chats/${chat.id}`);
		const empty = await w.browser.post(`/chats/${chat.id}/messages`, { text: '   ' });
		expectStatus(empty, 422);
		isHtml(empty);
		const long = 'z'.repeat(4001);
		const tooLong = await w.browser.post(`/chats/${chat.id}/messages`, { text: long });
		expectStatus(tooLong, 422);
		assert.ok(tooLong.text.includes(long), 'the draft was not kept after an error');
		expectStatus(await w.browser.post(`/chats/${chat.id}/messages`, { text: 'no csrf' }, { csrf: false }), 403);
		expectStatus(await w.browser.post(`/chats/${chat.id}/messages`, { text: 'foreign' }, { origin: FOREIGN_ORIGIN }), 403);
		expectStatus(await w.browser.post(`/chats/${chat.id}/messages`, { text: 'no origin' }, { origin: null }), 403);
		const after = (await api('GET', `/api/chats/${chat.id}`, { token: peer.token })).json.chat.last_seq;
		assert.equal(after, before, 'a refused form post created a message');
	});

	it("another session's csrf token is refused", T, async () => {
		const other = await browserRegister('hs');
		await w.browser.get(`/chats/${chat.id}`);
		const res = await w.browser.post(`/chats/${chat.id}/messages`, { text: 'cross token' }, { csrf: other.browser.csrf });
		expectStatus(res, 403);
	});

	it('form POST /chats {kind: direct, nickname} -> 303 to /chats/ID', T, async () => {
		const x = await register('hd');
		await w.browser.get('/chats');
		const res = await w.browser.post('/chats', { kind: 'direct', nickname: x.user.nickname });
		expectStatus(res, 303);
		const m = location(res).match(/^\/chats\/(\d+)/);
		assert.ok(m, `Location ${res.headers.get('location')}`);
		const c = await api('POST', '/api/chats', { token: x.token, body: { kind: 'direct', nickname: w.user.nickname } });
		expectStatus(c, 200);
		assert.equal(String(c.json.chat.id), m[1]);
	});

	it('cookie JSON writes need X-CSRF-Token and Origin; bearer needs neither', T, async () => {
		const path = `/api/chats/${chat.id}/messages`;
		const noToken = await w.browser.api('POST', path, { body: { text: 'json no csrf', client_id: clientId() }, headers: { Origin: BASE } });
		expectStatus(noToken, 403, 'cookie JSON without X-CSRF-Token');
		const foreign = await w.browser.api('POST', path, { body: { text: 'json foreign', client_id: clientId() }, headers: { Origin: FOREIGN_ORIGIN, 'X-CSRF-Token': w.browser.csrf } });
		expectStatus(foreign, 403, 'cookie JSON with a foreign Origin');
		const ok = await w.browser.api('POST', path, { body: { text: 'json with csrf', client_id: clientId() }, headers: { Origin: BASE, 'X-CSRF-Token': w.browser.csrf } });
		expectStatus(ok, 201, 'cookie JSON with X-CSRF-Token and Origin');
		const bearer = await api('POST', path, { token: peer.token, body: { text: 'bearer', client_id: clientId() } });
		expectStatus(bearer, 201, 'bearer without CSRF/Origin');
		const texts = (await api('GET', `${path}?limit=100`, { token: peer.token })).json.messages.map((m) => m.text);
		assert.ok(!texts.includes('json no csrf') && !texts.includes('json foreign'));
	});

	it('Accept: application/json on an HTML path gives JSON', T, async () => {
		const res = await w.browser.api('GET', `/chats/${chat.id}`, { headers: { Accept: 'application/json' } });
		expectStatus(res, 200);
		assert.match(res.headers.get('content-type') || '', /application\/json/);
		assert.equal(res.json?.chat?.id, chat.id);
	});

	it('an unknown chat -> 404 HTML page; a non-member -> 404', T, async () => {
		const res = await w.browser.get('/chats/2147483000');
		expectStatus(res, 404);
		isHtml(res);
		const stranger = await browserRegister('hz');
		expectStatus(await stranger.browser.get(`/chats/${chat.id}`), 404);
		expectStatus(await stranger.browser.post(`/chats/${chat.id}/messages`, { text: 'intrude' }), 404);
	});
});

describe('escaping in pages', () => {
	it('markup in display name and text is escaped on /chats, /chats/ID and /users', T, async () => {
		const v = await browserRegister('hv');
		const x = await register('hxs', { name: XSS_NAME });
		const c = await directChat(x, { user: v.user });
		for (const t of XSS_TEXTS) await send(x, c.id, t);
		await send(x, c.id, `**bold** [link](javascript:alert(1)) ${RUN}`);
		const pages = [
			['/chats', await v.browser.get('/chats')],
			[`/chats/${c.id}`, await v.browser.get(`/chats/${c.id}`)],
			[`/users?q=${x.user.nickname}`, await v.browser.get(`/users?q=${x.user.nickname}`)],
		];
		for (const [p, res] of pages) {
			expectStatus(res, 200, p);
			assertNoInjection(res.text, [XSS_NAME, ...XSS_TEXTS], 'alert(1)', p);
			assert.ok(!/href\s*=\s*"?\s*javascript:/i.test(res.text), `${p}: javascript: link`);
			assert.ok(htmlText(res.text).includes(XSS_NAME), `${p}: the display name is not shown (escaped)`);
		}
		// the sender's own view (cookie login for x)
		const xb = new Browser();
		await xb.get('/login');
		expectStatus(await xb.post('/login', { login: x.email, password: x.password }), 303);
		const own = await xb.get(`/chats/${c.id}`);
		expectStatus(own, 200);
		assertNoInjection(own.text, [XSS_NAME, ...XSS_TEXTS], 'alert(1)', 'sender view');
	});
});
