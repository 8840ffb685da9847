// Message actions: reactions (toggle, counts, who reacted, the emoji check,
// the cap of 20), edit and delete (author, group owner and admin, refused
// for others, JSON and HTML), reply (quote, jump link, another chat's
// message refused as a quote), catch-up and live delivery of every change,
// Markdown formatting and its XSS cases.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	BASE, RUN, api, register, login, send, clientId, wsConnect, closeAll, browserRegister,
	expectStatus, expectError, directChat, decodeEntities,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 120000 };
const THUMB = '\u{1F44D}';
const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}';
const TONE = '\u{1F44D}\u{1F3FD}';
const FLAG = '\u{1F1F7}\u{1F1FA}';

const react = (u, id, emoji, method = 'PUT') =>
	api(method, `/api/messages/${id}/reactions/${encodeURIComponent(emoji)}`, { token: u.token });

async function person(prefix) {
	const w = await browserRegister(prefix);
	const res = await login(w.user.nickname, w.password);
	expectStatus(res, 200, 'login for a token');
	return { user: w.user, token: res.json.token, browser: w.browser };
}

async function getMessage(u, id) {
	const res = await api('GET', `/api/messages/${id}`, { token: u.token });
	expectStatus(res, 200, 'GET message');
	return res.json.message;
}

