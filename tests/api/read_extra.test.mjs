// What a message has beyond its text, as the reads show it: the history
// statements test a message's own columns before looking anything up
// (MSG_PLAIN / MSG_EXTRA in cgi/db.c), so a message that gains and loses a
// reaction, a mention, a quote or a forward must still read right in the
// history (JSON and page), the catch-up events and GET /api/messages/ID.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	RUN, api, login, send, clientId, closeAll, browserRegister, expectStatus, directChat, decodeEntities,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 120000 };
const THUMB = '\u{1F44D}';

async function person(prefix) {
	const w = await browserRegister(prefix);
	const res = await login(w.user.nickname, w.password);
	expectStatus(res, 200, 'login for a token');
	return { user: w.user, token: res.json.token, browser: w.browser };
}

const react = (u, id, method = 'PUT') =>
	api(method, `/api/messages/${id}/reactions/${encodeURIComponent(THUMB)}`, { token: u.token });

async function history(u, chat) {
	const res = await api('GET', `/api/chats/${chat}/messages`, { token: u.token });
	expectStatus(res, 200, 'history');
	return new Map(res.json.messages.map((m) => [m.id, m]));
}

async function events(u, chat, after) {
	const res = await api('GET', `/api/chats/${chat}/events?after=${after}`, { token: u.token });
	expectStatus(res, 200, 'events');
	const out = new Map();
	for (const e of res.json.events) if (e.type === 'message') out.set(e.id, e.message);
	return out;
}

async function one(u, id) {
	const res = await api('GET', `/api/messages/${id}`, { token: u.token });
	expectStatus(res, 200, 'GET message');
	return res.json.message;
}

/* The message as every read shows it (history, events from before it, the
 * single read), checked by fn. */
async function everywhere(u, chat, m, fn) {
	fn((await history(u, chat)).get(m.id), 'history');
	fn((await events(u, chat, m.seq - 1)).get(m.id), 'events');
	fn(await one(u, m.id), 'GET /api/messages/ID');
}

describe('reads of messages with and without extras', () => {
	let A, B, chat, other;
	before(async () => {
		A = await person('xa');
		B = await person('xb');
		chat = await directChat(A, B);
		other = await directChat(A, await person('xc'));
	});

	it('a plain message reads with nothing beyond its text, a look-alike marker stays text', T, async () => {
		const text = `plain <span class="mention" data-nick="${B.user.nickname}">@x</span> ${RUN}`;
		const m = await send(A, chat.id, text);
		await everywhere(B, chat.id, m, (x, where) => {
			assert.ok(x, `${where}: present`);
			assert.equal(x.text, text, where);
			assert.deepEqual(x.reactions, [], where);
			assert.deepEqual(x.mentions, [], where);
			assert.equal(x.edited, false, where);
			assert.equal(x.deleted, false, where);
			assert.equal(x.pinned, false, where);
			assert.equal(x.reply, undefined, where);
			assert.equal(x.forwarded_from, undefined, where);
			assert.equal(x.version, x.seq, `${where}: never changed`);
			assert.ok(!x.html.includes('<span class="mention"'), `${where}: escaped: ${x.html}`);
		});
	});

	it('a message gaining and losing its only reaction', T, async () => {
		const m = await send(A, chat.id, `react ${RUN}`);
		expectStatus(await react(B, m.id), 200, 'B reacts');
		await everywhere(A, chat.id, m, (x, where) => {
			assert.deepEqual(x.reactions, [{ emoji: THUMB, count: 1, users: [B.user.id] }], where);
			assert.ok(x.version > x.seq, where);
		});
		expectStatus(await react(B, m.id, 'DELETE'), 200, 'B takes it back');
		await everywhere(A, chat.id, m, (x, where) => {
			assert.deepEqual(x.reactions, [], `${where}: the last reaction gone`);
			assert.equal(x.edited, false, where);
		});
		const page = await B.browser.get(`/chats/${chat.id}`);
		expectStatus(page, 200, 'chat page');
		assert.ok(page.text.includes(`react ${RUN}`), 'the page shows it');
	});

	it('a message gaining and losing its mention by edits, and deleted with one', T, async () => {
		const m = await send(A, chat.id, `hi @${B.user.nickname} ${RUN}`);
		const ids = (x) => x.mentions.map((u) => u.id);
		await everywhere(B, chat.id, m, (x, where) => {
			assert.deepEqual(ids(x), [B.user.id], where);
			assert.equal(x.mentions_me ?? true, true, where);
			assert.ok(x.html.includes(`/u/${B.user.nickname}`), `${where}: ${x.html}`);
		});
		let res = await api('PATCH', `/api/messages/${m.id}`, { token: A.token, body: { text: `hi nobody ${RUN}` } });
		expectStatus(res, 200, 'edit the mention away');
		await everywhere(B, chat.id, m, (x, where) => {
			assert.deepEqual(x.mentions, [], where);
			assert.equal(x.edited, true, where);
		});
		res = await api('PATCH', `/api/messages/${m.id}`, { token: A.token, body: { text: `hi again @${B.user.nickname}` } });
		expectStatus(res, 200, 'edit a mention in');
		await everywhere(B, chat.id, m, (x, where) => assert.deepEqual(ids(x), [B.user.id], where));
		const page = await B.browser.get(`/chats/${chat.id}`);
		expectStatus(page, 200, 'chat page');
		assert.ok(decodeEntities(page.text).includes(`href="/u/${B.user.nickname}"`), 'the page links the mention');
		expectStatus(await api('DELETE', `/api/messages/${m.id}`, { token: A.token }), [200, 204], 'delete');
		await everywhere(B, chat.id, m, (x, where) => {
			assert.equal(x.deleted, true, where);
			assert.equal(x.text, '', where);
		});
	});

	it('a reply and a forward read with their quote and author; a pin', T, async () => {
		const orig = await send(B, chat.id, `original ${RUN}`);
		let res = await api('POST', `/api/chats/${chat.id}/messages`,
			{ token: A.token, body: { text: `answer ${RUN}`, client_id: clientId(), reply_to: orig.id } });
		expectStatus(res, 201, 'reply');
		const reply = res.json.message;
		await everywhere(B, chat.id, reply, (x, where) => {
			assert.equal(x.reply?.id, orig.id, where);
			assert.equal(x.reply.text, `original ${RUN}`, where);
			assert.equal(x.reply.sender.id, B.user.id, where);
		});
		res = await api('POST', `/api/messages/${orig.id}/forward`, { token: A.token, body: { chat: other.id } });
		expectStatus(res, 201, 'forward');
		const fwd = res.json.message;
		await everywhere(A, other.id, fwd, (x, where) => {
			assert.equal(x.forwarded_from?.id, B.user.id, where);
			assert.deepEqual(x.reactions, [], where);
		});
		expectStatus(await api('POST', `/api/messages/${orig.id}/pin`, { token: A.token }), 200, 'pin');
		await everywhere(A, chat.id, orig, (x, where) => assert.equal(x.pinned, true, where));
	});
});
