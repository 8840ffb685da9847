// Chats, messages, read position and the events (catch-up) endpoint.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	RUN, api, register, directChat, send, clientId, uniq, parseTags, expectStatus, expectError, expectNo5xx, closeAll,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 60000 };
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$/;

function checkUser(u, where) {
	assert.ok(u && Number.isInteger(u.id) && typeof u.nickname === 'string' && typeof u.name === 'string', `${where}: ${JSON.stringify(u)}`);
	assert.ok(!('email' in u), `${where} leaks email`);
}

function checkMessage(m, { chat, sender, text, where = 'message' } = {}) {
	assert.ok(m && typeof m === 'object', `${where}: missing`);
	assert.ok(Number.isInteger(m.id) && m.id > 0, `${where}.id ${m.id}`);
	assert.ok(Number.isInteger(m.seq) && m.seq > 0, `${where}.seq ${m.seq}`);
	if (chat !== undefined) assert.equal(m.chat, chat, `${where}.chat`);
	assert.ok(['text', 'service'].includes(m.kind), `${where}.kind ${m.kind}`);
	if (sender) {
		checkUser(m.sender, `${where}.sender`);
		assert.equal(m.sender.id, sender.user.id, `${where}.sender.id`);
		assert.equal(m.sender.nickname, sender.user.nickname, `${where}.sender.nickname`);
	}
	if (text !== undefined) assert.equal(m.text, text, `${where}.text`);
	// message.html is the rendered body (cmark-gfm, safe); the <li class="msg"> fragment is event.html
	assert.equal(typeof m.html, 'string', `${where}.html`);
	assert.ok(!/<script|<li\b/i.test(m.html), `${where}.html: ${m.html.slice(0, 200)}`);
	assert.match(m.created_at, ISO_UTC, `${where}.created_at`);
	assert.ok('client_id' in m, `${where} lacks client_id`);
}

/* The partials/message fragment: <li class="msg" id="m-ID" data-id data-seq data-sender>. */
function checkFragment(html, m, where) {
	assert.match(html, /^\s*<li\b[^>]*\bclass="[^"]*\bmsg\b/, `${where} is not <li class="msg" …>: ${html.slice(0, 200)}`);
	assert.ok(html.includes(`id="m-${m.id}"`), `${where} lacks id="m-${m.id}": ${html.slice(0, 200)}`);
	assert.ok(html.includes(`data-id="${m.id}"`), `${where} lacks data-id`);
	assert.ok(html.includes(`data-seq="${m.seq}"`), `${where} lacks data-seq`);
	if (m.sender) assert.ok(html.includes(`data-sender="${m.sender.id}"`), `${where} lacks data-sender`);
	assert.ok(html.includes(m.html), `${where} does not contain message.html`);
}

function checkChat(c, where = 'chat') {
	for (const k of ['id', 'kind', 'title', 'peer', 'last_seq', 'last_read_seq', 'unread', 'last_message', 'updated_at'])
		assert.ok(k in c, `${where} lacks ${k}: ${JSON.stringify(c)}`);
	assert.ok(Number.isInteger(c.id) && c.id > 0, `${where}.id`);
	assert.ok(['direct', 'group'].includes(c.kind), `${where}.kind`);
	assert.ok(Number.isInteger(c.last_seq) && c.last_seq >= 0, `${where}.last_seq`);
	assert.ok(Number.isInteger(c.unread) && c.unread >= 0, `${where}.unread`);
}

async function messages(user, chatId, query = '') {
	const res = await api('GET', `/api/chats/${chatId}/messages${query}`, { token: user.token });
	expectStatus(res, 200);
	assert.ok(Array.isArray(res.json.messages), res.text);
	assert.equal(typeof res.json.has_older, 'boolean', 'has_older');
	return res.json;
}

async function getChat(user, chatId) {
	const res = await api('GET', `/api/chats/${chatId}`, { token: user.token });
	expectStatus(res, 200);
	checkChat(res.json.chat);
	return res.json.chat;
}

let A, B, C;
before(async () => {
	[A, B, C] = await Promise.all([register('ca'), register('cb'), register('cc')]);
});