describe('reactions', () => {
	let A, B, C, chat, m;
	before(async () => {
		A = await person('ra');
		B = await person('rb');
		C = await register('rc');
		chat = await directChat(A, B);
		m = await send(A, chat.id, `react to me ${RUN}`);
	});

	it('counts per emoji across users, idempotent PUT and DELETE, in first-use order', T, async () => {
		let res = await react(B, m.id, THUMB);
		expectStatus(res, 200, 'B reacts');
		assert.deepEqual(res.json.message.reactions, [{ emoji: THUMB, count: 1, users: [B.user.id] }]);
		assert.ok(res.json.message.version > m.seq, 'a reaction takes a new seq');
		res = await react(A, m.id, THUMB);
		assert.deepEqual(res.json.message.reactions[0], { emoji: THUMB, count: 2, users: [B.user.id, A.user.id] });
		res = await react(B, m.id, THUMB);
		expectStatus(res, 200, 'B again');
		assert.equal(res.json.message.reactions[0].count, 2, 'PUT twice counts once');
		res = await react(A, m.id, FAMILY);
		expectStatus(res, 200, 'a ZWJ family');
		assert.deepEqual(res.json.message.reactions.map((r) => r.emoji), [THUMB, FAMILY]);
		expectStatus(await react(A, m.id, TONE), 200, 'a skin tone');
		expectStatus(await react(A, m.id, FLAG), 200, 'a flag');
		res = await react(B, m.id, THUMB, 'DELETE');
		expectStatus(res, 200, 'B removes');
		assert.deepEqual(res.json.message.reactions[0], { emoji: THUMB, count: 1, users: [A.user.id] });
		res = await react(B, m.id, THUMB, 'DELETE');
		expectStatus(res, 200, 'DELETE of none');
		assert.equal(res.json.message.reactions[0].count, 1);
	});

	it('who reacted with what, JSON and page', T, async () => {
		const res = await api('GET', `/api/messages/${m.id}/reactions`, { token: B.token });
		expectStatus(res, 200, 'who reacted');
		assert.equal(res.json.reactions[0].emoji, THUMB);
		assert.deepEqual(res.json.reactions[0].users.map((u) => u.id), [A.user.id]);
		assert.equal(res.json.reactions[1].emoji, FAMILY);
		const page = await B.browser.get(`/messages/${m.id}/reactions`);
		expectStatus(page, 200, 'reactions page');
		assert.ok(page.text.includes(`@${A.user.nickname}`), 'the page names the reactor');
		expectStatus(await api('GET', `/api/messages/${m.id}/reactions`, { token: C.token }), 404, 'an outsider');
	});

	it('refuses a non-emoji, two emoji, and outsiders', T, async () => {
		for (const bad of ['abc', 'a', `${THUMB}${THUMB}`, '<b>', '\u{1F3FD}', '1']) {
			expectError(await react(A, m.id, bad), 422, { field: 'emoji', note: JSON.stringify(bad) });
		}
		expectStatus(await react(C, m.id, THUMB), 404, 'an outsider reacts');
		expectStatus(await react(A, 999999999, THUMB), 404, 'no such message');
	});

	it('at most 20 distinct emoji on a message', T, async () => {
		const m2 = await send(A, chat.id, `many ${RUN}`);
		const emoji = [...'😀😁😂😃😄😅😆😇😈😉😊😋😌😍😎😏😐😑😒😓'];
		assert.equal(emoji.length, 20);
		for (const e of emoji) expectStatus(await react(A, m2.id, e), 200, `react ${e}`);
		expectError(await react(B, m2.id, '😔'), 422, { field: 'emoji' });
		const res = await react(B, m2.id, '😀');
		expectStatus(res, 200, 'an existing emoji still counts');
		assert.equal(res.json.message.reactions[0].count, 2);
	});

	it('the form toggles (no JavaScript) and the page shows the viewer\'s own', T, async () => {
		const m3 = await send(A, chat.id, `toggle ${RUN}`);
		let page = await B.browser.get(`/messages/${m3.id}`);
		expectStatus(page, 200, 'message page');
		let res = await B.browser.post(`/messages/${m3.id}/react`, { emoji: THUMB });
		expectStatus(res, 303, 'form react');
		assert.match(res.headers.get('location'), new RegExp(`/chats/${chat.id}\\?around=\\d+#m-${m3.id}$`));
		assert.equal((await getMessage(A, m3.id)).reactions[0].count, 1);
		page = await B.browser.get(`/messages/${m3.id}`);
		assert.match(page.text, /class="reaction mine"/, 'B sees its own reaction highlighted');
		const pageA = await A.browser.get(`/messages/${m3.id}`);
		assert.doesNotMatch(pageA.text, /class="reaction mine"/, 'A does not');
		res = await B.browser.post(`/messages/${m3.id}/react`, { emoji: THUMB });
		expectStatus(res, 303, 'form react again');
		assert.deepEqual((await getMessage(A, m3.id)).reactions, []);
		res = await B.browser.post(`/messages/${m3.id}/react`, { emoji: 'nope' });
		expectStatus(res, 422, 'form with a non-emoji');
	});

	it('reaches the other member live and catches up after', T, async () => {
		const m4 = await send(A, chat.id, `live ${RUN}`);
		const wb = await wsConnect(B.token);
		try {
			const res = await react(A, m4.id, THUMB);
			const ev = await wb.waitFor((f) => f.type === 'message' && f.id === m4.id && f.message.reactions.length === 1, 5000, 'reaction event');
			assert.equal(ev.seq, res.json.message.version);
			assert.match(ev.html, /data-emoji="👍"/);
			assert.match(ev.html, new RegExp(`data-users="${A.user.id}"`));
		} finally {
			await wb.close();
		}
		const ev = await api('GET', `/api/chats/${chat.id}/events?after=${m4.seq}`, { token: B.token });
		expectStatus(ev, 200, 'events');
		const last = ev.json.events.find((e) => e.id === m4.id);
		assert.ok(last, 'the changed message is in the catch-up');
		assert.equal(last.message.reactions[0].emoji, THUMB);
	});
});

