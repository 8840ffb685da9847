// Live delivery over /connect (WebSocket through nchan), its authentication,
// escaping in event html, and resync after an nginx reload.
// Tests in this file run one after another; the reload test comes last
// because it closes every socket.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	BASE, FOREIGN_ORIGIN, RUN, api, register, directChat, send, clientId, sleep, wsConnect, wsTry,
	browserRegister, htmlText, assertNoInjection, nginxPid, expectStatus, closeAll, extractElement, sseConnect,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 60000 };
const QUIET_MS = 1500; // how long "nothing arrives" is watched

function checkEvent(e, { chat, message }) {
	assert.equal(e.type, 'message');
	assert.equal(e.chat, chat);
	assert.equal(e.seq, message.seq);
	assert.equal(e.id, message.id);
	assert.ok(e.message && typeof e.message === 'object', `event without message: ${JSON.stringify(e)}`);
	assert.equal(e.message.id, message.id);
	assert.equal(e.message.seq, message.seq);
	assert.equal(e.message.text, message.text);
	assert.equal(typeof e.html, 'string');
	assert.match(e.html, /^\s*<li\b[^>]*\bclass="[^"]*\bmsg\b/, `event html: ${e.html.slice(0, 200)}`);
	assert.ok(e.html.includes(`data-seq="${message.seq}"`), `event html lacks data-seq: ${e.html.slice(0, 200)}`);
	assert.ok(e.html.includes(`id="m-${message.id}"`), `event html lacks id="m-${message.id}"`);
	assert.ok(e.html.includes(`data-id="${message.id}"`), 'event html lacks data-id');
	assert.ok(e.html.includes(`data-sender="${message.sender.id}"`), 'event html lacks data-sender');
	assert.ok(e.html.includes(message.html), 'event html does not contain message.html');
}

