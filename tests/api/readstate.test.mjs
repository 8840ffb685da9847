// Read state, receipts, typing, presence, notification levels, privacy and
// full-text search (issue 6), through the real stack.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	api, register, login, directChat, send, expectStatus, expectError, wsConnect, closeAll,
	sleep, browserRegister, assertNoInjection, htmlText, parseTags, PASSWORD,
} from './lib.mjs';

const TTL = Number(process.env.MESSLY_PRESENCE_TTL || 60);

after(closeAll);

/* Poll fn until it returns a truthy value (or fail after ms). */
async function until(fn, ms = 8000, label = 'condition') {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) assert.fail(`timeout waiting for ${label}`);
		await sleep(150);
	}
}

async function unreadOf(user, chatId) {
	const r = expectStatus(await api('GET', '/api/chats', { token: user.token }), 200);
	return r.json.chats.find((c) => c.id === chatId);
}

/* A, A's second device, and B in a direct chat with three messages from B. */
async function setup() {
	const a = await register('ra');
	const a2 = await login(a.user.nickname, PASSWORD);
	expectStatus(a2, 200);
	const b = await register('rb');
	const chat = await directChat(b, a);
	return { a, a2: { ...a2.json }, b, chat };
}

test('unread counts are exact and live on every device; receipts reach the sender', async () => {
	const { a, a2, b, chat } = await setup();
	const wa1 = await wsConnect(a.token);
	const wa2 = await wsConnect(a2.token);
	const wb = await wsConnect(b.token);
	const m1 = await send(b, chat.id, 'one');
	const m2 = await send(b, chat.id, 'two');
	const m3 = await send(b, chat.id, 'three');
	assert.equal((await unreadOf(a, chat.id)).unread, 3);
	assert.equal((await unreadOf(b, chat.id)).unread, 0, 'own messages are never unread');

	expectStatus(await api('POST', `/api/chats/${chat.id}/read`, { token: a.token, body: { seq: m2.seq } }), 204);
	for (const w of [wa1, wa2]) {
		const ev = await w.waitFor((f) => f.type === 'read' && f.chat === chat.id, 5000, 'read event');
		assert.equal(ev.seq, m2.seq);
		assert.equal(ev.unread, 1, 'the read event carries the exact count left');
	}
	const rc = await wb.waitFor((f) => f.type === 'receipt' && f.chat === chat.id, 5000, 'receipt');
	assert.equal(rc.user, a.user.id);
	assert.equal(rc.seq, m2.seq);
	assert.equal((await unreadOf(a, chat.id)).unread, 1);

	// moving backwards changes nothing and publishes nothing
	const before = wa1.frames.length;
	expectStatus(await api('POST', `/api/chats/${chat.id}/read`, { token: a.token, body: { seq: 1 } }), 204);
	await sleep(300);
	assert.equal(wa1.frames.filter((f, i) => i >= before && f.type === 'read').length, 0);
	assert.equal((await unreadOf(a, chat.id)).unread, 1);

	// readers: A has read m1 and m2, not m3
	let r = expectStatus(await api('GET', `/api/messages/${m1.id}/readers`, { token: b.token }), 200);
	assert.deepEqual(r.json.readers.map((u) => u.id), [a.user.id]);
	r = expectStatus(await api('GET', `/api/messages/${m3.id}/readers`, { token: b.token }), 200);
	assert.deepEqual(r.json.readers, []);

	// a stranger sees nothing of the chat
	const c = await register('rc');
	expectError(await api('GET', `/api/messages/${m1.id}/readers`, { token: c.token }), 404);
	expectError(await api('POST', `/api/chats/${chat.id}/read`, { token: c.token, body: { seq: 1 } }), 404);

	// A sends: A's own message is not unread, and sending marks read
	await send(a, chat.id, 'reply');
	assert.equal((await unreadOf(a, chat.id)).unread, 0);
});

