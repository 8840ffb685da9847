// API and HTML tests of issue 9's message list and composer: the send_key
// preference (JSON and the settings form, allowed and refused values), older
// messages with their row html, grouping and date separators on the plain
// page, and plural counts in both languages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, directChat, send, expectStatus, expectError, browserRegister } from './lib.mjs';

const patchMe = (u, body) => api('PATCH', '/api/me', { token: u.token, body });
const page = (u, path) => api('GET', path, { token: u.token, headers: { Accept: 'text/html' } });

describe('send_key preference', () => {
	it('defaults to enter; ctrl_enter and enter are stored; anything else is refused', async () => {
		const A = await register('sk');
		assert.equal(A.user.send_key, 'enter');
		let res = expectStatus(await patchMe(A, { send_key: 'ctrl_enter' }), 200);
		assert.equal(res.json.user.send_key, 'ctrl_enter');
		res = expectStatus(await api('GET', '/api/me', { token: A.token }), 200);
		assert.equal(res.json.user.send_key, 'ctrl_enter');
		for (const bad of ['shift_enter', '', 'ENTER', 5, true, null, ['enter']]) {
			if (bad === null) continue; // null means unchanged in PATCH
			expectError(await patchMe(A, { send_key: bad }), 422, { field: 'send_key' });
		}
		res = expectStatus(await api('GET', '/api/me', { token: A.token }), 200);
		assert.equal(res.json.user.send_key, 'ctrl_enter', 'a refused value changes nothing');
		// other fields leave it alone
		res = expectStatus(await patchMe(A, { theme: 'dark' }), 200);
		assert.equal(res.json.user.send_key, 'ctrl_enter');
		res = expectStatus(await patchMe(A, { send_key: 'enter' }), 200);
		assert.equal(res.json.user.send_key, 'enter');
	});

	it('the preferences form (no JavaScript) shows and saves it; the chat page carries it', async () => {
		const w = await browserRegister('skf');
		let res = expectStatus(await w.browser.get('/settings/preferences'), 200);
		assert.match(res.text, /name="send_key" value="enter" checked/);
		res = await w.browser.post('/settings/preferences', { language: 'en', theme: 'system', send_key: 'ctrl_enter' });
		expectStatus(res, 303);
		res = expectStatus(await w.browser.get('/settings/preferences'), 200);
		assert.match(res.text, /name="send_key" value="ctrl_enter" checked/);
		res = await w.browser.post('/settings/preferences', { language: 'en', theme: 'system', send_key: 'alt' });
		expectStatus(res, 422);
		assert.match(res.text, /class="alert"/);
		const me = expectStatus(await w.browser.api('GET', '/api/me'), 200);
		assert.equal(me.json.user.send_key, 'ctrl_enter');
		const B = await register('skg');
		const chat = await directChat(B, { user: w.user });
		res = expectStatus(await w.browser.get(`/chats/${chat.id}`), 200);
		assert.match(res.text, /data-send-key="ctrl_enter"/);
	});
});

describe('older messages with row html', () => {
	it('html=1 adds each message\'s <li>; html=0 does not; other values and non-members are refused', async () => {
		const A = await register('oh');
		const B = await register('oh');
		const X = await register('oh');
		const chat = await directChat(A, B);
		const sent = [];
		for (let i = 0; i < 5; i++) sent.push(await send(i % 2 ? A : B, chat.id, `row <b>${i}</b>`));
		let res = expectStatus(await api('GET', `/api/chats/${chat.id}/messages?before=${sent[4].seq}&limit=2&html=1`, { token: A.token }), 200);
		assert.deepEqual(res.json.messages.map((m) => m.seq), [sent[2].seq, sent[3].seq]);
		assert.equal(res.json.has_older, true);
		for (const m of res.json.messages) {
			assert.match(m.row_html, new RegExp(`^<li class="msg[^"]*" id="m-${m.id}" data-id="${m.id}" data-seq="${m.seq}"`));
			assert.ok(m.row_html.includes('&lt;b&gt;') || m.row_html.includes('<strong>') || !m.row_html.includes('<b>'), 'escaped');
		}
		res = expectStatus(await api('GET', `/api/chats/${chat.id}/messages?html=0`, { token: A.token }), 200);
		assert.ok(res.json.messages.every((m) => m.row_html === undefined));
		res = expectStatus(await api('GET', `/api/chats/${chat.id}/messages`, { token: A.token }), 200);
		assert.ok(res.json.messages.every((m) => m.row_html === undefined), 'not without asking');
		expectError(await api('GET', `/api/chats/${chat.id}/messages?html=yes`, { token: A.token }), 400);
		expectError(await api('GET', `/api/chats/${chat.id}/messages?html=1`, { token: X.token }), 404);
	});
});