describe('live delivery', () => {
	let A, B, C, chat, chatBC;
	before(async () => {
		[A, B, C] = await Promise.all([register('la'), register('lb'), register('lc')]);
		chat = await directChat(A, B);
		chatBC = await directChat(B, C);
	});

	it("a message reaches both members' sockets, not a non-member's", T, async () => {
		const [wa, wb, wc] = await Promise.all([wsConnect(A.token), wsConnect(B.token), wsConnect(C.token)]);
		try {
			const text = `live ${RUN}: a < b && c > d "quoted" 'single'`;
			const m = await send(A, chat.id, text);
			const eb = await wb.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, "B's event");
			checkEvent(eb, { chat: chat.id, message: m });
			assert.ok(htmlText(eb.html).includes(text), `event html does not show the text: ${eb.html}`);
			assert.ok(!eb.html.includes('a < b') && !eb.html.includes('c > d'), `event html has unescaped < or >: ${eb.html}`);
			assert.ok(eb.html.includes('&amp;&amp;'), `event html does not escape &: ${eb.html}`);
			const ea = await wa.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, "A's own event");
			checkEvent(ea, { chat: chat.id, message: m });
			// positive control: C's socket works (B writes to C) ...
			const mc = await send(B, chatBC.id, 'to C');
			await wc.waitFor((f) => f.type === 'message' && f.id === mc.id, 5000, "C's own chat event");
			await sleep(QUIET_MS);
			// ... but never saw the A-B message
			assert.equal(wc.events(chat.id).length, 0, `non-member got: ${JSON.stringify(wc.events(chat.id))}`);
			assert.ok(!wc.raw.some((s) => s.includes(text)), 'non-member saw the text');
			// B gets events of both of its chats on one socket
			await wb.waitFor((f) => f.type === 'message' && f.id === mc.id, 5000, "B's event in chat BC");
			assert.equal(wa.events(chatBC.id).length, 0, 'A got an event of chat B-C');
			assert.equal(wb.events(chat.id).filter((e) => e.id === m.id).length, 1, 'B got the message twice');
		} finally {
			await Promise.all([wa.close(), wb.close(), wc.close()]);
		}
	});

	it('sequential sends arrive in seq order with no gap', T, async () => {
		const wb = await wsConnect(B.token);
		try {
			const sent = [];
			for (let i = 0; i < 5; i++) sent.push(await send(i % 2 ? B : A, chat.id, `order ${i}`));
			await wb.waitFor((f) => f.type === 'message' && f.id === sent[4].id, 5000, 'last event');
			const seqs = wb.events(chat.id).map((e) => e.seq);
			assert.deepEqual(seqs, sent.map((m) => m.seq), 'events out of order, missing or doubled');
			for (let i = 1; i < sent.length; i++) assert.equal(sent[i].seq, sent[i - 1].seq + 1);
		} finally {
			await wb.close();
		}
	});

	// A retry is published again (its first attempt may have died between the commit
	// and the publish: tests/faults/), with the same id and seq, so clients drop it.
	it('a client_id retry creates nothing new; a republished event has the same id and seq', T, async () => {
		const wb = await wsConnect(B.token);
		try {
			const cid = clientId('lv');
			const m = await send(A, chat.id, 'retry me', cid);
			const r = await api('POST', `/api/chats/${chat.id}/messages`, { token: A.token, body: { text: 'retry me', client_id: cid } });
			expectStatus(r, 200);
			assert.equal(r.json.message.id, m.id);
			await wb.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'event');
			await sleep(QUIET_MS);
			const evs = wb.events(chat.id);
			assert.ok(evs.length >= 1 && evs.length <= 2, `events: ${JSON.stringify(evs.map((e) => e.seq))}`);
			for (const e of evs) {
				assert.equal(e.id, m.id, `an event for another message: ${JSON.stringify(e).slice(0, 200)}`);
				assert.equal(e.seq, m.seq, 'a republished event with another seq');
			}
		} finally {
			await wb.close();
		}
	});

	it('/connect as EventSource streams the same events', T, async () => {
		const es = await sseConnect(B.token);
		try {
			expectStatus({ ...es, text: '', req: { method: 'GET', path: '/connect (EventSource)' } }, 200);
			assert.match(es.headers.get('content-type') || '', /text\/event-stream/);
			await sleep(300);
			const m = await send(A, chat.id, `sse ${RUN} <i>`);
			const e = await es.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'EventSource event');
			checkEvent(e, { chat: chat.id, message: m });
		} finally {
			await es.close();
		}
		const anon = await sseConnect({});
		await anon.close();
		assert.ok([401, 403].includes(anon.status), `anonymous EventSource: ${anon.status}`);
	});

	it('/connect without auth or with a bad token -> handshake refused (401/403)', T, async () => {
		for (const auth of [{}, { token: 'x'.repeat(43) }, { cookie: 'messly_session=' + 'y'.repeat(43), origin: BASE }]) {
			const r = await wsTry(auth, { settle: 0 });
			if (r.ok) await r.client.close();
			assert.equal(r.ok, false, `connected with ${JSON.stringify(auth)}`);
			assert.ok([401, 403].includes(r.status), `expected 401/403, got ${r.status} ${r.error?.message}`);
		}
	});

	it('session cookie: own Origin accepted, foreign Origin refused', T, async () => {
		const w = await browserRegister('lw');
		const peer = await register('lp');
		const c = await directChat(peer, { user: w.user });
		const bad = await wsTry({ cookie: w.browser.cookieHeader, origin: FOREIGN_ORIGIN }, { settle: 0 });
		if (bad.ok) await bad.client.close();
		assert.equal(bad.ok, false, 'a foreign Origin was accepted with the session cookie (cross-site WebSocket hijacking)');
		assert.ok([401, 403].includes(bad.status), `foreign Origin: expected 403, got ${bad.status}`);
		const ws = await wsConnect({ cookie: w.browser.cookieHeader, origin: BASE });
		try {
			const m = await send(peer, c.id, 'to the cookie session');
			const e = await ws.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'event on the cookie socket');
			checkEvent(e, { chat: c.id, message: m });
			// the page renders the same fragment as the live event (viewer is not the sender)
			const page = await w.browser.get(`/chats/${c.id}`);
			expectStatus(page, 200);
			const li = extractElement(page.text, `id="m-${m.id}"`);
			assert.ok(li, 'the message is not on the page');
			const norm = (h) => h.replace(/>\s+</g, '><').replace(/\s+/g, ' ').trim();
			assert.equal(norm(li), norm(e.html), 'the page and the live event render the message differently');
		} finally {
			await ws.close();
		}
	});

	it("logout closes that session's socket and the token cannot reconnect", T, async () => {
		const L = await register('lo');
		const lg = await api('POST', '/api/login', { body: { login: L.email, password: L.password } });
		expectStatus(lg, 200);
		const token = lg.json.token;
		const ws = await wsConnect(token);
		try {
			expectStatus(await api('POST', '/api/logout', { token }), 204);
			const closed = await ws.waitForClose(5000);
			assert.ok(closed.code >= 1000, `close ${JSON.stringify(closed)}`);
			const again = await wsTry(token, { settle: 0 });
			if (again.ok) await again.client.close();
			assert.equal(again.ok, false, 'a logged-out token reconnected');
			assert.ok([401, 403].includes(again.status), `expected 401/403, got ${again.status}`);
		} finally {
			await ws.close();
		}
	});

	it("logout leaves the same user's other sessions connected", T, async () => {
		const L = await register('lo2');
		const first = await api('POST', '/api/login', { body: { login: L.email, password: L.password } });
		const second = await api('POST', '/api/login', { body: { login: L.user.nickname, password: L.password } });
		expectStatus(first, 200);
		expectStatus(second, 200);
		const wsKept = await wsConnect(second.json.token);
		const wsGone = await wsConnect(first.json.token);
		try {
			expectStatus(await api('POST', '/api/logout', { token: first.json.token }), 204);
			await wsGone.waitForClose(5000);
			const c = await directChat(B, L);
			const m = await send(B, c.id, `still here ${RUN}`);
			const e = await wsKept.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'event on the other session');
			assert.equal(e.message.text, `still here ${RUN}`);
		} finally {
			await wsKept.close();
			await wsGone.close();
		}
	});

	it('markup in text and display name is escaped in live html', T, async () => {
		const payloadName = '<script>alert(1)</script>"><img src=x onerror=alert(1)>';
		const X = await register('lx', { name: payloadName });
		assert.equal(X.user.name, payloadName, 'the name was altered on the way in');
		const c = await directChat(X, B);
		const wb = await wsConnect(B.token);
		try {
			const texts = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', `<a href="javascript:alert(1)">x</a> ${RUN}`, "'\"><svg onload=alert(1)>", '[x](javascript:alert(1))', '<javascript:alert(1)>'];
			for (const text of texts) {
				const m = await send(X, c.id, text);
				assert.equal(m.text, text, 'the text was altered on the way in');
				const e = await wb.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'event');
				assert.equal(e.message.text, text);
				assert.equal(e.message.sender?.name, payloadName);
				assertNoInjection(e.html, [text, payloadName, '<img src=x', '<svg onload'], 'alert(1)', `live html of ${JSON.stringify(text)}`);
				assert.ok(!/href\s*=\s*"?\s*javascript:/i.test(e.html), `javascript: URL in ${e.html}`);
				assertNoInjection(m.html, [text, payloadName], 'alert(1)', 'POST answer html');
			}
		} finally {
			await wb.close();
		}
		const nick = await api('POST', '/api/register', {
			body: { email: `x${RUN}@example.test`, password: 'password-ok', nickname: '<script>alert(1)</script>', name: 'n' },
		});
		expectStatus(nick, 422, 'markup nickname');
		assert.equal(nick.json?.error?.field, 'nickname');
	});
});

