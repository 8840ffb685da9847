// Mentions: @nickname resolved against the chat's members when a message is
// sent or edited, stored by user id (a rename keeps the link on the same
// person, never on whoever takes the old name), shown as a link with the
// current nickname; non-members, code and links stay plain; mentions_me and
// the unread-mention count of the chat list (cleared by reading); the
// suggestions endpoint and its refusals; both views.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	BASE, RUN, api, register, login, send, clientId, closeAll, browserRegister, uniq,
	expectStatus, expectError, directChat,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 120000 };

async function person(prefix) {
	const w = await browserRegister(prefix);
	const res = await login(w.user.nickname, w.password);
	expectStatus(res, 200, 'login for a token');
	return { user: w.user, token: res.json.token, browser: w.browser };
}

async function group(owner, members) {
	const res = await api('POST', '/api/chats', {
		token: owner.token,
		body: { kind: 'group', name: `Mentions ${RUN}`, members: members.map((u) => u.user.nickname) },
	});
	expectStatus(res, 201, 'create group');
	return res.json.chat;
}

const link = (nick) => `<a class="mention" href="/u/${nick}">@${nick}</a>`;

async function history(u, chatId) {
	const res = await api('GET', `/api/chats/${chatId}/messages`, { token: u.token });
	expectStatus(res, 200, 'history');
	return res.json.messages;
}

async function chatOf(u, chatId) {
	const res = await api('GET', '/api/chats', { token: u.token });
	expectStatus(res, 200, 'chat list');
	return res.json.chats.find((c) => c.id === chatId);
}