describe('POST /api/chats (direct)', () => {
	it('201 when new, 200 with the same chat again and from the other side', T, async () => {
		const X = await register('cx');
		const r1 = await api('POST', '/api/chats', { token: A.token, body: { kind: 'direct', nickname: X.user.nickname } });
		expectStatus(r1, 201);
		checkChat(r1.json.chat);
		assert.equal(r1.json.chat.kind, 'direct');
		checkUser(r1.json.chat.peer, 'peer');
		assert.equal(r1.json.chat.peer.id, X.user.id);
		assert.equal(r1.json.chat.last_seq, 0);
		const r2 = await api('POST', '/api/chats', { token: A.token, body: { kind: 'direct', nickname: X.user.nickname } });
		expectStatus(r2, 200, 'second time');
		assert.equal(r2.json.chat.id, r1.json.chat.id);
		const r3 = await api('POST', '/api/chats', { token: X.token, body: { kind: 'direct', nickname: A.user.nickname } });
		expectStatus(r3, 200, 'from the other side');
		assert.equal(r3.json.chat.id, r1.json.chat.id);
		assert.equal(r3.json.chat.peer.id, A.user.id);
		const r4 = await api('POST', '/api/chats', { token: X.token, body: { kind: 'direct', nickname: A.user.nickname.toUpperCase() } });
		expectStatus(r4, 200, 'nickname in upper case');
		assert.equal(r4.json.chat.id, r1.json.chat.id);
	});

	it('two concurrent creations give one chat', T, async () => {
		const X = await register('cy');
		const rs = await Promise.all([
			api('POST', '/api/chats', { token: A.token, body: { kind: 'direct', nickname: X.user.nickname } }),
			api('POST', '/api/chats', { token: X.token, body: { kind: 'direct', nickname: A.user.nickname } }),
			api('POST', '/api/chats', { token: A.token, body: { kind: 'direct', nickname: X.user.nickname } }),
		]);
		for (const r of rs) expectStatus(r, [200, 201]);
		assert.equal(rs.filter((r) => r.status === 201).length, 1, `statuses ${rs.map((r) => r.status)}`);
		assert.equal(new Set(rs.map((r) => r.json.chat.id)).size, 1, 'different chat ids');
	});

	it('unknown nickname -> 404', T, async () => {
		expectError(await api('POST', '/api/chats', { token: A.token, body: { kind: 'direct', nickname: uniq('ghost') } }), 404);
	});

	it('self -> 422', T, async () => {
		expectError(await api('POST', '/api/chats', { token: A.token, body: { kind: 'direct', nickname: A.user.nickname } }), 422);
	});

	it('missing or bad kind, missing nickname -> 400/422', T, async () => {
		const nick = B.user.nickname;
		for (const body of [{ nickname: nick }, { kind: 'banana', nickname: nick }, { kind: '', nickname: nick }, { kind: 7, nickname: nick }, { kind: 'direct' }, { kind: 'direct', nickname: '' }, {}]) {
			expectError(await api('POST', '/api/chats', { token: A.token, body }), [400, 422], { note: JSON.stringify(body) });
		}
	});

	it('401 without auth', T, async () => {
		expectError(await api('POST', '/api/chats', { body: { kind: 'direct', nickname: B.user.nickname } }), 401);
	});
});