describe('the plain chat page: groups, separators, plurals', () => {
	it('groups a run by one sender, separates days, in English and Russian', async () => {
		for (const lang of ['en', 'ru']) {
			const A = await register('gp');
			const B = await register('gp');
			expectStatus(await patchMe(A, { language: lang }), 200);
			const chat = await directChat(A, B);
			const m = [];
			m.push(await send(B, chat.id, 'g one'));
			m.push(await send(B, chat.id, 'g two'));
			m.push(await send(A, chat.id, 'g three'));
			m.push(await send(A, chat.id, 'g four'));
			const res = expectStatus(await page(A, `/chats/${chat.id}`), 200);
			const cls = (id) => res.text.match(new RegExp(`<li class="([^"]*)" id="m-${id}"`))[1].split(' ');
			assert.ok(!cls(m[0].id).includes('grouped'));
			assert.ok(cls(m[1].id).includes('grouped'));
			assert.ok(!cls(m[2].id).includes('grouped'), 'another sender: a new group');
			assert.ok(cls(m[3].id).includes('grouped'));
			const seps = [...res.text.matchAll(/<li class="day-sep" data-day="(\d{4}-\d\d-\d\d)"><span>([^<]*)<\/span><\/li>/g)];
			assert.equal(seps.length, 1);
			assert.equal(seps[0][2], lang === 'ru' ? 'Сегодня' : 'Today');
			assert.equal(seps[0][1], new Date().toISOString().slice(0, 10));
		}
	});

	it('member counts in plural forms on the group page', async () => {
		const owner = await register('pl');
		const others = [];
		for (let i = 0; i < 4; i++) others.push(await register('pl'));
		expectStatus(await patchMe(owner, { language: 'ru' }), 200);
		const res = await api('POST', '/api/chats', { token: owner.token, body: { kind: 'group', name: 'Plurals', members: [others[0].user.nickname] } });
		expectStatus(res, 201);
		const id = res.json.chat.id;
		let html = expectStatus(await page(owner, `/chats/${id}/info`), 200).text;
		assert.match(html, /2 участника/);
		for (const o of others.slice(1, 3))
			expectStatus(await api('POST', `/api/chats/${id}/members`, { token: owner.token, body: { nickname: o.user.nickname } }), 204);
		html = expectStatus(await page(owner, `/chats/${id}/info`), 200).text;
		assert.match(html, /4 участника/);
		expectStatus(await api('POST', `/api/chats/${id}/members`, { token: owner.token, body: { nickname: others[3].user.nickname } }), 204);
		html = expectStatus(await page(owner, `/chats/${id}/info`), 200).text;
		assert.match(html, /5 участников/);
		expectStatus(await patchMe(owner, { language: 'en' }), 200);
		html = expectStatus(await page(owner, `/chats/${id}/info`), 200).text;
		assert.match(html, /5 members/);
	});

	it('unread counts in the chat list and people on the reactions page, in plural forms', async () => {
		const A = await register('pu');
		const B = await register('pu');
		expectStatus(await patchMe(A, { language: 'ru' }), 200);
		const chat = await directChat(A, B);
		let m;
		for (let i = 0; i < 3; i++) m = await send(B, chat.id, `pu ${i}`);
		let html = expectStatus(await page(A, '/chats'), 200).text;
		assert.match(html, /title="3 непрочитанных сообщения"/);
		m = await send(B, chat.id, 'pu 3');
		m = await send(B, chat.id, 'pu 4');
		html = expectStatus(await page(A, '/chats'), 200).text;
		assert.match(html, /title="5 непрочитанных сообщений"/);
		for (const u of [A, B])
			expectStatus(await api('PUT', `/api/messages/${m.id}/reactions/${encodeURIComponent('👍')}`, { token: u.token }), 200);
		html = expectStatus(await page(A, `/messages/${m.id}/reactions`), 200).text;
		assert.match(html, /2 человека/);
		expectStatus(await patchMe(A, { language: 'en' }), 200);
		html = expectStatus(await page(A, `/messages/${m.id}/reactions`), 200).text;
		assert.match(html, /2 people/);
	});
});