describe('edit and delete', () => {
	let O, A, M, X, group, direct;
	before(async () => {
		O = await person('eo');
		A = await person('ea');
		M = await person('em');
		X = await person('ex');
		const res = await api('POST', '/api/chats', {
			token: O.token,
			body: { kind: 'group', name: `E ${RUN}`, description: '', members: [A.user.nickname, M.user.nickname] },
		});
		expectStatus(res, 201, 'create group');
		group = res.json.chat;
		expectStatus(await api('PUT', `/api/chats/${group.id}/members/${A.user.nickname}/role`, { token: O.token, body: { role: 'admin' } }), 204, 'promote A');
		direct = await directChat(M, X);
	});

	it('the author edits; others are refused; everyone sees it live', T, async () => {
		const m = await send(M, group.id, `first ${RUN}`);
		const wo = await wsConnect(O.token);
		try {
			const res = await api('PATCH', `/api/messages/${m.id}`, { token: M.token, body: { text: `**second** ${RUN}` } });
			expectStatus(res, 200, 'author edits');
			assert.equal(res.json.message.text, `**second** ${RUN}`);
			assert.match(res.json.message.html, /<strong>second<\/strong>/);
			assert.equal(res.json.message.edited, true);
			assert.equal(res.json.message.seq, m.seq, 'keeps its place');
			assert.ok(res.json.message.version > m.seq);
			const ev = await wo.waitFor((f) => f.type === 'message' && f.id === m.id && f.message.edited, 5000, 'edit event');
			assert.match(ev.html, /msg-edited/);
			assert.match(ev.html, /<strong>second<\/strong>/);
		} finally {
			await wo.close();
		}
		expectError(await api('PATCH', `/api/messages/${m.id}`, { token: O.token, body: { text: 'owner' } }), 403);
		expectError(await api('PATCH', `/api/messages/${m.id}`, { token: A.token, body: { text: 'admin' } }), 403);
		expectStatus(await api('PATCH', `/api/messages/${m.id}`, { token: X.token, body: { text: 'stranger' } }), 404, 'an outsider');
		expectError(await api('PATCH', `/api/messages/${m.id}`, { token: M.token, body: { text: '   ' } }), 422, { field: 'text' });
		assert.equal((await getMessage(O, m.id)).text, `**second** ${RUN}`);
	});

	it('editing with the form (no JavaScript)', T, async () => {
		const m = await send(M, group.id, `form ${RUN}`);
		const page = await M.browser.get(`/messages/${m.id}`);
		expectStatus(page, 200, 'message page');
		assert.match(page.text, /action="\/messages\/\d+\/edit"/, 'the author has the edit form');
		assert.match(page.text, /action="\/messages\/\d+\/delete"/, 'and the delete form');
		const res = await M.browser.post(`/messages/${m.id}/edit`, { text: `form edited ${RUN}` });
		expectStatus(res, 303, 'form edit');
		assert.equal((await getMessage(O, m.id)).text, `form edited ${RUN}`);
		const other = await X.browser.get(`/messages/${m.id}`);
		expectStatus(other, 404, 'an outsider has no page');
		const member = await O.browser.get(`/messages/${m.id}`);
		assert.doesNotMatch(member.text, /action="\/messages\/\d+\/edit"/, 'the owner has no edit form');
		expectStatus(await O.browser.post(`/messages/${m.id}/edit`, { text: 'x' }), 403, 'the owner edits by form');
	});

	it('the author, the owner and an admin delete; a member may not delete others\'', T, async () => {
		const own = await send(M, group.id, `mine ${RUN}`);
		const byOwner = await send(M, group.id, `owner deletes ${RUN}`);
		const byAdmin = await send(M, group.id, `admin deletes ${RUN}`);
		const ownersMsg = await send(O, group.id, `owner's ${RUN}`);
		expectError(await api('DELETE', `/api/messages/${ownersMsg.id}`, { token: M.token }), 403);
		expectStatus(await api('DELETE', `/api/messages/${ownersMsg.id}`, { token: X.token }), 404, 'an outsider');
		const wa = await wsConnect(A.token);
		try {
			const res = await api('DELETE', `/api/messages/${own.id}`, { token: M.token });
			expectStatus(res, 200, 'author deletes');
			assert.equal(res.json.message.deleted, true);
			assert.equal(res.json.message.text, '');
			assert.equal(res.json.message.html, '');
			const ev = await wa.waitFor((f) => f.type === 'message' && f.id === own.id && f.message.deleted, 5000, 'delete event');
			assert.match(ev.html, /msg-deleted/);
			assert.doesNotMatch(ev.html, /mine/);
		} finally {
			await wa.close();
		}
		expectStatus(await api('DELETE', `/api/messages/${byOwner.id}`, { token: O.token }), 200, 'owner deletes');
		expectStatus(await api('DELETE', `/api/messages/${byAdmin.id}`, { token: A.token }), 200, 'admin deletes');
		expectError(await api('DELETE', `/api/messages/${own.id}`, { token: M.token }), 403);
		expectError(await api('PATCH', `/api/messages/${own.id}`, { token: M.token, body: { text: 'back' } }), 403);
		expectError(await react(O, own.id, THUMB), 404);
		const list = await api('GET', `/api/chats/${group.id}/messages`, { token: O.token });
		const gone = list.json.messages.find((x) => x.id === byAdmin.id);
		assert.equal(gone.deleted, true, 'the placeholder keeps its place');
		assert.equal(gone.text, '');
		const page = await O.browser.get(`/chats/${group.id}`);
		assert.ok(!page.text.includes(`admin deletes ${RUN}`), 'the text is gone from the page');
	});

	it('a deleted file message\'s files are no longer served', T, async () => {
		const fd = new FormData();
		fd.append('client_id', clientId('f'));
		fd.append('file', new Blob([Buffer.from(`file ${RUN}`)], { type: 'text/plain' }), 'note.txt');
		const up = await fetch(`${BASE}/api/chats/${group.id}/files`, {
			method: 'POST', headers: { Accept: 'application/json', Authorization: `Bearer ${M.token}` }, body: fd,
		});
		assert.equal(up.status, 201, 'upload');
		const m = (await up.json()).message;
		const file = m.files[0];
		const before = await fetch(BASE + file.url, { headers: { Authorization: `Bearer ${O.token}` }, redirect: 'manual' });
		assert.equal(before.status, 200, 'served before');
		assert.equal(await before.text(), `file ${RUN}`);
		expectStatus(await api('DELETE', `/api/messages/${m.id}`, { token: A.token }), 200, 'admin deletes the file message');
		const after = await fetch(BASE + file.url, { headers: { Authorization: `Bearer ${O.token}` }, redirect: 'manual' });
		assert.equal(after.status, 404, 'not served after');
		expectStatus(await api('GET', `/api/files/${file.id}`, { token: M.token }), 404, 'no file entry either');
		assert.equal((await getMessage(O, m.id)).files, undefined, 'the placeholder has no files');
		const list = await api('GET', `/api/chats/${group.id}/files`, { token: O.token });
		expectStatus(list, 200, 'files list');
		assert.ok(Array.isArray(list.json.files), 'a files list');
		assert.ok(list.json.files.every((f) => f.id !== file.id), 'not in the chat\'s files');
	});

	it('in a direct chat only the author deletes; the form works', T, async () => {
		const m = await send(X, direct.id, `direct ${RUN}`);
		expectError(await api('DELETE', `/api/messages/${m.id}`, { token: M.token }), 403);
		await X.browser.get(`/messages/${m.id}`);
		const res = await X.browser.post(`/messages/${m.id}/delete`, {});
		expectStatus(res, 303, 'form delete');
		assert.equal((await getMessage(M, m.id)).deleted, true);
	});
});