describe('messages', () => {
	let chat;
	before(async () => {
		chat = await directChat(A, B);
	});

	it('POST -> 201 {message}', T, async () => {
		const cid = clientId();
		const text = `hello ${RUN} & <friends>`;
		const res = await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text, client_id: cid } });
		expectStatus(res, 201);
		checkMessage(res.json.message, { chat: chat.id, sender: A, text });
		assert.equal(res.json.message.kind, 'text');
		assert.equal(res.json.message.client_id, cid);
		assert.ok(res.json.message.html.includes('&amp;'), `html does not escape &: ${res.json.message.html}`);
		assert.ok(!res.json.message.html.includes('<friends>'), `html contains raw <friends>: ${res.json.message.html}`);
		const after = await getChat(B, chat.id);
		assert.equal(after.last_seq, res.json.message.seq);
		assert.equal(after.last_message?.id, res.json.message.id);
	});

	it('rendered html never carries script, handlers or dangerous URLs', T, async () => {
		const texts = [
			'[x](javascript:alert(1))', '[x](JAVASCRIPT:alert(1))', '[x](  javascript:alert(1) )', '[x](java&#09;script:alert(1))',
			'[x](&#106;avascript:alert(1))', '<javascript:alert(1)>', '![i](javascript:alert(1))', '[x](vbscript:msgbox(1))',
			'[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', '<img src=x onerror=alert(1)>',
			'<a href="javascript:alert(1)">x</a>', '<svg><script>alert(1)</script></svg>', '<iframe src="//evil.example"></iframe>',
			'[x](https://example.com/ "t\" onmouseover=\"alert(1)")', '```\n<script>alert(1)</script>\n```', '`<img src=x onerror=alert(1)>`',
		];
		for (const text of texts) {
			const m = await send(A, chat.id, text);
			assert.equal(m.text, text);
			for (const t of parseTags(m.html)) {
				assert.ok(!['script', 'iframe', 'object', 'embed', 'svg', 'style', 'form', 'input', 'base', 'meta', 'link'].includes(t.name), `${JSON.stringify(text)} -> <${t.name}> in ${m.html}`);
				for (const [k, v] of Object.entries(t.attrs)) {
					assert.ok(!k.startsWith('on'), `${JSON.stringify(text)} -> handler ${k} in ${m.html}`);
					if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(k)) {
						const url = v.replace(/[\u0000-\u0020]/g, '').toLowerCase();
						assert.ok(!/^(javascript|vbscript|data):/.test(url) || /^data:image\/(png|gif|jpeg|webp)/.test(url), `${JSON.stringify(text)} -> ${k}="${v}" in ${m.html}`);
					}
				}
			}
		}
	});

	it('client_id is optional', T, async () => {
		const res = await api('POST', `/api/chats/${chat.id}/messages`, { token: B.token, body: { text: 'no client id' } });
		expectStatus(res, 201);
		checkMessage(res.json.message, { chat: chat.id, sender: B });
		const cid = res.json.message.client_id;
		assert.ok(cid === null || (typeof cid === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(cid)), `client_id ${cid}`);
	});

	it('seq is gapless 1..N in order (sequential sends)', T, async () => {
		const X = await register('seq');
		const c = await directChat(A, X);
		const seqs = [];
		for (let i = 0; i < 8; i++) seqs.push((await send(i % 2 ? X : A, c.id, `m${i}`)).seq);
		assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7, 8]);
		const list = await messages(X, c.id);
		assert.deepEqual(list.messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
		assert.deepEqual(list.messages.map((m) => m.text), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
		list.messages.forEach((m, i) => checkMessage(m, { chat: c.id, sender: i % 2 ? X : A, where: `messages[${i}]` }));
	});

	it('seq stays gapless and unique under concurrent sends', T, async () => {
		const X = await register('conc');
		const c = await directChat(A, X);
		const sends = [];
		for (let i = 0; i < 12; i++) sends.push(send(i % 2 ? X : A, c.id, `c${i}`));
		const got = await Promise.all(sends);
		const seqs = got.map((m) => m.seq).sort((a, b) => a - b);
		assert.deepEqual(seqs, Array.from({ length: 12 }, (_, i) => i + 1));
		assert.equal(new Set(got.map((m) => m.id)).size, 12);
		const list = await messages(A, c.id);
		assert.deepEqual(list.messages.map((m) => m.seq), seqs);
		assert.equal((await getChat(A, c.id)).last_seq, 12);
	});

	it('the same client_id again -> 200 with the same message, nothing new', T, async () => {
		const cid = clientId('dup');
		const r1 = await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'once', client_id: cid } });
		expectStatus(r1, 201);
		const r2 = await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'once', client_id: cid } });
		expectStatus(r2, 200, 'retry');
		assert.equal(r2.json.message.id, r1.json.message.id);
		assert.equal(r2.json.message.seq, r1.json.message.seq);
		const r3 = await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'different text', client_id: cid } });
		expectStatus(r3, 200, 'retry with another text');
		assert.equal(r3.json.message.id, r1.json.message.id);
		assert.equal(r3.json.message.text, 'once');
		const c = await getChat(A, chat.id);
		assert.equal(c.last_seq, r1.json.message.seq, 'a retry advanced last_seq');
		const list = await messages(A, chat.id, '?limit=100');
		assert.equal(list.messages.filter((m) => m.client_id === cid).length, 1);
	});

	it('concurrent retries of one client_id create exactly one message', T, async () => {
		const cid = clientId('race');
		const rs = await Promise.all(Array.from({ length: 6 }, () =>
			api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'race', client_id: cid } })));
		for (const r of rs) expectStatus(r, [200, 201]);
		assert.equal(rs.filter((r) => r.status === 201).length, 1, `statuses ${rs.map((r) => r.status)}`);
		assert.equal(new Set(rs.map((r) => r.json.message.id)).size, 1);
		const list = await messages(A, chat.id, '?limit=100');
		assert.equal(list.messages.filter((m) => m.client_id === cid).length, 1);
	});

	it('text limits: 4000 code points ok; empty, whitespace, 4001 -> 422', T, async () => {
		expectStatus(await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'x'.repeat(4000), client_id: clientId() } }), 201, '4000 chars');
		expectStatus(await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'я'.repeat(4000), client_id: clientId() } }), 201, '4000 two-byte chars');
		const before = (await getChat(A, chat.id)).last_seq;
		for (const text of ['', ' ', ' \n\t \n', 'x'.repeat(4001), 'я'.repeat(4001), 'a\u0001b']) {
			expectError(await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text, client_id: clientId() } }), 422,
				{ field: 'text', note: `text of ${text.length}` });
		}
		assert.equal((await getChat(A, chat.id)).last_seq, before, 'a refused message advanced last_seq');
	});

	it('missing or non-string text -> 400/422', T, async () => {
		for (const body of [{ client_id: clientId() }, { text: null, client_id: clientId() }, { text: ['a'], client_id: clientId() }, { text: { a: 1 }, client_id: clientId() }]) {
			expectError(await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body }), [400, 422], { note: JSON.stringify(body) });
		}
	});

	it('bad client_id -> 422', T, async () => {
		for (const cid of ['x'.repeat(65), 'has space', 'bad!', 'ключ', 'a/b']) {
			expectError(await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'hi', client_id: cid } }), [400, 422],
				{ field: 'client_id', note: `client_id ${JSON.stringify(cid)}` });
		}
		expectStatus(await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'hi', client_id: 'A-z_0'.padEnd(64, '9') } }), 201, '64-char client_id');
	});

	it('bad JSON -> 400', T, async () => {
		expectError(await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: '{"text": "hi", ' }), 400);
	});

	it('body > 64 KiB -> 413', T, async () => {
		const body = JSON.stringify({ text: 'y'.repeat(70 * 1024), client_id: clientId() });
		expectStatus(await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body }), 413);
	});

	it('401 without auth', T, async () => {
		expectError(await api('POST', `/api/chats/${chat.id}/messages`, { body: { text: 'hi', client_id: clientId() } }), 401);
		expectError(await api('GET', `/api/chats/${chat.id}/messages`), 401);
		expectError(await api('GET', `/api/chats/${chat.id}`), 401);
		expectError(await api('GET', `/api/chats/${chat.id}/events?after=0`), 401);
	});
});