test('a user who turns receipts off sends none and sees none', async () => {
	const { a, b, chat } = await setup();
	const wb = await wsConnect(b.token);
	const wa = await wsConnect(a.token);
	const m1 = await send(b, chat.id, 'hello');
	let r = expectStatus(await api('PUT', '/api/settings/privacy', { token: a.token, body: { read_receipts: false } }), 200);
	assert.equal(r.json.read_receipts, false);
	assert.equal(r.json.presence, 'everyone');
	expectStatus(await api('POST', `/api/chats/${chat.id}/read`, { token: a.token, body: { seq: m1.seq } }), 204);
	await wa.waitFor((f) => f.type === 'read' && f.chat === chat.id, 5000, 'own read event');
	await sleep(400);
	assert.equal(wb.frames.filter((f) => f.type === 'receipt').length, 0, 'no receipt for B');
	r = expectStatus(await api('GET', `/api/messages/${m1.id}/readers`, { token: b.token }), 200);
	assert.deepEqual(r.json.readers, [], 'A is not listed as a reader');
	expectError(await api('GET', `/api/messages/${m1.id}/readers`, { token: a.token }), 403);
	// HTML: B's own message shows one tick (sent), never two
	const bb = await browserRegister('rh');
	const chat2 = await directChat({ token: (await login(bb.user.nickname, bb.password)).json.token }, a);
	expectError(await api('PUT', '/api/settings/privacy', { token: a.token, body: { read_receipts: 'maybe' } }), 422, { field: 'read_receipts' });
	expectError(await api('PUT', '/api/settings/privacy', { token: a.token, body: { presence: 'friends' } }), 422, { field: 'presence' });
	assert.ok(chat2.id);
});

test('receipts in HTML: one tick when sent, two when read; the divider marks new messages', async () => {
	const a = await browserRegister('ta');
	const b = await browserRegister('tb');
	let res = await a.browser.post('/chats', { kind: 'direct', nickname: b.user.nickname });
	expectStatus(res, 303);
	const chatId = Number(res.headers.get('location').split('/')[2]);
	await a.browser.get(`/chats/${chatId}`);
	expectStatus(await a.browser.post(`/chats/${chatId}/messages`, { text: 'first from a' }), 303);
	let page = await a.browser.get(`/chats/${chatId}`);
	assert.match(page.text, /class="msg-receipt"[^>]*>✓</, 'one tick before B reads');
	// B opens the chat: the divider sits before A's message, and it is now read
	page = await b.browser.get(`/chats/${chatId}`);
	const divider = page.text.indexOf('id="unread-divider"');
	assert.ok(divider > 0, 'divider shown');
	const list = page.text.indexOf('id="messages"');
	assert.ok(list > 0 && list < divider, 'divider inside the message list');
	assert.equal(page.text.slice(list, divider).indexOf('class="msg'), -1, 'divider before the first unread message');
	assert.match(htmlText(page.text), /New messages/);
	page = await a.browser.get(`/chats/${chatId}`);
	assert.match(page.text, /class="msg-receipt read"[^>]*>✓✓</, 'two ticks after B read');
	// the next visit has no divider
	page = await b.browser.get(`/chats/${chatId}`);
	assert.equal(page.text.indexOf('id="unread-divider"'), -1);
	// privacy form: receipts off (no JavaScript needed), then no ticks at all
	page = await a.browser.get('/settings/privacy');
	expectStatus(page, 200);
	res = await a.browser.post('/settings/privacy', { read_receipts: 'off', presence: 'everyone' });
	expectStatus(res, 303);
	page = await a.browser.get('/settings/privacy');
	assert.match(page.text, /value="off" checked/);
	page = await a.browser.get(`/chats/${chatId}`);
	assert.equal(page.text.indexOf('msg-receipt'), -1, 'no receipts for a user who sends none');
	// the readers page of a message refuses too
	const r = expectStatus(await a.browser.api('GET', `/api/chats/${chatId}/messages`), 200);
	expectStatus(await a.browser.get(`/messages/${r.json.messages.at(-1).id}/readers`), 403);
});

test('typing is published to the other members only, without a database write', async () => {
	const { a, b, chat } = await setup();
	const wa = await wsConnect(a.token);
	const wb = await wsConnect(b.token);
	expectStatus(await api('POST', `/api/chats/${chat.id}/typing`, { token: b.token, body: {} }), 204);
	const ev = await wa.waitFor((f) => f.type === 'typing', 5000, 'typing');
	assert.equal(ev.chat, chat.id);
	assert.equal(ev.user.id, b.user.id);
	assert.equal(ev.user.name, b.user.name);
	await sleep(300);
	assert.equal(wb.frames.filter((f) => f.type === 'typing').length, 0, 'not echoed to the typist');
	const c = await register('tc');
	expectError(await api('POST', `/api/chats/${chat.id}/typing`, { token: c.token, body: {} }), 404);
	expectError(await api('POST', `/api/chats/${chat.id}/typing`, { body: {} }), 401);
});