describe('reply', () => {
	let A, B, C, chat, other;
	before(async () => {
		A = await person('pa');
		B = await person('pb');
		C = await register('pc');
		chat = await directChat(A, B);
		other = await directChat(A, C);
	});

	it('quotes the original with a jump link, JSON, live and page', T, async () => {
		const orig = await send(A, chat.id, `the original ${RUN} with more words`);
		const wa = await wsConnect(A.token);
		let reply;
		try {
			const res = await api('POST', `/api/chats/${chat.id}/messages`, {
				token: B.token, body: { text: `the reply ${RUN}`, client_id: clientId(), reply_to: orig.id },
			});
			expectStatus(res, 201, 'reply');
			reply = res.json.message;
			assert.equal(reply.reply.id, orig.id);
			assert.equal(reply.reply.sender.id, A.user.id);
			assert.ok(reply.reply.text.startsWith(`the original ${RUN}`));
			assert.equal(reply.reply.href, `/chats/${chat.id}?around=${orig.seq}#m-${orig.id}`);
			const ev = await wa.waitFor((f) => f.type === 'message' && f.id === reply.id, 5000, 'reply event');
			assert.match(decodeEntities(ev.html), new RegExp(`class="msg-quote" href="/chats/${chat.id}\\?around=${orig.seq}#m-${orig.id}"`));
		} finally {
			await wa.close();
		}
		const page = await A.browser.get(`/chats/${chat.id}`);
		assert.ok(page.text.includes('msg-quote'), 'the page shows the quote');
		// the quote follows the original's deletion
		expectStatus(await api('DELETE', `/api/messages/${orig.id}`, { token: A.token }), 200, 'delete the original');
		const again = await getMessage(B, reply.id);
		assert.equal(again.reply.deleted, true);
		assert.equal(again.reply.text, '');
	});

	it('a message of another chat is no quote; a bad id is refused', T, async () => {
		const elsewhere = await send(A, other.id, `elsewhere ${RUN}`);
		const res = await api('POST', `/api/chats/${chat.id}/messages`, {
			token: A.token, body: { text: `cross ${RUN}`, client_id: clientId(), reply_to: elsewhere.id },
		});
		expectStatus(res, 201, 'sent');
		assert.equal(res.json.message.reply, undefined);
		expectError(await api('POST', `/api/chats/${chat.id}/messages`, {
			token: A.token, body: { text: 'x', client_id: clientId(), reply_to: 'abc' },
		}), 422, { field: 'reply_to' });
	});

	it('replying with the form on the message page (no JavaScript)', T, async () => {
		const orig = await send(A, chat.id, `form original ${RUN}`);
		const page = await B.browser.get(`/messages/${orig.id}`);
		assert.match(page.text, /name="reply_to" value="\d+"/);
		const res = await B.browser.post(`/chats/${chat.id}/messages`, { text: `form reply ${RUN}`, reply_to: String(orig.id) });
		expectStatus(res, 303, 'form reply');
		const list = await api('GET', `/api/chats/${chat.id}/messages`, { token: A.token });
		const r = list.json.messages.find((x) => x.text === `form reply ${RUN}`);
		assert.equal(r.reply.id, orig.id);
	});
});