describe('GET /api/chats/ID/messages paging', () => {
	let X, c;
	before(async () => {
		X = await register('pg');
		c = await directChat(A, X);
		for (let i = 1; i <= 7; i++) await send(A, c.id, `p${i}`);
	});

	it('default: all, oldest first, has_older false', T, async () => {
		const r = await messages(X, c.id);
		assert.deepEqual(r.messages.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7]);
		assert.equal(r.has_older, false);
	});

	it('limit: the newest N, oldest first, has_older', T, async () => {
		const r = await messages(X, c.id, '?limit=3');
		assert.deepEqual(r.messages.map((m) => m.seq), [5, 6, 7]);
		assert.equal(r.has_older, true);
		const all = await messages(X, c.id, '?limit=7');
		assert.equal(all.messages.length, 7);
		assert.equal(all.has_older, false);
		assert.equal((await messages(X, c.id, '?limit=100')).messages.length, 7);
		assert.deepEqual((await messages(X, c.id, '?limit=1')).messages.map((m) => m.seq), [7]);
	});

	it('before: pages back to the start', T, async () => {
		const p2 = await messages(X, c.id, '?before=5&limit=3');
		assert.deepEqual(p2.messages.map((m) => m.seq), [2, 3, 4]);
		assert.equal(p2.has_older, true);
		const p3 = await messages(X, c.id, '?before=2&limit=3');
		assert.deepEqual(p3.messages.map((m) => m.seq), [1]);
		assert.equal(p3.has_older, false);
		const p4 = await messages(X, c.id, '?before=1');
		assert.deepEqual(p4.messages, []);
		assert.equal(p4.has_older, false);
		const p5 = await messages(X, c.id, '?limit=2&before=100');
		assert.deepEqual(p5.messages.map((m) => m.seq), [6, 7]);
	});

	it('limit 0, 101, -1, x; before x -> 400/422', T, async () => {
		for (const q of ['?limit=0', '?limit=101', '?limit=-1', '?limit=x', '?limit=1.5', '?limit=1x', '?before=x', '?before=-1&limit=2']) {
			const res = await api('GET', `/api/chats/${c.id}/messages${q}`, { token: X.token });
			if (q === '?before=-1&limit=2' && res.status === 200) {
				assert.deepEqual(res.json.messages, []);
				continue;
			}
			expectError(res, [400, 422], { note: q });
		}
	});
});

