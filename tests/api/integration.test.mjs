// Where features built in parallel meet (issues 3, 4, 6, 7): presence on
// profiles and member lists under the one privacy setting, avatars on
// profiles / search / member lists, blocking in groups, the "picture
// changed" service message, files in the data export, the sender's receipt
// on send, files refused in a blocked direct chat, and "Deleted account"
// in the reader's language. JSON and HTML, allowed and refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
	BASE, api, register, directChat, send, clientId, expectStatus, expectError, wsConnect, closeAll,
	sleep, browserRegister, htmlText, RUN, sql,
} from './lib.mjs';

after(closeAll);

const ROOT = new URL('../..', import.meta.url).pathname;
const TOOLS = process.env.MESSLY_TOOLS || join(ROOT, 'build/test/tools');
const TMP = mkdtempSync(join(tmpdir(), 'messly-integration-'));
const EN = catalog('en');
const RU = catalog('ru');

function catalog(lang) {
	const out = {};
	for (const line of readFileSync(join(ROOT, `templates/i18n/${lang}.txt`), 'utf8').split('\n')) {
		const m = /^([a-z0-9_.]+) = (.*)$/.exec(line);
		if (m) out[m[1]] = m[2];
	}
	return out;
}

function png(name, w = 64, h = 64) {
	const p = join(TMP, name);
	execFileSync(join(TOOLS, 'mkimage'), ['png', p, String(w), String(h)]);
	return readFileSync(p);
}

/* POST/PUT multipart with a bearer token. */
async function upload(method, path, token, files, fields = {}) {
	const fd = new FormData();
	for (const [k, v] of Object.entries(fields)) fd.append(k, v);
	for (const f of files) fd.append(f.field || 'file', new Blob([f.bytes], { type: 'application/octet-stream' }), f.name);
	const res = await fetch(BASE + path, { method, headers: { Accept: 'application/json', Authorization: `Bearer ${token}` }, body: fd });
	const text = await res.text();
	let json = null;
	try { json = JSON.parse(text); } catch { /* not JSON */ }
	return { status: res.status, text, json };
}

async function until(fn, ms = 8000, label = 'condition') {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) assert.fail(`timeout waiting for ${label}`);
		await sleep(150);
	}
}

async function group(owner, name, members) {
	const r = await api('POST', '/api/chats', { token: owner.token, body: { kind: 'group', name, members: members.map((m) => m.user.nickname) } });
	expectStatus(r, 201, 'create group');
	return r.json.chat;
}

function unzip(buf) {
	const end = buf.length - 22;
	assert.equal(buf.readUInt32LE(end), 0x06054b50, 'end of central directory record');
	const count = buf.readUInt16LE(end + 10);
	let p = buf.readUInt32LE(end + 16);
	const files = {};
	for (let i = 0; i < count; i++) {
		const crc = buf.readUInt32LE(p + 16);
		const size = buf.readUInt32LE(p + 20);
		const nameLen = buf.readUInt16LE(p + 28);
		const off = buf.readUInt32LE(p + 42);
		const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
		const dataAt = off + 30 + buf.readUInt16LE(off + 26) + buf.readUInt16LE(off + 28);
		const data = buf.subarray(dataAt, dataAt + size);
		assert.equal(crc32(data), crc, `CRC of ${name}`);
		files[name] = data;
		p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
	}
	return files;
}

/* ------------------------------------------------- presence x profiles */