describe('forward', () => {
	let A, B, C, ab, ac, bc;
	before(async () => {
		A = await person('wa');
		B = await person('wb');
		C = await register('wc');
		ab = await directChat(A, B);
		ac = await directChat(A, C);
		bc = await directChat(B, C);
	});

	it('copies a text message into another chat of the viewer, naming the author, live', T, async () => {
		const orig = await send(B, ab.id, `**forward me** ${RUN}`);
		const wc = await wsConnect(C.token);
		try {
			const res = await api('POST', `/api/messages/${orig.id}/forward`, { token: A.token, body: { chat: ac.id } });
			expectStatus(res, 201, 'forward');
			const m = res.json.message;
			assert.equal(m.chat, ac.id);
			assert.equal(m.sender.id, A.user.id);
			assert.equal(m.text, orig.text);
			assert.equal(m.html, orig.html);
			assert.equal(m.forwarded_from.id, B.user.id);
			const ev = await wc.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'forward event');
			assert.match(ev.html, /msg-forwarded/);
			assert.ok(ev.html.includes(`/u/${B.user.nickname}`));
			// forwarded again, it still names the first author
			const again = await api('POST', `/api/messages/${m.id}/forward`, { token: C.token, body: { chat: bc.id } });
			expectStatus(again, 201, 'forward a forward');
			assert.equal(again.json.message.forwarded_from.id, B.user.id);
		} finally {
			await wc.close();
		}
	});

	it('refused: a chat the viewer is not in, a message the viewer cannot read, a bad chat', T, async () => {
		const orig = await send(B, ab.id, `private ${RUN}`);
		expectStatus(await api('POST', `/api/messages/${orig.id}/forward`, { token: A.token, body: { chat: bc.id } }), 404, 'into a chat of others');
		expectStatus(await api('POST', `/api/messages/${orig.id}/forward`, { token: C.token, body: { chat: ac.id } }), 404, 'a message of others');
		expectError(await api('POST', `/api/messages/${orig.id}/forward`, { token: A.token, body: { chat: 'x' } }), 422, { field: 'chat' });
	});

	it('with the form on the message page (no JavaScript)', T, async () => {
		const orig = await send(B, ab.id, `form forward ${RUN}`);
		const page = await A.browser.get(`/messages/${orig.id}`);
		assert.match(page.text, new RegExp(`<option value="${ac.id}">`));
		const res = await A.browser.post(`/messages/${orig.id}/forward`, { chat: String(ac.id) });
		expectStatus(res, 303, 'form forward');
		assert.match(res.headers.get('location'), new RegExp(`^/chats/${ac.id}#m-\\d+$`));
		const chat = await A.browser.get(`/chats/${ac.id}`);
		assert.ok(chat.text.includes('msg-forwarded'), 'the chat page shows it forwarded');
	});
});