describe('read position', () => {
	it('POST /read -> 204, only moves forward, unread follows', T, async () => {
		const X = await register('rd');
		const c = await directChat(A, X);
		for (let i = 0; i < 5; i++) await send(A, c.id, `r${i}`);
		let xc = await getChat(X, c.id);
		assert.equal(xc.last_seq, 5);
		assert.equal(xc.unread, 5);
		const ac = await getChat(A, c.id);
		assert.equal(ac.unread, 0, "the sender's own messages count as unread");
		expectStatus(await api('POST', `/api/chats/${c.id}/read`, { token: X.token, body: { seq: 3 } }), 204);
		xc = await getChat(X, c.id);
		assert.equal(xc.last_read_seq, 3);
		assert.equal(xc.unread, 2);
		expectStatus(await api('POST', `/api/chats/${c.id}/read`, { token: X.token, body: { seq: 1 } }), 204, 'backwards');
		assert.equal((await getChat(X, c.id)).last_read_seq, 3, 'the read position moved backwards');
		const far = await api('POST', `/api/chats/${c.id}/read`, { token: X.token, body: { seq: 1000 } });
		expectStatus(far, [204, 400, 422], 'beyond last_seq');
		xc = await getChat(X, c.id);
		assert.ok(xc.last_read_seq <= xc.last_seq, `last_read_seq ${xc.last_read_seq} > last_seq ${xc.last_seq}`);
		assert.ok(xc.unread >= 0);
		for (const body of [{}, { seq: 'x' }, { seq: null }, { seq: [3] }]) {
			expectError(await api('POST', `/api/chats/${c.id}/read`, { token: X.token, body }), [400, 422], { note: JSON.stringify(body) });
		}
		expectStatus(await api('POST', `/api/chats/${c.id}/read`, { token: X.token, body: { seq: -1 } }), [204, 400, 422], 'seq -1');
		assert.equal((await getChat(X, c.id)).last_read_seq, xc.last_read_seq, 'seq -1 moved the read position');
		// the list shows the same numbers
		const list = await api('GET', '/api/chats', { token: X.token });
		const item = list.json.chats.find((x) => x.id === c.id);
		assert.equal(item.last_read_seq, xc.last_read_seq);
		assert.equal(item.unread, xc.unread);
	});

	it("sending reads the chat: the position moves past the others' messages", T, async () => {
		const X = await register('rds');
		const c = await directChat(A, X);
		await send(X, c.id, 'x1');
		await send(X, c.id, 'x2');
		assert.equal((await getChat(A, c.id)).unread, 2);
		const a1 = await send(A, c.id, 'a1');
		let ac = await getChat(A, c.id);
		assert.equal(ac.unread, 0, 'the messages before the reply are read');
		assert.equal(ac.last_read_seq, a1.seq);
		// only the sender's own messages since: nothing unread, the position stays valid
		await send(A, c.id, 'a2');
		ac = await getChat(A, c.id);
		assert.equal(ac.unread, 0);
		assert.ok(ac.last_read_seq >= a1.seq && ac.last_read_seq <= ac.last_seq, `position ${ac.last_read_seq}`);
		await send(X, c.id, 'x3');
		assert.equal((await getChat(A, c.id)).unread, 1);
		const a3 = await send(A, c.id, 'a3');
		ac = await getChat(A, c.id);
		assert.equal(ac.unread, 0);
		assert.equal(ac.last_read_seq, a3.seq, 'moved past x3');
	});
});