describe('mentions', () => {
	let A, B, C, D, g;
	before(async () => {
		A = await person('ma');
		B = await person('mb');
		C = await person('mc');
		D = await register('md'); // not in the group
		g = await group(A, [B, C]);
	});

	it('resolves members only, not in code or links; keeps the text; links by current nickname', T, async () => {
		const text = `hi @${B.user.nickname.toUpperCase()} and @${D.user.nickname} \`@${C.user.nickname}\` [@${C.user.nickname}](https://example.com) a@${C.user.nickname}`;
		const m = await send(A, g.id, text);
		assert.equal(m.text, text, 'the raw text is kept as typed');
		assert.deepEqual(m.mentions.map((u) => u.id), [B.user.id], 'only the member B');
		assert.equal(m.mentions[0].nickname, B.user.nickname);
		assert.ok(m.html.includes(link(B.user.nickname)), m.html);
		assert.ok(m.html.includes(`@${D.user.nickname}`) && !m.html.includes(`/u/${D.user.nickname}`), 'a non-member stays plain');
		assert.ok(!m.html.includes(`href="/u/${C.user.nickname}"`), 'code, links and addresses are no mentions');
		assert.ok(!m.html.includes('data-nick'), 'no marker reaches the client');
		assert.equal(m.mentions_me, false);

		const forB = (await history(B, g.id)).find((x) => x.id === m.id);
		assert.equal(forB.mentions_me, true, 'B is mentioned');
		assert.ok(forB.html.includes(link(B.user.nickname)));
		const forC = (await history(C, g.id)).find((x) => x.id === m.id);
		assert.equal(forC.mentions_me, false);
		const one = await api('GET', `/api/messages/${m.id}`, { token: B.token });
		expectStatus(one, 200);
		assert.equal(one.json.message.mentions_me, true, 'GET /api/messages/ID too');
		// a retry with the same client id answers the same mentions
		const again = await api('POST', `/api/chats/${g.id}/messages`, { token: A.token, body: { text, client_id: m.client_id } });
		expectStatus(again, 200, 'retry');
		assert.deepEqual(again.json.message.mentions.map((u) => u.id), [B.user.id]);
		assert.equal(again.json.message.html, m.html);
	});

	it('counts unread mentions in the chat list until read; own and self mentions do not count', T, async () => {
		const h = await group(A, [B, C]);
		await send(A, h.id, `@${B.user.nickname} one`);
		await send(A, h.id, `plain`);
		const last = await send(C, h.id, `@${B.user.nickname} two, @${C.user.nickname} me`);
		let cb = await chatOf(B, h.id);
		assert.equal(cb.unread_mentions, 2, 'two messages mention B');
		assert.equal((await chatOf(C, h.id)).unread_mentions, 0, 'a self mention is not counted');
		assert.equal((await chatOf(A, h.id)).unread_mentions, 0);
		const one = await api('GET', `/api/chats/${h.id}`, { token: B.token });
		assert.equal(one.json.chat.unread_mentions, 2, 'GET /api/chats/ID too');
		expectStatus(await api('POST', `/api/chats/${h.id}/read`, { token: B.token, body: { seq: last.seq } }), 204);
		cb = await chatOf(B, h.id);
		assert.equal(cb.unread_mentions, 0, 'read clears the mark');
		// a deleted mention no longer counts
		const m = await send(A, h.id, `@${B.user.nickname} three`);
		assert.equal((await chatOf(B, h.id)).unread_mentions, 1);
		expectStatus(await api('DELETE', `/api/messages/${m.id}`, { token: A.token }), 200);
		assert.equal((await chatOf(B, h.id)).unread_mentions, 0);
	});

	it('a rename keeps the mention on the same person; the old name taken by another does not steal it', T, async () => {
		const E = await person('me');
		const h = await group(A, [E]);
		const old = E.user.nickname;
		const m = await send(A, h.id, `ping @${old}`);
		const fresh = uniq('mr');
		expectStatus(await api('PATCH', '/api/me', { token: E.token, body: { nickname: fresh } }), 200, 'rename');
		const taker = await register('mt', { nickname: old });
		assert.equal(taker.user.nickname, old);
		expectStatus(await api('POST', `/api/chats/${h.id}/members`, { token: A.token, body: { nickname: old } }), 204, 'the taker joins');
		const seen = (await history(A, h.id)).find((x) => x.id === m.id);
		assert.equal(seen.text, `ping @${old}`, 'the text is as typed');
		assert.ok(seen.html.includes(link(fresh)), `links the new nickname: ${seen.html}`);
		assert.ok(!seen.html.includes(`href="/u/${old}"`));
		assert.deepEqual(seen.mentions.map((u) => u.id), [E.user.id]);
		const page = await A.browser.get(`/chats/${h.id}`);
		expectStatus(page, 200);
		assert.ok(page.text.includes(link(fresh)), 'the page shows the current nickname');
		// a new message naming the old nickname now means the taker
		const n = await send(A, h.id, `hello @${old}`);
		assert.deepEqual(n.mentions.map((u) => u.id), [taker.user.id]);
	});

	it('an edit adds and removes mentions; kept ones stay on their person', T, async () => {
		const h = await group(A, [B, C]);
		const m = await send(A, h.id, `for @${B.user.nickname}`);
		let res = await api('PATCH', `/api/messages/${m.id}`, { token: A.token, body: { text: `for @${C.user.nickname} now` } });
		expectStatus(res, 200, 'edit');
		assert.deepEqual(res.json.message.mentions.map((u) => u.id), [C.user.id]);
		assert.ok(res.json.message.html.includes(link(C.user.nickname)));
		assert.equal((await chatOf(B, h.id)).unread_mentions, 0, 'B no longer mentioned');
		assert.equal((await chatOf(C, h.id)).unread_mentions, 1, 'C now is');
		res = await api('PATCH', `/api/messages/${m.id}`, { token: A.token, body: { text: `for @${C.user.nickname} and @${B.user.nickname}` } });
		assert.deepEqual(res.json.message.mentions.map((u) => u.id).sort(), [B.user.id, C.user.id].sort());
		res = await api('PATCH', `/api/messages/${m.id}`, { token: A.token, body: { text: 'nobody' } });
		assert.deepEqual(res.json.message.mentions, []);
		assert.equal((await chatOf(C, h.id)).unread_mentions, 0);
		// others may not edit (unchanged rule)
		expectError(await api('PATCH', `/api/messages/${m.id}`, { token: B.token, body: { text: `@${B.user.nickname}` } }), 403);
	});

	it('works in direct chats; the HTML page highlights and marks', T, async () => {
		const c = await directChat(A, B);
		const m = await send(A, c.id, `look @${B.user.nickname}`);
		assert.deepEqual(m.mentions.map((u) => u.id), [B.user.id]);
		const list = await B.browser.get('/chats');
		const item = list.text.match(new RegExp(`<li class="chat-item[^"]*" data-chat="${c.id}"[\\s\\S]*?</li>`));
		assert.ok(item && item[0].includes('mention-badge'), 'the chat list marks the chat');
		const page = await B.browser.get(`/chats/${c.id}`); // reading it clears the mark
		expectStatus(page, 200);
		const li = page.text.match(new RegExp(`<li class="msg[^"]*" id="m-${m.id}"[^>]*>`));
		assert.ok(li && li[0].includes('mention-me'), `highlighted for B: ${li && li[0]}`);
		assert.ok(li[0].includes(`data-mentions="${B.user.id}"`));
		const after = await B.browser.get('/chats');
		const item2 = after.text.match(new RegExp(`<li class="chat-item[^"]*" data-chat="${c.id}"[\\s\\S]*?</li>`));
		assert.ok(item2 && !item2[0].includes('mention-badge'), 'read: no mark');
		const pageA = await A.browser.get(`/chats/${c.id}`);
		const liA = pageA.text.match(new RegExp(`<li class="msg[^"]*" id="m-${m.id}"[^>]*>`));
		assert.ok(liA && !liA[0].includes('mention-me'), 'not for the author');
		// a form post (no JavaScript) resolves the same way
		const form = await B.browser.post(`/chats/${c.id}/messages`, { text: `and you @${A.user.nickname}` });
		expectStatus(form, 303);
		const msgs = await history(A, c.id);
		const last = msgs[msgs.length - 1];
		assert.deepEqual(last.mentions.map((u) => u.id), [A.user.id]);
		assert.equal(last.mentions_me, true);
	});

	it('suggests members by nickname or name prefix; refused for strangers and bad input', T, async () => {
		const h = await group(A, [B, C]);
		let res = await api('GET', `/api/chats/${h.id}/mentionable?q=${B.user.nickname.slice(0, 4)}`, { token: A.token });
		expectStatus(res, 200);
		const ids = res.json.users.map((u) => u.id);
		assert.ok(ids.includes(B.user.id) && ids.includes(C.user.id) === C.user.nickname.startsWith(B.user.nickname.slice(0, 4)));
		assert.ok(!ids.includes(A.user.id), 'not the viewer');
		res = await api('GET', `/api/chats/${h.id}/mentionable?q=@${B.user.nickname}`, { token: A.token });
		assert.deepEqual(res.json.users.map((u) => u.id), [B.user.id], 'a leading @ is ignored');
		res = await api('GET', `/api/chats/${h.id}/mentionable?q=Test%20${C.user.nickname}`, { token: A.token });
		assert.deepEqual(res.json.users.map((u) => u.id), [C.user.id], 'by name');
		res = await api('GET', `/api/chats/${h.id}/mentionable`, { token: A.token });
		assert.deepEqual(res.json.users.map((u) => u.id).sort(), [B.user.id, C.user.id].sort(), 'no q: everyone');
		res = await api('GET', `/api/chats/${h.id}/mentionable?q=${D.user.nickname}`, { token: A.token });
		assert.deepEqual(res.json.users, [], 'a non-member is never suggested');
		expectError(await api('GET', `/api/chats/${h.id}/mentionable?q=x`, { token: D.token }), 404);
		expectError(await api('GET', `/api/chats/${h.id}/mentionable?q=${'x'.repeat(65)}`, { token: A.token }), 422, { field: 'q' });
		expectStatus(await api('GET', `/api/chats/${h.id}/mentionable?q=x`), 401);
	});

	it('a mention is never HTML: hostile text stays inert', T, async () => {
		const h = await group(A, [B]);
		const hostile = `<span class="mention" data-nick="${B.user.nickname}">@x</span> @${B.user.nickname}<script>`;
		const m = await send(A, h.id, hostile);
		assert.ok(!m.html.includes('<span') && !m.html.includes('<script'), m.html);
		assert.equal((m.html.match(/<a class="mention"/g) || []).length, 1, 'exactly the real token');
		const cid = clientId('mx');
		const res = await api('POST', `/api/chats/${h.id}/messages`, { token: A.token, body: { text: `@${B.user.nickname}`.repeat(1), client_id: cid } });
		expectStatus(res, 201);
	});
});

describe('mentions in file captions', () => {
	it('a caption resolves like a text message', T, async () => {
		const A = await register('mfa');
		const B = await register('mfb');
		const c = await directChat(A, B);
		const fd = new FormData();
		fd.append('client_id', clientId('mf'));
		fd.append('caption', `for @${B.user.nickname} and @nobody_${RUN}`);
		fd.append('file', new Blob([Buffer.from('hello')], { type: 'text/plain' }), 'note.txt');
		const res = await fetch(`${BASE}/api/chats/${c.id}/files`, { method: 'POST', headers: { Accept: 'application/json', Authorization: `Bearer ${A.token}` }, body: fd });
		assert.equal(res.status, 201);
		const m = (await res.json()).message;
		assert.deepEqual(m.mentions.map((u) => u.id), [B.user.id]);
		assert.ok(m.html.includes(link(B.user.nickname)) && m.html.includes(`@nobody_${RUN}`), m.html);
		const forB = (await history(B, c.id)).find((x) => x.id === m.id);
		assert.equal(forB.mentions_me, true);
		assert.equal((await chatOf(B, c.id)).unread_mentions, 1);
	});
});