describe('pins', () => {
	let O, A, M, X, group, direct;
	before(async () => {
		O = await person('no');
		A = await person('na');
		M = await person('nm');
		X = await person('nx');
		const res = await api('POST', '/api/chats', {
			token: O.token,
			body: { kind: 'group', name: `P ${RUN}`, description: '', members: [A.user.nickname, M.user.nickname] },
		});
		expectStatus(res, 201, 'create group');
		group = res.json.chat;
		expectStatus(await api('PUT', `/api/chats/${group.id}/members/${A.user.nickname}/role`, { token: O.token, body: { role: 'admin' } }), 204, 'promote A');
		direct = await directChat(M, X);
	});

	it('owner and admins pin in a group, members may not; a service message in each language; live', T, async () => {
		const m1 = await send(M, group.id, `pin me ${RUN}`);
		const m2 = await send(M, group.id, `pin me too ${RUN}`);
		expectError(await api('POST', `/api/messages/${m1.id}/pin`, { token: M.token }), 403);
		expectStatus(await api('POST', `/api/messages/${m1.id}/pin`, { token: X.token }), 404, 'an outsider');
		const wm = await wsConnect(M.token);
		try {
			const res = await api('POST', `/api/messages/${m1.id}/pin`, { token: O.token });
			expectStatus(res, 200, 'owner pins');
			assert.equal(res.json.message.pinned, true);
			const svc = await wm.waitFor((f) => f.type === 'message' && f.message.kind === 'service' && f.message.service?.event === 'pinned', 5000, 'service event');
			assert.equal(svc.message.service.message, m1.id);
			assert.match(svc.html, /pinned/);
			await wm.waitFor((f) => f.type === 'message' && f.id === m1.id && f.message.pinned, 5000, 'pinned message event');
		} finally {
			await wm.close();
		}
		expectStatus(await api('POST', `/api/messages/${m2.id}/pin`, { token: A.token }), 200, 'admin pins');
		let pins = await api('GET', `/api/chats/${group.id}/pins`, { token: M.token });
		expectStatus(pins, 200, 'pins');
		assert.deepEqual(pins.json.messages.map((x) => x.id), [m2.id, m1.id], 'newest pin first');
		expectStatus(await api('GET', `/api/chats/${group.id}/pins`, { token: X.token }), 404, 'an outsider');
		expectError(await api('DELETE', `/api/messages/${m2.id}/pin`, { token: M.token }), 403);
		const un = await api('DELETE', `/api/messages/${m2.id}/pin`, { token: A.token });
		expectStatus(un, 200, 'admin unpins');
		assert.equal(un.json.message.pinned, false);
		pins = await api('GET', `/api/chats/${group.id}/pins`, { token: M.token });
		assert.deepEqual(pins.json.messages.map((x) => x.id), [m1.id]);
		// the service messages, rendered in the reader's language
		const list = await api('GET', `/api/chats/${group.id}/messages`, { token: O.token });
		const events = list.json.messages.filter((x) => x.kind === 'service').map((x) => x.service.event);
		assert.ok(events.includes('pinned') && events.includes('unpinned'));
		expectStatus(await api('PATCH', '/api/me', { token: M.token, body: { lang: 'ru' } }), [200, 204], 'M reads Russian');
		const ru = await api('GET', `/api/chats/${group.id}/messages`, { token: M.token });
		const svcRu = ru.json.messages.find((x) => x.kind === 'service' && x.service.event === 'pinned');
		assert.match(svcRu.html, /закрепил/);
	});

	it('both people pin in a direct chat; the forms and the pins page (no JavaScript)', T, async () => {
		const m = await send(X, direct.id, `direct pin ${RUN}`);
		const page = await M.browser.get(`/messages/${m.id}`);
		assert.match(page.text, /action="\/messages\/\d+\/pin"/);
		expectStatus(await M.browser.post(`/messages/${m.id}/pin`, {}), 303, 'form pin');
		const pins = await M.browser.get(`/chats/${direct.id}/pins`);
		expectStatus(pins, 200, 'pins page');
		assert.ok(pins.text.includes(`direct pin ${RUN}`));
		const chat = await X.browser.get(`/chats/${direct.id}`);
		assert.match(chat.text, /id="pinned-bar"/, 'the chat shows the pinned bar');
		assert.ok(chat.text.includes(`direct pin ${RUN}`));
		await X.browser.get(`/messages/${m.id}`);
		expectStatus(await X.browser.post(`/messages/${m.id}/unpin`, {}), 303, 'form unpin by the other person');
		const after = await X.browser.get(`/chats/${direct.id}`);
		assert.doesNotMatch(after.text, /id="pinned-bar"/);
	});
});