describe('GET /api/chats', () => {
	it('lists chats with peer, newest activity first', T, async () => {
		const X = await register('ls');
		const Y = await register('ls');
		const cx = await directChat(X, A);
		const cy = await directChat(X, Y);
		await send(X, cx.id, 'older');
		await new Promise((r) => setTimeout(r, 1100));
		await send(Y, cy.id, 'newer');
		const res = await api('GET', '/api/chats', { token: X.token });
		expectStatus(res, 200);
		res.json.chats.forEach((c, i) => checkChat(c, `chats[${i}]`));
		const ids = res.json.chats.map((c) => c.id);
		assert.ok(ids.indexOf(cy.id) >= 0 && ids.indexOf(cx.id) >= 0, `missing chats: ${ids}`);
		assert.ok(ids.indexOf(cy.id) < ids.indexOf(cx.id), `not newest first: ${ids}`);
		const welcome = res.json.chats.find((c) => c.peer?.nickname === 'messly');
		assert.ok(welcome && ids.indexOf(welcome.id) > ids.indexOf(cx.id), 'the welcome chat should be oldest');
		const times = res.json.chats.map((c) => Date.parse(c.updated_at));
		for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] >= times[i], `updated_at not descending: ${res.json.chats.map((c) => c.updated_at)}`);
		const item = res.json.chats.find((c) => c.id === cy.id);
		assert.equal(item.peer.id, Y.user.id);
		assert.equal(item.last_message.text, 'newer');
		assert.equal(item.unread, 1);
	});

	it('GET /api/chats/ID shows the peer from each side', T, async () => {
		const c = await directChat(A, B);
		assert.equal((await getChat(A, c.id)).peer.id, B.user.id);
		assert.equal((await getChat(B, c.id)).peer.id, A.user.id);
	});
});

describe('events', () => {
	let X, c, sent;
	before(async () => {
		X = await register('ev');
		c = await directChat(A, X);
		sent = [];
		for (let i = 1; i <= 6; i++) sent.push(await send(i % 2 ? A : X, c.id, `e${i} <b>${RUN}</b>`));
	});

	async function events(user, q) {
		const res = await api('GET', `/api/chats/${c.id}/events${q}`, { token: user.token });
		expectStatus(res, 200);
		assert.ok(Array.isArray(res.json.events), res.text);
		return res.json;
	}

	it('after=N returns seq > N in order with last_seq', T, async () => {
		const r = await events(X, '?after=3');
		assert.deepEqual(r.events.map((e) => e.seq), [4, 5, 6]);
		assert.equal(r.last_seq, 6);
		r.events.forEach((e, i) => {
			assert.equal(e.type, 'message');
			assert.equal(e.chat, c.id);
			assert.equal(e.id, sent[3 + i].id);
			checkMessage(e.message, { chat: c.id, text: sent[3 + i].text, where: `events[${i}].message` });
			assert.equal(e.message.id, e.id);
			assert.equal(e.message.seq, e.seq);
			assert.equal(typeof e.html, 'string');
			checkFragment(e.html, e.message, `events[${i}].html`);
		});
	});

	it('after=0 returns everything; after=last_seq nothing', T, async () => {
		assert.deepEqual((await events(A, '?after=0')).events.map((e) => e.seq), [1, 2, 3, 4, 5, 6]);
		const none = await events(A, '?after=6');
		assert.deepEqual(none.events, []);
		assert.equal(none.last_seq, 6);
		assert.deepEqual((await events(A, '?after=1000')).events, []);
	});

	it('at most 500 events per call; last_seq lets the client page on', { timeout: 120000 }, async () => {
		const Y = await register('ev5');
		const c5 = await directChat(A, Y);
		const N = 510;
		for (let i = 0; i < N; i += 10) {
			await Promise.all(Array.from({ length: 10 }, (_, k) => send(k % 2 ? A : Y, c5.id, `bulk ${i + k}`)));
		}
		const r1 = await api('GET', `/api/chats/${c5.id}/events?after=0`, { token: Y.token });
		expectStatus(r1, 200);
		assert.equal(r1.json.events.length, 500, 'first page size');
		assert.deepEqual(r1.json.events.map((e) => e.seq), Array.from({ length: 500 }, (_, i) => i + 1));
		assert.equal(r1.json.last_seq, 500, 'a full page continues from its last change');
		assert.equal(r1.json.more, true);
		const r2 = await api('GET', `/api/chats/${c5.id}/events?after=${r1.json.last_seq}`, { token: Y.token });
		assert.deepEqual(r2.json.events.map((e) => e.seq), Array.from({ length: N - 500 }, (_, i) => 501 + i));
		assert.equal(r2.json.last_seq, N);
		assert.equal(r2.json.more, false);
	});

	it('after missing/garbage -> 200 or 400/422, never 5xx', T, async () => {
		for (const q of ['', '?after=', '?after=x', '?after=-1', '?after=1e3', '?after=99999999999999999999999']) {
			const res = await api('GET', `/api/chats/${c.id}/events${q}`, { token: A.token });
			expectStatus(res, [200, 400, 422], `events${q}`);
		}
	});
});