async function peerPresence(viewer, chatId) {
	const r = expectStatus(await api('GET', `/api/chats/${chatId}`, { token: viewer.token }), 200);
	return r.json.chat.peer;
}

test('presence: online while connected, offline with last seen after the last socket closes', async () => {
	const { a, a2, b, chat } = await setup();
	let p = await peerPresence(b, chat.id);
	assert.equal(p.online, false, 'never connected: offline');
	assert.equal(p.last_seen, null);
	const wb = await wsConnect(b.token);
	const w1 = await wsConnect(a.token);
	const w2 = await wsConnect(a2.token);
	await until(async () => (await peerPresence(b, chat.id)).online === true, 8000, 'online');
	const on = await wb.waitFor((f) => f.type === 'presence' && f.user === a.user.id && f.online, 5000, 'online event');
	assert.equal(on.last_seen, null);
	await w1.close();
	await sleep(500);
	assert.equal((await peerPresence(b, chat.id)).online, true, 'one tab still open');
	await w2.close();
	p = await until(async () => {
		const x = await peerPresence(b, chat.id);
		return x.online === false ? x : null;
	}, 8000, 'offline after the last socket closed');
	assert.match(p.last_seen, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	assert.ok(Math.abs(Date.parse(p.last_seen) - Date.now()) < 60000);
	await wb.waitFor((f) => f.type === 'presence' && f.user === a.user.id && f.online === false, 5000, 'offline event');
	// the heartbeat endpoint answers, and needs a session
	const r = expectStatus(await api('POST', '/api/presence', { token: a.token, body: {} }), 200);
	assert.equal(typeof r.json.interval, 'number');
	expectError(await api('POST', '/api/presence', { body: {} }), 401);
});

test('presence: a connection whose heartbeat lapses counts as offline within the TTL', { skip: TTL > 15 ? 'MESSLY_PRESENCE_TTL is long' : false }, async () => {
	const { a, b, chat } = await setup();
	const w = await wsConnect(a.token); // never sends a heartbeat, as a tab on a crashed worker
	await until(async () => (await peerPresence(b, chat.id)).online === true, 8000, 'online');
	const t0 = Date.now();
	await until(async () => (await peerPresence(b, chat.id)).online === false, (TTL + 4) * 1000, 'offline after the TTL');
	assert.ok(Date.now() - t0 <= (TTL + 4) * 1000);
	assert.ok(!w.closed, 'the socket itself is still open');
	// a heartbeat from the connected client brings it back
	const r = expectStatus(await api('POST', '/api/presence', { token: a.token, body: {} }), 200);
	assert.equal(r.json.connected, true);
	assert.equal((await peerPresence(b, chat.id)).online, true);
});

test('presence privacy "nobody" hides online and last seen in JSON and HTML', async () => {
	const a = await browserRegister('pa');
	const b = await browserRegister('pb');
	const res = await b.browser.post('/chats', { kind: 'direct', nickname: a.user.nickname });
	const chatId = Number(res.headers.get('location').split('/')[2]);
	const cookieA = { cookie: a.browser.cookieHeader, origin: undefined };
	const w = await wsConnect(cookieA);
	let page;
	await until(async () => {
		page = await b.browser.get(`/chats/${chatId}`);
		return /class="presence online"/.test(page.text);
	}, 8000, 'online in the chat header');
	assert.match(htmlText(page.text), /online/);
	expectStatus(await a.browser.post('/settings/privacy', { read_receipts: 'on', presence: 'nobody' }), 303);
	page = await b.browser.get(`/chats/${chatId}`);
	assert.doesNotMatch(page.text, /class="presence online"/);
	assert.doesNotMatch(htmlText(page.text), /last seen/);
	const j = expectStatus(await b.browser.api('GET', `/api/chats/${chatId}`), 200);
	assert.equal(j.json.chat.peer.online, null);
	assert.equal(j.json.chat.peer.last_seen, null);
	await w.close();
	await sleep(500);
	const j2 = expectStatus(await b.browser.api('GET', `/api/chats/${chatId}`), 200);
	assert.equal(j2.json.chat.peer.last_seen, null, 'no last seen either');
});

test('notification levels: PUT in JSON, a form in HTML, only for members', async () => {
	const { a, b, chat } = await setup();
	let r = expectStatus(await api('PUT', `/api/chats/${chat.id}/notifications`, { token: a.token, body: { level: 'muted' } }), 200);
	assert.equal(r.json.level, 'muted');
	assert.equal((await unreadOf(a, chat.id)).notify, 'muted');
	assert.equal((await unreadOf(b, chat.id)).notify, 'all', 'per member');
	expectError(await api('PUT', `/api/chats/${chat.id}/notifications`, { token: a.token, body: { level: 'loud' } }), 422, { field: 'level' });
	const c = await register('nc');
	expectError(await api('PUT', `/api/chats/${chat.id}/notifications`, { token: c.token, body: { level: 'all' } }), 404);
	const res = await api('DELETE', `/api/chats/${chat.id}/notifications`, { token: a.token });
	expectStatus(res, 405);
	assert.match(res.headers.get('allow'), /PUT/);

	const h = await browserRegister('nh');
	const made = await h.browser.post('/chats', { kind: 'direct', nickname: a.user.nickname });
	const id = Number(made.headers.get('location').split('/')[2]);
	await h.browser.get(`/chats/${id}`);
	expectStatus(await h.browser.post(`/chats/${id}/notifications`, { level: 'mentions' }), 303);
	const page = await h.browser.get(`/chats/${id}`);
	assert.match(page.text, /value="mentions" checked/);
	const list = await h.browser.get('/chats');
	assert.match(list.text, new RegExp(`data-chat="${id}"[^>]*data-notify="mentions"`));
	expectStatus(await h.browser.post(`/chats/${id}/notifications`, { level: 'mentions' }, { csrf: false }), 403);
});

test('search understands Russian and English word forms, only in the viewer\'s chats, with safe snippets', async () => {
	const { a, b, chat } = await setup();
	const tag = `z${Date.now().toString(36)}`;
	const ru = await send(b, chat.id, `Я отправлю сообщение ${tag} завтра`);
	const en = await send(b, chat.id, `the message ${tag} was sent`);
	const xss = await send(b, chat.id, `<img src=x onerror=alert(1)> сообщение ${tag} <b>x</b> & "q" <script>alert(1)</script>`);
	const find = async (user, q, extra = '') => {
		const r = expectStatus(await api('GET', `/api/search?q=${encodeURIComponent(q)}${extra}`, { token: user.token }), 200);
		return r.json.results;
	};
	let hits = await find(a, `сообщения ${tag}`);
	assert.deepEqual(hits.map((h) => h.id).sort(), [ru.id, xss.id].sort(), 'сообщения finds сообщение');
	hits = await find(a, `messages ${tag}`);
	assert.deepEqual(hits.map((h) => h.id), [en.id], 'messages finds message');
	const hit = hits[0];
	assert.equal(hit.chat.id, chat.id);
	assert.equal(hit.sender.id, b.user.id);
	assert.equal(hit.url, `/chats/${chat.id}?around=${en.seq}#m-${en.id}`);
	assert.match(hit.snippet_html, /<mark>message<\/mark>/);
	// the snippet of a hostile message is escaped, only <mark> is markup
	const bad = (await find(a, `сообщение ${tag}`)).find((h) => h.id === xss.id);
	assert.ok(bad, 'the hostile message is found');
	assert.doesNotMatch(bad.snippet_html.replace(/<\/?mark>/g, ''), /<|>/, `only marks: ${bad.snippet_html}`);
	assert.match(bad.snippet_html, /<mark>сообщение<\/mark>/);
	// as you type: the last word is a prefix
	hits = await find(a, `${tag} сообщ`);
	assert.equal(hits.length, 2);
	// filters
	assert.equal((await find(a, tag, `&chat=${chat.id}`)).length, 3);
	assert.equal((await find(a, tag, `&from=${b.user.nickname}`)).length, 3);
	assert.equal((await find(a, tag, `&from=${a.user.nickname}`)).length, 0);
	assert.equal((await find(a, tag, '&has=file')).length, 0, 'no file messages');
	const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
	assert.equal((await find(a, tag, `&after=${day(0)}&before=${day(0)}`)).length, 3, 'today, both ends inclusive');
	assert.equal((await find(a, tag, `&after=${day(1)}`)).length, 0);
	assert.equal((await find(a, tag, `&before=${day(-1)}`)).length, 0);
	expectError(await api('GET', `/api/search?q=x&after=2026-02-30`, { token: a.token }), 422, { field: 'after' });
	expectError(await api('GET', `/api/search?q=x&has=photo`, { token: a.token }), 422, { field: 'has' });
	expectError(await api('GET', `/api/search?q=${'a'.repeat(300)}`, { token: a.token }), 422, { field: 'q' });
	expectError(await api('GET', '/api/search?q=x'), 401);
	// someone who is not in the chat finds nothing, even with chat=ID
	const c = await register('sc');
	assert.equal((await find(c, tag)).length, 0);
	assert.equal((await find(c, tag, `&chat=${chat.id}`)).length, 0);
	// nor does a member who has left a group (POST /api/chats/ID/leave)
	const g = expectStatus(await api('POST', '/api/chats', { token: b.token, body: { kind: 'group', name: `Search ${tag}`, members: [a.user.nickname] } }), 201).json.chat;
	const gtag = `g${tag}`;
	await send(b, g.id, `сообщение ${gtag} в группе`);
	assert.equal((await find(a, gtag)).length, 1, 'a member finds it');
	expectStatus(await api('POST', `/api/chats/${g.id}/leave`, { token: a.token, body: {} }), [200, 204]);
	assert.equal((await find(a, gtag)).length, 0, 'no results from a chat the user is no longer in');
	assert.equal((await find(a, gtag, `&chat=${g.id}`)).length, 0, 'not even with chat=ID');
	assert.equal((await find(b, gtag)).length, 1, 'the remaining member still finds it');
});

test('search page works without JavaScript, escapes snippets, and links to the chat at the message', async () => {
	const a = await browserRegister('sa');
	const b = await browserRegister('sb');
	const made = await b.browser.post('/chats', { kind: 'direct', nickname: a.user.nickname });
	const chatId = Number(made.headers.get('location').split('/')[2]);
	await b.browser.get(`/chats/${chatId}`);
	const tag = `q${Date.now().toString(36)}`;
	const payloads = ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>'];
	expectStatus(await b.browser.post(`/chats/${chatId}/messages`, { text: `${payloads.join(' ')} встречи ${tag}` }), 303);
	for (let i = 0; i < 60; i++) await api('POST', `/api/chats/${chatId}/messages`, { cookie: b.browser.cookieHeader, headers: { Origin: process.env.MESSLY_URL, 'X-CSRF-Token': b.browser.csrf }, body: { text: `filler ${i}` } });
	let page = await a.browser.get('/search');
	expectStatus(page, 200);
	assert.match(page.text, /<form[^>]*id="search-form"[^>]*action="\/search"/);
	page = await a.browser.get(`/search?q=${encodeURIComponent('встреча ' + tag)}`);
	expectStatus(page, 200);
	assertNoInjection(page.text, payloads, 'alert(1)', 'search page');
	assert.match(page.text, /<mark>встречи<\/mark>/);
	const href = parseTags(page.text).find((t) => t.name === 'a' && /hit-link/.test(t.attrs.class || ''))?.attrs.href;
	const link = /^(\/chats\/\d+\?around=\d+)#m-(\d+)$/.exec(href || '');
	assert.ok(link, `a result links to the chat at the message: ${href}`);
	const around = await a.browser.get(link[1]);
	expectStatus(around, 200);
	assert.ok(around.text.includes(`id="m-${link[2]}"`), 'the page around the message contains it');
	assert.match(around.text, /href="\/chats\/\d+"[^>]*>[^<]*(Newest|Latest|newest|latest|Back to)/i);
	assert.ok(parseTags(around.text).some((t) => t.name === 'a' && /^\/chats\/\d+\?around=\d+$/.test(t.attrs.href || '')), 'a link to newer messages');
	// in one chat: the chat filter is preselected from the chat header link
	page = await a.browser.get(`/search?chat=${chatId}&q=${tag}`);
	assert.match(page.text, new RegExp(`<option value="${chatId}" selected>`));
	page = await a.browser.get(`/search?q=${tag}&after=31.12.2026`);
	expectStatus(page, 422);
});