/* ---- reload: must stay the last test of this file ---- */

async function sendRetry(user, chatId, text, cid, deadline) {
	let last;
	while (Date.now() < deadline) {
		try {
			const r = await api('POST', `/api/chats/${chatId}/messages`, { token: user.token, body: { text, client_id: cid }, timeout: 5000 });
			if (r.status === 201 || r.status === 200) return r.json.message;
			last = r.toString();
			if (r.status < 500) break;
		} catch (e) {
			last = e.message;
		}
		await sleep(200);
	}
	throw new Error(`send during the reload failed: ${last}`);
}

async function connectRetry(token, deadline) {
	let last;
	while (Date.now() < deadline) {
		const r = await wsTry(token);
		if (r.ok) return r.client;
		last = r.error?.message;
		if (r.status === 401 || r.status === 403) break;
		await sleep(250);
	}
	throw new Error(`could not reconnect after the reload: ${last}`);
}

describe('nginx reload', () => {
	it('a reconnecting client gets every message of the gap exactly once, then live ones', { timeout: 60000 }, async (t) => {
		const pid = nginxPid();
		if (!pid) {
			t.skip('no nginx pid (set MESSLY_NGINX_PID or MESSLY_VAR)');
			return;
		}
		const [A, B] = await Promise.all([register('ra'), register('rb')]);
		const chat = await directChat(A, B);
		const wa = await wsConnect(A.token);
		const wb = await wsConnect(B.token);
		let wb2;
		try {
			const m1 = await send(A, chat.id, 'before reload');
			await wb.waitFor((f) => f.type === 'message' && f.id === m1.id, 5000, 'event before reload');
			const have = new Map(); // id -> seq, what B's client knows
			for (const e of wb.events(chat.id)) have.set(e.id, e.seq);
			const lastSeq = Math.max(...have.values());
			assert.equal(lastSeq, m1.seq);

			process.kill(pid, 'SIGHUP');
			const closed = await wb.waitForClose(15000);
			assert.ok(closed.code >= 1000, `close ${JSON.stringify(closed)}`);
			await wa.waitForClose(15000);

			const deadline = Date.now() + 20000;
			const gap = [];
			for (let i = 1; i <= 3; i++) gap.push(await sendRetry(A, chat.id, `gap ${i}`, clientId('gap'), deadline));
			assert.deepEqual(gap.map((m) => m.seq), [lastSeq + 1, lastSeq + 2, lastSeq + 3]);

			wb2 = await connectRetry(B.token, deadline);
			const ev = await api('GET', `/api/chats/${chat.id}/events?after=${lastSeq}`, { token: B.token });
			expectStatus(ev, 200);
			assert.deepEqual(ev.json.events.map((e) => e.seq), gap.map((m) => m.seq), 'events of the gap');
			assert.deepEqual(ev.json.events.map((e) => e.id), gap.map((m) => m.id));
			assert.equal(ev.json.last_seq, gap[2].seq);
			for (const e of ev.json.events) have.set(e.id, e.seq);

			const post = [];
			for (let i = 1; i <= 2; i++) post.push(await send(i % 2 ? A : B, chat.id, `after ${i}`));
			for (const m of post) await wb2.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, `live event seq ${m.seq}`);
			await sleep(500);
			const live = wb2.events(chat.id);
			for (const m of post) assert.equal(live.filter((e) => e.id === m.id).length, 1, `live event ${m.seq} arrived ${live.filter((e) => e.id === m.id).length} times`);
			for (const e of live) {
				if (have.has(e.id)) assert.equal(have.get(e.id), e.seq, 'the same id with another seq');
				have.set(e.id, e.seq); // a client drops what it has by id
			}
			assert.ok(live.every((e) => e.seq > lastSeq), `replayed pre-reload events: ${live.map((e) => e.seq)}`);
			const seqs = [...have.values()].sort((x, y) => x - y);
			assert.deepEqual(seqs, [lastSeq, ...gap.map((m) => m.seq), ...post.map((m) => m.seq)], 'gap or duplicate in the merged stream');
			assert.equal(new Set(seqs).size, seqs.length);
			assert.equal(seqs.length, have.size);
			const all = await api('GET', `/api/chats/${chat.id}/messages?limit=100`, { token: B.token });
			assert.deepEqual(all.json.messages.map((m) => m.seq).slice(-6), [lastSeq, ...gap.map((m) => m.seq), ...post.map((m) => m.seq)]);
		} finally {
			await Promise.all([wa.close(), wb.close(), wb2?.close()]);
		}
	});
});