describe('formatting', () => {
	let A, B, chat;
	before(async () => {
		A = await register('fa');
		B = await register('fb');
		chat = await directChat(A, B);
	});

	it('renders every construct', T, async () => {
		const m = await send(A, chat.id, '**b** *i* ~~s~~ `c`\n\n```\nblock\n```\n\n> q\n\n- one\n- two\n\n1. first\n\nline1\nline2 https://example.com/x');
		const h = m.html;
		for (const re of [/<strong>b<\/strong>/, /<em>i<\/em>/, /<del>s<\/del>/, /<code>c<\/code>/, /<pre><code>block\n<\/code><\/pre>/,
			/<blockquote>/, /<ul>\s*<li>one<\/li>/, /<ol>/, /line1<br \/>\s*line2/]) assert.match(h, re);
		assert.match(h, /<a rel="noopener noreferrer nofollow" target="_blank" href="https:\/\/example.com\/x">/);
		const e = await send(A, chat.id, 'yes :tada: `:tada:`');
		assert.equal(e.html, '<p>yes \u{1F389} <code>:tada:</code></p>');
		assert.equal(e.text, 'yes :tada: `:tada:`', 'the raw text is stored');
	});

	it('is safe: raw HTML, javascript: and data: links, HTML in link text and code', T, async () => {
		const m = await send(A, chat.id, [
			'<script>alert(1)</script> <img src=x onerror=alert(1)>',
			'[js](javascript:alert(1)) [js2](JAVASCRIPT:alert(1)) [d](data:text/html;base64,PHNjcmlwdD4=)',
			'[<b onmouseover=alert(1)>t</b>](https://example.com)',
			'`<a href="x">` and <a href="javascript:alert(1)">raw</a>',
			'```\n<script>alert(1)</script>\n```',
		].join('\n\n'));
		const h = m.html;
		assert.doesNotMatch(h, /<script/i);
		assert.doesNotMatch(h, /<img/i);
		assert.doesNotMatch(h, /<b /i);
		assert.doesNotMatch(h, /href="javascript:/i);
		assert.doesNotMatch(h, /href="data:/i);
		assert.doesNotMatch(h, /<[^>]*onmouseover/i);
		assert.match(h, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'code keeps the text escaped');
		assert.match(h, /<code>&lt;a href=&quot;x&quot;&gt;<\/code>/);
		// every <a of the output is a link cmark made, with the new-tab attributes
		for (const a of h.match(/<a [^>]*>/g) || []) assert.match(a, /^<a rel="noopener noreferrer nofollow" target="_blank" href="/);
	});
});