test('profile and member list show presence as the one privacy setting allows (JSON and HTML)', async () => {
	const a = await browserRegister('ipa');
	const friend = await register('ipf');
	const stranger = await register('ips');
	const g = await group(friend, `Presence ${RUN}`, [{ user: a.user }]);
	const w = await wsConnect({ cookie: a.browser.cookieHeader });
	const profile = (viewer) => api('GET', `/api/users/${a.user.nickname}`, { token: viewer.token });
	await until(async () => (await profile(stranger)).json.user.online === true, 8000, 'online on the profile');
	assert.equal((await profile(friend)).json.user.last_seen, null, 'online: no last seen');
	// HTML profile
	let page = await a.browser.get(`/u/${a.user.nickname}`);
	assert.match(page.text, /<span class="presence online" data-presence="\d+"/);
	// the group's member list, JSON and the info page
	const info = expectStatus(await api('GET', `/api/chats/${g.id}`, { token: friend.token }), 200);
	const me = info.json.chat.members.find((m) => m.id === a.user.id);
	assert.equal(me.online, true);
	assert.ok('avatar' in me, 'members carry their avatar');
	const fb = await api('GET', `/chats/${g.id}/info`, { token: friend.token, headers: { Accept: 'text/html' } });
	expectStatus(fb, 200);
	assert.match(fb.text, new RegExp(`data-presence="${a.user.id}"`));

	// contacts: people who share a chat see it, a stranger does not
	expectStatus(await a.browser.post('/settings/privacy', { read_receipts: 'on', presence: 'contacts' }), 303);
	assert.equal((await profile(friend)).json.user.online, true);
	let s = (await profile(stranger)).json.user;
	assert.equal(s.online, null, 'hidden from a stranger');
	assert.equal(s.last_seen, null);
	// the same setting is "privacy" of the me object and of PATCH /api/me
	assert.equal((await a.browser.api('GET', '/api/me')).json.user.privacy, 'contacts');
	page = await a.browser.get('/settings/privacy');
	assert.match(page.text, /value="contacts" checked/);

	// nobody: hidden from everyone, in JSON and on the pages
	expectStatus(await a.browser.post('/settings/privacy', { read_receipts: 'on', presence: 'nobody' }), 303);
	assert.equal((await profile(friend)).json.user.online, null);
	const members = (await api('GET', `/api/chats/${g.id}`, { token: friend.token })).json.chat.members;
	assert.equal(members.find((m) => m.id === a.user.id).online, null);
	const other = await browserRegister('ipo');
	page = await other.browser.get(`/u/${a.user.nickname}`);
	assert.doesNotMatch(page.text, /class="presence/);
	// PATCH /api/me {privacy} governs the same thing
	expectStatus(await a.browser.post('/settings/preferences', { language: 'en', theme: 'system', privacy: 'everyone' }), 303);
	assert.equal((await profile(stranger)).json.user.online, true);
	expectError(await api('PUT', '/api/settings/privacy', { token: friend.token, body: { presence: 'friends' } }), 422, { field: 'presence' });
	await w.close();
	s = await until(async () => {
		const u = (await profile(stranger)).json.user;
		return u.online === false ? u : null;
	}, 8000, 'offline after the socket closed');
	assert.match(s.last_seen, /^\d{4}-\d\d-\d\dT/);
});

test('the settings pages link the privacy page; preferences no longer hold a second setting', async () => {
	const w = await browserRegister('ipn');
	for (const path of ['/settings/profile', '/settings/preferences', '/settings/privacy']) {
		const page = await w.browser.get(path);
		expectStatus(page, 200);
		assert.match(page.text, /<a href="\/settings\/privacy"/, path);
	}
	const prefs = await w.browser.get('/settings/preferences');
	assert.doesNotMatch(prefs.text, /name="privacy"/);
});

/* ------------------------------------------------- avatars x profiles */

test('avatars on the profile, its settings, user search and member lists', async () => {
	const a = await browserRegister('iav');
	const b = await register('iab');
	const r = await upload('PUT', '/api/me/avatar', await tokenOf(a), [{ field: 'avatar', name: 'a.png', bytes: png('a.png') }]);
	assert.equal(r.status, 200, r.text);
	const av = r.json.avatar;
	const p = expectStatus(await api('GET', `/api/users/${a.user.nickname}`, { token: b.token }), 200);
	assert.equal(p.json.user.avatar.id, av.id);
	const page = await api('GET', `/u/${a.user.nickname}`, { token: b.token, headers: { Accept: 'text/html' } });
	assert.match(page.text, new RegExp(`<img class="avatar-img" src="/avatars/${av.id}/256"`));
	const settings = await a.browser.get('/settings/profile');
	assert.match(settings.text, new RegExp(`src="/avatars/${av.id}/96"`));
	assert.match(settings.text, /href="\/settings\/avatar"/);
	const found = expectStatus(await api('GET', `/api/users?q=${a.user.nickname}`, { token: b.token }), 200);
	assert.equal(found.json.users[0].avatar.id, av.id);
	const html = await api('GET', `/users?q=${a.user.nickname}`, { token: b.token, headers: { Accept: 'text/html' } });
	assert.match(html.text, new RegExp(`src="/avatars/${av.id}/48"`));
	// someone without an avatar: null, and the initials badge
	const none = expectStatus(await api('GET', `/api/users/${b.user.nickname}`, { token: b.token }), 200);
	assert.equal(none.json.user.avatar, null);
});

/* A bearer token for a browser-registered user (log in through the API). */
async function tokenOf(w) {
	const r = await api('POST', '/api/login', { body: { login: w.user.nickname, password: w.password } });
	expectStatus(r, 200);
	return r.json.token;
}

/* ------------------------------------------------- blocking x groups */

test('someone who blocked you cannot be put in a group by you (create and add, JSON and HTML)', async () => {
	const a = await browserRegister('iba');
	const b = await browserRegister('ibb');
	const c = await register('ibc');
	const aTok = { token: await tokenOf(a) };
	// b blocks a
	await b.browser.get(`/u/${a.user.nickname}`);
	expectStatus(await b.browser.post(`/u/${a.user.nickname}/block`), 303);
	// create with b: refused, nothing created
	const before = (await api('GET', '/api/chats', aTok)).json.chats.length;
	let e = expectError(await api('POST', '/api/chats', { ...aTok, body: { kind: 'group', name: `G ${RUN}`, members: [b.user.nickname, c.user.nickname] } }), 403);
	assert.equal(e.message, EN['err.group.blocked']);
	assert.equal((await api('GET', '/api/chats', aTok)).json.chats.length, before, 'no group was made');
	await a.browser.get('/chats/new');
	let res = await a.browser.post('/chats', { kind: 'group', name: `G ${RUN}`, members: b.user.nickname });
	expectStatus(res, 403);
	assert.ok(htmlText(res.text).includes(EN['err.group.blocked']));
	// add to an existing group: refused; someone else may add b
	const g = await group({ token: aTok.token }, `Shared ${RUN}`, [{ user: c.user }]);
	expectStatus(await api('PUT', `/api/chats/${g.id}/members/${c.user.nickname}/role`, { ...aTok, body: { role: 'admin' } }), [200, 204]);
	e = expectError(await api('POST', `/api/chats/${g.id}/members`, { ...aTok, body: { nickname: b.user.nickname } }), 403);
	assert.equal(e.message, EN['err.group.blocked']);
	await a.browser.get(`/chats/${g.id}/info`);
	res = await a.browser.post(`/chats/${g.id}/members`, { nickname: b.user.nickname });
	expectStatus(res, 403);
	assert.ok(htmlText(res.text).includes(EN['err.group.blocked']));
	expectStatus(await api('POST', `/api/chats/${g.id}/members`, { token: c.token, body: { nickname: b.user.nickname } }), [200, 201, 204], 'c was not blocked by b');
	// the other way round is allowed: b (the blocker) may add a
	const h = await api('POST', '/api/chats', { token: await tokenOf(b), body: { kind: 'group', name: `H ${RUN}`, members: [a.user.nickname] } });
	expectStatus(h, 201);
});

test("in a shared group the blocked person's messages are collapsed for the blocker only", async () => {
	const a = await register('ica');
	const b = await browserRegister('icb');
	const c = await register('icc');
	const g = await group(a, `Collapse ${RUN}`, [b, c]);
	const m1 = await send(a, g.id, `hello from a ${RUN}`);
	await b.browser.get(`/u/${a.user.nickname}`);
	expectStatus(await b.browser.post(`/u/${a.user.nickname}/block`), 303);
	const m2 = await send(a, g.id, `after the block ${RUN}`);
	// the blocker: collapsed, JSON and HTML (a <details> toggle, no script needed)
	const j = expectStatus(await b.browser.api('GET', `/api/chats/${g.id}/messages`), 200);
	for (const id of [m1.id, m2.id]) assert.equal(j.json.messages.find((m) => m.id === id).collapsed, true);
	assert.ok(!j.json.messages.some((m) => m.kind === 'service' && m.collapsed), 'service messages stay open');
	const page = await b.browser.get(`/chats/${g.id}`);
	const li = page.text.slice(page.text.indexOf(`id="m-${m2.id}"`));
	assert.match(li.slice(0, li.indexOf('</li>')), /<details class="msg-collapsed"><summary>/);
	assert.ok(page.text.includes(`after the block ${RUN}`), 'the text is there behind the toggle');
	// others see it open
	const cj = expectStatus(await api('GET', `/api/chats/${g.id}/messages`, { token: c.token }), 200);
	assert.equal(cj.json.messages.find((m) => m.id === m2.id).collapsed, undefined);
	const ch = await api('GET', `/chats/${g.id}`, { token: c.token, headers: { Accept: 'text/html' } });
	assert.doesNotMatch(ch.text, /msg-collapsed/);
	// unblocked: open again
	expectStatus(await b.browser.post(`/u/${a.user.nickname}/unblock`), 303);
	const again = expectStatus(await b.browser.api('GET', `/api/chats/${g.id}/messages`), 200);
	assert.equal(again.json.messages.find((m) => m.id === m2.id).collapsed, undefined);
});

test('a blocked person cannot send files in the direct chat either', async () => {
	const a = await register('ifa');
	const b = await register('ifb');
	const chat = await directChat(a, b);
	expectStatus(await api('POST', `/api/users/${a.user.nickname}/block`, { token: b.token }), 204);
	const r = await upload('POST', `/api/chats/${chat.id}/files`, a.token, [{ name: 'x.txt', bytes: Buffer.from('hi') }], { client_id: clientId('f') });
	assert.equal(r.status, 403, r.text);
	expectStatus(await api('DELETE', `/api/users/${a.user.nickname}/block`, { token: b.token }), 204);
	const ok = await upload('POST', `/api/chats/${chat.id}/files`, a.token, [{ name: 'x.txt', bytes: Buffer.from('hi') }], { client_id: clientId('f') });
	assert.equal(ok.status, 201, ok.text);
});

/* ------------------------------------------------- groups x files */

test('a new group picture is a "picture changed" service message in each language; the info page links the form', async () => {
	const a = await register('ipc');
	const b = await register('ipd');
	expectStatus(await api('PATCH', '/api/me', { token: b.token, body: { language: 'ru' } }), 200);
	const g = await group(a, `Pic ${RUN}`, [b]);
	const wb = await wsConnect(b.token);
	const bytes = png('g.png', 80, 60);
	assert.equal((await upload('PUT', `/api/chats/${g.id}/avatar`, b.token, [{ field: 'avatar', name: 'g.png', bytes }])).status, 403, 'a member may not');
	const r = await upload('PUT', `/api/chats/${g.id}/avatar`, a.token, [{ field: 'avatar', name: 'g.png', bytes }]);
	assert.equal(r.status, 200, r.text);
	const ev = await wb.waitFor((f) => f.type === 'message' && f.chat === g.id && /data-event="picture"/.test(f.html || ''), 8000, 'the service message');
	assert.ok(htmlText(ev.html).includes(RU['svc.picture']), ev.html);
	const msgs = expectStatus(await api('GET', `/api/chats/${g.id}/messages`, { token: a.token }), 200).json.messages;
	const svc = msgs.filter((m) => m.kind === 'service' && m.service?.event === 'picture');
	assert.equal(svc.length, 1, 'one service message, not one per refused try');
	assert.ok(svc[0].text.includes(EN['svc.picture']));
	// the info page: the owner gets the link to the picture form, a member does not
	const own = await api('GET', `/chats/${g.id}/info`, { token: a.token, headers: { Accept: 'text/html' } });
	assert.match(own.text, new RegExp(`href="/chats/${g.id}/files#group-avatar"`));
	assert.match(own.text, /<img class="avatar-img" src="\/avatars\/\d+\/256"/);
	const mem = await api('GET', `/chats/${g.id}/info`, { token: b.token, headers: { Accept: 'text/html' } });
	assert.doesNotMatch(mem.text, /#group-avatar/);
});

/* ------------------------------------------------- export x files */

test('the data export carries my own uploaded files, not other people\'s', async () => {
	const a = await register('iea');
	const b = await register('ieb');
	const chat = await directChat(a, b);
	const mine = Buffer.from(`my file ${RUN}\n`);
	let r = await upload('POST', `/api/chats/${chat.id}/files`, a.token, [{ name: '../notes.txt', bytes: mine }], { client_id: clientId('f') });
	assert.equal(r.status, 201, r.text);
	const fileId = r.json.message.files[0].id;
	r = await upload('POST', `/api/chats/${chat.id}/files`, b.token, [{ name: 'theirs.txt', bytes: Buffer.from(`theirs ${RUN}`) }], { client_id: clientId('f') });
	assert.equal(r.status, 201, r.text);
	const res = await fetch(`${BASE}/api/me/export`, { headers: { Authorization: `Bearer ${a.token}` } });
	assert.equal(res.status, 200);
	const files = unzip(Buffer.from(await res.arrayBuffer()));
	const list = JSON.parse(files['files.json'].toString('utf8')).files;
	assert.equal(list.length, 1, 'only my uploads');
	assert.equal(list[0].id, fileId);
	assert.equal(list[0].chat, chat.id);
	assert.ok(list[0].path.startsWith(`files/${fileId}-`) && !list[0].path.slice(6).includes('/'), list[0].path);
	assert.deepEqual(files[list[0].path], mine);
	assert.ok(!Object.values(files).some((d) => d.includes(`theirs ${RUN}`)), "someone else's file");
});

/* ------------------------------------------------- receipts on send */

test("sending a message publishes the sender's receipt at once (and not when receipts are off)", async () => {
	const a = await register('ira');
	const b = await register('irb');
	const chat = await directChat(b, a);
	const wb = await wsConnect(b.token);
	await send(b, chat.id, 'question');
	const answer = await send(a, chat.id, 'answer');
	const rc = await wb.waitFor((f) => f.type === 'receipt' && f.chat === chat.id && f.user === a.user.id, 5000, 'receipt');
	assert.equal(rc.seq, answer.seq);
	// receipts off: the send publishes none
	expectStatus(await api('PUT', '/api/settings/privacy', { token: a.token, body: { read_receipts: false } }), 200);
	const from = wb.frames.length;
	await send(b, chat.id, 'again');
	const m = await send(a, chat.id, 'quiet');
	await wb.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'the message');
	await sleep(400);
	assert.ok(!wb.frames.slice(from).some((f) => f.type === 'receipt'), 'no receipt from someone who sends none');
});

/* A run of messages by one sender moves their read position (and publishes
 * their receipt) only when something by someone else lies before the new
 * message: not on every other message of the run (cgi/db.c SENDER_READS). */
test('a run of one sender\'s messages publishes no receipts; a reply after the other\'s message does', async () => {
	const a = await register('irc');
	const b = await register('ird');
	const chat = await directChat(b, a);
	const wb = await wsConnect(b.token);
	const pos = () => Number(sql(`SELECT last_read_seq FROM members WHERE chat_id = ${Number(chat.id)} AND user_id = ${Number(a.user.id)}`));
	await send(b, chat.id, 'question');
	const first = await send(a, chat.id, 'answer');
	await wb.waitFor((f) => f.type === 'receipt' && f.user === a.user.id && f.seq === first.seq, 5000, 'the first receipt');
	assert.equal(pos(), first.seq, 'the position moved past the question');
	const from = wb.frames.length;
	let last;
	for (let i = 0; i < 4; i++) last = await send(a, chat.id, `more ${i}`);
	await wb.waitFor((f) => f.type === 'message' && f.id === last.id, 5000, 'the last of the run');
	await sleep(300);
	assert.ok(!wb.frames.slice(from).some((f) => f.type === 'receipt'), 'no receipt for a run of own messages');
	assert.equal(pos(), first.seq, 'the members row was not rewritten');
	assert.equal(expectStatus(await api('GET', `/api/chats/${chat.id}`, { token: a.token }), 200).json.chat.unread, 0);
	// the other speaks: the next message moves the position and publishes the receipt
	const q = await send(b, chat.id, 'another question');
	const reply = await send(a, chat.id, 'another answer');
	const rc = await wb.waitFor((f) => f.type === 'receipt' && f.user === a.user.id, 5000, 'the receipt after the reply', from);
	assert.equal(rc.seq, reply.seq);
	assert.ok(pos() >= q.seq, 'the position covers the other\'s message');
	// B sees A's read mark on B's message
	const r = expectStatus(await api('GET', `/api/messages/${q.id}/readers`, { token: b.token }), 200);
	assert.deepEqual(r.json.readers.map((u) => u.id), [a.user.id]);
});

/* ------------------------------------------------- deleted account */

test('"Deleted account" is shown in the reader\'s language', async () => {
	const a = await register('ida');
	const b = await browserRegister('idb');
	const chat = await directChat(a, { user: b.user });
	const m = await send(a, chat.id, `bye ${RUN}`);
	const av = await upload('PUT', '/api/me/avatar', a.token, [{ field: 'avatar', name: 'd.png', bytes: png('d.png') }]);
	assert.equal(av.status, 200, av.text);
	const url = av.json.avatar.url48;
	assert.equal((await fetch(BASE + url, { headers: { Cookie: b.browser.cookieHeader } })).status, 200);
	expectStatus(await api('DELETE', '/api/me', { token: a.token, body: { password: a.password } }), [200, 204]);
	assert.equal((await fetch(BASE + url, { headers: { Cookie: b.browser.cookieHeader } })).status, 404, 'the avatar is gone');
	const peer = expectStatus(await b.browser.api('GET', `/api/chats/${chat.id}`), 200).json.chat;
	assert.equal(peer.avatar, null);
	const j = expectStatus(await b.browser.api('GET', `/api/chats/${chat.id}/messages`), 200);
	const msg = j.json.messages.find((x) => x.id === m.id);
	assert.equal(msg.sender.name, 'Deleted account', 'the stored name in JSON');
	assert.equal(msg.sender.deleted, true);
	await b.browser.get('/settings/preferences');
	expectStatus(await b.browser.post('/settings/preferences', { language: 'ru', theme: 'system' }), 303);
	const page = await b.browser.get(`/chats/${chat.id}`);
	const text = htmlText(page.text);
	assert.ok(text.includes(RU['user.deleted']), 'translated on a Russian page');
	assert.ok(!text.includes('Deleted account'), 'no English left on the Russian page');
	const list = await b.browser.get('/chats');
	assert.ok(htmlText(list.text).includes(RU['user.deleted']), 'the chat list title');
	// a group member list too
	// a group member list, and the service messages that named them
	const c = await register('idc');
	const d = await register('idd');
	const g = await group(d, `Gone ${RUN}`, [c, { user: b.user }]);
	expectStatus(await api('DELETE', '/api/me', { token: d.token, body: { password: d.password } }), [200, 204]);
	const info = await b.browser.get(`/chats/${g.id}/info`);
	expectStatus(info, 200);
	assert.ok(htmlText(info.text).includes(RU['user.deleted']), 'the member list');
	assert.ok(!htmlText(info.text).includes('Deleted account'));
	const created = expectStatus(await api('GET', `/api/chats/${g.id}/messages`, { token: c.token }), 200).json.messages.find((x) => x.kind === 'service');
	assert.equal(created.service.actor.name, 'Deleted account', 'the old name is gone from the service message');
	assert.equal(created.service.actor.deleted, true);
	const gp = await b.browser.get(`/chats/${g.id}`);
	assert.ok(!gp.text.includes(d.user.name), 'no old name on the page');
	const svc = gp.text.slice(gp.text.indexOf(`id="m-${created.id}"`));
	assert.ok(htmlText(svc.slice(0, svc.indexOf('</li>'))).includes(RU['user.deleted']));
});