describe('membership', () => {
	let chat;
	before(async () => {
		chat = await directChat(A, B);
		await send(A, chat.id, 'private');
	});

	it('a third user gets 404 for everything under /api/chats/ID', T, async () => {
		const nonexist = await api('GET', '/api/chats/2147483000', { token: C.token });
		const ne = expectError(nonexist, 404, { note: 'nonexistent chat' });
		const calls = [
			['GET', `/api/chats/${chat.id}`],
			['GET', `/api/chats/${chat.id}/messages`],
			['GET', `/api/chats/${chat.id}/events?after=0`],
			['POST', `/api/chats/${chat.id}/messages`, { text: 'intrude', client_id: clientId() }],
			['POST', `/api/chats/${chat.id}/read`, { seq: 1 }],
		];
		for (const [m, p, body] of calls) {
			const res = await api(m, p, { token: C.token, body });
			const e = expectError(res, 404, { note: 'non-member' });
			assert.equal(e.message, ne.message, `${m} ${p}: the non-member message differs from a missing chat's`);
			assert.ok(!res.text.includes('private'), 'leaks a message');
		}
		const list = await api('GET', '/api/chats', { token: C.token });
		assert.ok(!list.json.chats.some((c) => c.id === chat.id), 'the chat is listed for a non-member');
		assert.equal((await getChat(A, chat.id)).last_seq, (await getChat(B, chat.id)).last_seq);
		const msgs = await messages(A, chat.id, '?limit=100');
		assert.ok(!msgs.messages.some((m) => m.text === 'intrude'), 'a non-member posted a message');
	});

	it('odd chat ids -> 404 or 400, never 5xx', T, async () => {
		const ids = ['0', '-1', '99999999999', '99999999999999999999999', 'abc', '1e3', '1.5', '%00', '01', `${chat.id}abc`, '%20' + chat.id];
		for (const id of ids) {
			for (const [m, sub, body] of [['GET', ''], ['GET', '/messages'], ['GET', '/events?after=0'], ['POST', '/messages', { text: 'x', client_id: clientId() }], ['POST', '/read', { seq: 1 }]]) {
				const res = await api(m, `/api/chats/${id}${sub}`, { token: C.token, body });
				expectStatus(res, [400, 404], `${m} /api/chats/${id}${sub}`);
			}
		}
	});
});

describe('chat list preview', () => {
	it('is the last message on one line without Markdown marks, cut at 140 characters', async () => {
		const [P, Q] = await Promise.all([register('pv'), register('pq')]);
		const c = await directChat(P, Q);
		await send(P, c.id, '**Привет**, _мир_\n> цитата `код`');
		let list = await api('GET', '/api/chats', { token: Q.token });
		let item = list.json.chats.find((x) => x.id === c.id);
		assert.equal(item.last_message.preview, 'Привет, мир цитата код');
		await send(P, c.id, 'ж'.repeat(200));
		list = await api('GET', '/api/chats', { token: Q.token });
		item = list.json.chats.find((x) => x.id === c.id);
		assert.equal(item.last_message.preview, 'ж'.repeat(140) + '…');
	});
});
