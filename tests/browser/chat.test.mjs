// Browser tests: two people chat through the real UI, with JavaScript (live
// delivery over /connect) and without it (plain forms and redirects).
// Run: MESSLY_URL=http://127.0.0.1:8080 node --test tests/browser/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
	BASE, RUN, PHONE, DESKTOP, LIVE as LIVE_TIMEOUT, useBrowser, person, open as openPage,
	register as registerForm, login, waitConnected, msg as messages,
} from './lib.mjs';

const XSS = '<img src=x onerror=window.__xss=1>';
const browser = useBrowser();

// A browser context plus a page that records script errors and CSP reports.
const open = (viewport, javaScriptEnabled = true) => openPage(browser(), { viewport, javaScriptEnabled });

async function register(page, u) {
	await registerForm(page, u);
	// logged in: the top bar knows who we are
	const me = await page.getAttribute('body', 'data-me');
	assert.match(me || '', /^\d+$/, 'body[data-me] holds the viewer id after registration');
}

// Search on /users and press "Message" next to the person; lands on the chat.
async function startChat(page, peer) {
	await page.goto(`${BASE}/users`);
	await page.fill('#q', peer.nickname);
	await Promise.all([page.waitForURL(/\/users\?q=/), page.press('#q', 'Enter')]);
	const row = page.locator('.user-item', { hasText: `@${peer.nickname}` });
	await row.waitFor();
	await Promise.all([
		page.waitForURL(/\/chats\/\d+/),
		row.locator('button[type="submit"]').click(),
	]);
	return Number(new URL(page.url()).pathname.split('/')[2]);
}

// Exactly one rendered, server-confirmed copy of the message.
async function expectOnce(page, text, who) {
	const loc = messages(page, text);
	await loc.first().waitFor({ timeout: LIVE_TIMEOUT });
	await page.waitForFunction((t) => {
		const items = [...document.querySelectorAll('#messages li.msg')].filter((li) => li.textContent.includes(t));
		return items.length === 1 && /^m-\d+$/.test(items[0].id);
	}, text, { timeout: LIVE_TIMEOUT });
	assert.equal(await loc.count(), 1, `${who}: "${text}" appears exactly once`);
}

async function noHorizontalScroll(page, what) {
	const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	assert.ok(over <= 0, `${what}: no horizontal scroll at ${page.viewportSize().width}px (overflow ${over}px)`);
}

async function sendWithScript(page, text) {
	await page.fill('#composer-text', text);
	await page.press('#composer-text', 'Enter');
	// shown at once (pending), then replaced by the server's markup
	await expectOnce(page, text, 'sender');
	const li = messages(page, text);
	assert.match((await li.getAttribute('class')) || '', /\bown\b/, 'own message is marked own');
	assert.equal(await page.inputValue('#composer-text'), '', 'composer is cleared after sending');
}

test('live chat with JavaScript: send, receive live, reply, no duplicates, no XSS', { timeout: 180000 }, async () => {
	const a = person('ja');
	const b = person('jb');
	const A = await open(DESKTOP);
	const B = await open(PHONE);
	try {
		await register(A.page, a);
		await register(B.page, b);

		// B waits on the chat list; the new chat must show up there live
		await B.page.goto(`${BASE}/chats`);
		await waitConnected(B.page);
		await B.page.evaluate(() => { window.__noReload = 1; });

		const chatId = await startChat(A.page, b);
		assert.ok(chatId > 0, 'chat id in the URL');
		await waitConnected(A.page);
		assert.equal(await A.page.getAttribute('#messages', 'data-chat'), String(chatId));
		// desktop: two panes, the chat list next to the open chat
		assert.ok(await A.page.locator('.sidebar').isVisible(), 'desktop shows the chat list pane');

		const m1 = `hello from A ${RUN}`;
		await sendWithScript(A.page, m1);

		// B: the chat appears in the list without a reload, with an unread badge
		const item = B.page.locator(`#chat-list li[data-chat="${chatId}"]`);
		await item.waitFor({ timeout: LIVE_TIMEOUT });
		assert.equal(await B.page.evaluate(() => window.__noReload), 1, 'B did not reload');
		await assert.doesNotReject(item.locator('.badge').waitFor({ timeout: LIVE_TIMEOUT }), 'unread badge shown');
		assert.match(await item.locator('.chat-preview').textContent(), new RegExp(m1));

		await Promise.all([B.page.waitForURL(new RegExp(`/chats/${chatId}`)), item.locator('a').click()]);
		await expectOnce(B.page, m1, 'B');
		await waitConnected(B.page);
		await B.page.evaluate(() => { window.__noReload = 2; });
		await noHorizontalScroll(B.page, 'chat page');
		assert.ok(await B.page.locator('#composer-text').isVisible(), 'composer visible on a phone');
		assert.ok(await B.page.locator('.chat-head .back').isVisible(), 'back link visible on a phone');

		// A writes again while B has the chat open: it arrives live
		const m2 = `are you there? ${RUN}`;
		await sendWithScript(A.page, m2);
		await expectOnce(B.page, m2, 'B (live)');
		assert.equal(await B.page.evaluate(() => window.__noReload), 2, 'B did not reload');

		// B answers; A sees it live
		await A.page.evaluate(() => { window.__noReload = 3; });
		const m3 = `yes, B here ${RUN}`;
		await sendWithScript(B.page, m3);
		await expectOnce(A.page, m3, 'A (live)');
		assert.equal(await A.page.evaluate(() => window.__noReload), 3, 'A did not reload');
		assert.doesNotMatch((await messages(A.page, m3).getAttribute('class')) || '', /\bown\b/, "B's message is not own on A's side");

		// markup typed as a message is shown as text and never runs
		await sendWithScript(A.page, XSS);
		await expectOnce(B.page, XSS, 'B (markup)');
		for (const [who, p] of [['A', A.page], ['B', B.page]]) {
			assert.equal(await p.locator('#messages img').count(), 0, `${who}: no <img> element from message text`);
			assert.equal(await p.evaluate(() => window.__xss), undefined, `${who}: injected handler did not run`);
			assert.ok((await messages(p, XSS).textContent()).includes(XSS), `${who}: markup is visible as text`);
		}

		// the order is the send order, on both sides
		const order = [m1, m2, m3, XSS];
		for (const [who, p] of [['A', A.page], ['B', B.page]]) {
			const texts = await p.$$eval('#messages li.msg', (els) => els.map((e) => e.textContent));
			const idx = order.map((t) => texts.findIndex((x) => x.includes(t)));
			assert.deepEqual([...idx].sort((x, y) => x - y), idx, `${who}: messages in send order`);
			const seqs = await p.$$eval('#messages li.msg[data-seq]', (els) => els.map((e) => Number(e.dataset.seq)));
			assert.deepEqual([...seqs].sort((x, y) => x - y), seqs, `${who}: seq ascending`);
			assert.equal(new Set(seqs).size, seqs.length, `${who}: no seq twice`);
		}

		// nothing doubles after a moment either, and a reload shows the same
		await A.page.waitForTimeout(1000);
		for (const t of order) {
			assert.equal(await messages(A.page, t).count(), 1, `A: "${t}" once`);
			assert.equal(await messages(B.page, t).count(), 1, `B: "${t}" once`);
		}
		await B.page.reload();
		for (const t of order) assert.equal(await messages(B.page, t).count(), 1, `B after reload: "${t}" once`);
		await noHorizontalScroll(B.page, 'chat page after reload');

		assert.deepEqual(A.page.problems, [], 'A: no script errors or CSP violations');
		assert.deepEqual(B.page.problems, [], 'B: no script errors or CSP violations');
	} finally {
		await A.context.close();
		await B.context.close();
	}
});

test('chat without JavaScript: forms and redirects only', { timeout: 180000 }, async () => {
	const a = person('na');
	const b = person('nb');
	const A = await open(DESKTOP, false);
	const B = await open(PHONE, false);
	try {
		await register(A.page, a);
		await register(B.page, b);

		const chatId = await startChat(A.page, b);
		const m1 = `plain hello ${RUN}`;
		await A.page.fill('#composer-text', m1);
		await Promise.all([
			A.page.waitForURL(new RegExp(`/chats/${chatId}`)),
			A.page.click('#composer button[type="submit"]'),
		]);
		await A.page.waitForLoadState();
		assert.equal(await messages(A.page, m1).count(), 1, 'A sees the sent message after the redirect');
		assert.equal(await A.page.inputValue('#composer-text'), '', 'composer empty after a successful post');

		// B opens the list, sees the chat with an unread badge, opens it
		await B.page.goto(`${BASE}/chats`);
		const item = B.page.locator(`#chat-list li[data-chat="${chatId}"]`);
		await item.waitFor();
		assert.ok(await item.locator('.badge').count() === 1, 'unread badge on the new chat');
		await noHorizontalScroll(B.page, 'chat list');
		await Promise.all([B.page.waitForURL(new RegExp(`/chats/${chatId}$`)), item.locator('a').click()]);
		assert.equal(await messages(B.page, m1).count(), 1, 'B sees the message');
		await noHorizontalScroll(B.page, 'chat page');

		const m2 = `plain reply ${RUN}`;
		await B.page.fill('#composer-text', m2);
		await Promise.all([
			B.page.waitForURL(new RegExp(`/chats/${chatId}`)),
			B.page.click('#composer button[type="submit"]'),
		]);
		await B.page.waitForLoadState();
		assert.equal(await messages(B.page, m2).count(), 1, 'B sees the reply after the redirect');

		// markup as text, also without scripts
		await A.page.fill('#composer-text', XSS);
		await Promise.all([A.page.waitForURL(/\/chats\/\d+/), A.page.click('#composer button[type="submit"]')]);
		await A.page.waitForLoadState();

		// A reloads and sees the reply; reloading again never resubmits
		await A.page.reload();
		await A.page.reload();
		for (const t of [m1, m2, XSS]) assert.equal(await messages(A.page, t).count(), 1, `A: "${t}" once`);
		assert.equal(await A.page.locator('#messages img').count(), 0, 'no <img> from message text');
		assert.ok((await messages(A.page, XSS).textContent()).includes(XSS), 'markup visible as text');
		await B.page.reload();
		for (const t of [m1, m2, XSS]) assert.equal(await messages(B.page, t).count(), 1, `B: "${t}" once`);

		// an empty message is refused with a message, not a crash
		await B.page.$eval('#composer-text', (t) => t.removeAttribute('required'));
		await B.page.fill('#composer-text', '   ');
		await B.page.click('#composer button[type="submit"]');
		await B.page.waitForLoadState();
		assert.ok(await B.page.locator('.composer-error, .alert').count() >= 1, 'empty message shows an error');
		for (const t of [m1, m2, XSS]) assert.equal(await messages(B.page, t).count(), 1, `B after error: "${t}" once`);
	} finally {
		await A.context.close();
		await B.context.close();
	}
});

test('language switch and pages render in Russian', { timeout: 60000 }, async () => {
	const { context, page } = await open(PHONE, false);
	try {
		await page.goto(`${BASE}/login`);
		assert.equal(await page.getAttribute('html', 'lang'), 'en');
		await Promise.all([page.waitForLoadState(), page.click('.lang-switch button[value="ru"]')]);
		await page.goto(`${BASE}/login`);
		assert.equal(await page.getAttribute('html', 'lang'), 'ru');
		assert.match(await page.locator('h1').textContent(), /[А-Яа-яЁё]/, 'Russian heading');
		await noHorizontalScroll(page, 'login (ru)');
		await page.goto(`${BASE}/register`);
		await noHorizontalScroll(page, 'register (ru)');
	} finally {
		await context.close();
	}
});

test('resilience: lost response and retry, dropped and doubled live frames, EventSource fallback', { timeout: 180000 }, async () => {
	const a = person('ra');
	const b = person('rb');
	const A = await open(DESKTOP);
	const B = await open(PHONE);
	try {
		await register(A.page, a);
		await register(B.page, b);
		// A's live stream can be muted, so a lost answer is not papered over by the live event
		let muteA = false;
		await A.page.routeWebSocket(/\/connect$/, (ws) => {
			const server = ws.connectToServer();
			server.onMessage((msg) => { if (!muteA) ws.send(msg); });
			ws.onMessage((msg) => server.send(msg));
		});
		const chatId = await startChat(A.page, b);

		// B's live stream loses the first frame and gets the second one twice;
		// it can also be cut and kept down to miss messages while disconnected
		let frames = 0;
		let downB = false;
		let currentB = null;
		await B.page.routeWebSocket(/\/connect$/, (ws) => {
			if (downB) return ws.close({ code: 1011, reason: 'down' });
			currentB = ws;
			const server = ws.connectToServer();
			server.onMessage((msg) => {
				frames++;
				if (frames === 1) return;
				ws.send(msg);
				if (frames === 2) ws.send(msg);
			});
			ws.onMessage((msg) => server.send(msg));
		});
		await B.page.goto(`${BASE}/chats/${chatId}`);
		await waitConnected(B.page);
		await waitConnected(A.page);

		const lost = `dropped frame ${RUN}`;
		const doubled = `doubled frame ${RUN}`;
		await sendWithScript(A.page, lost);
		await sendWithScript(A.page, doubled);
		await expectOnce(B.page, doubled, 'B (after a gap)');
		await expectOnce(B.page, lost, 'B (gap filled from the database)');
		const texts = await B.page.$$eval('#messages li.msg', (els) => els.map((e) => e.textContent));
		assert.ok(texts.findIndex((t) => t.includes(lost)) < texts.findIndex((t) => t.includes(doubled)), 'gap filled in order');
		assert.equal(await B.page.evaluate(() => window.messly.state.lastSeq),
			Number(await B.page.$eval('#messages li.msg:last-child', (li) => li.dataset.seq)), 'lastSeq is the highest applied seq');

		// the connection drops; a message sent meanwhile arrives after the reconnect
		downB = true;
		await currentB.close({ code: 1001, reason: 'going away' });
		await B.page.waitForFunction(() => !window.messly.state.connected, null, { timeout: LIVE_TIMEOUT });
		const missed = `sent while B was away ${RUN}`;
		await sendWithScript(A.page, missed);
		await B.page.waitForTimeout(1500);
		assert.equal(await messages(B.page, missed).count(), 0, 'B cannot see it while disconnected');
		downB = false;
		await waitConnected(B.page);
		await expectOnce(B.page, missed, 'B (caught up after reconnect)');

		// the first send reaches the server but its answer is lost: the retry
		// carries the same client_id and must not create a second message
		let posts = 0;
		await A.page.route(/\/api\/chats\/\d+\/messages$/, async (route) => {
			if (route.request().method() !== 'POST') return route.continue();
			posts++;
			if (posts === 1) {
				await route.fetch(); // the server stores it...
				return route.abort('connectionreset'); // ...the browser never hears back
			}
			return route.continue();
		});
		const retried = `retried send ${RUN}`;
		muteA = true;
		await A.page.fill('#composer-text', retried);
		await A.page.press('#composer-text', 'Enter');
		const failed = A.page.locator('#messages li.msg.failed', { hasText: retried });
		await failed.waitFor({ timeout: LIVE_TIMEOUT });
		assert.equal(await failed.locator('.retry-btn').count(), 1, 'a failed send offers a retry');
		await failed.locator('.retry-btn').click();
		await expectOnce(A.page, retried, 'A (after retry)');
		muteA = false;
		assert.equal(posts, 2, 'one retry');
		await expectOnce(B.page, retried, 'B (after retry)');
		await A.page.unroute(/\/api\/chats\/\d+\/messages$/);
		await A.page.reload();
		assert.equal(await messages(A.page, retried).count(), 1, 'the retry did not double the message');

		// WebSocket refused every time: the page falls back to EventSource
		const C = await open(DESKTOP);
		try {
			await C.page.routeWebSocket(/\/connect$/, (ws) => ws.close({ code: 1011, reason: 'refused' }));
			await login(C.page, b);
			await C.page.goto(`${BASE}/chats/${chatId}`);
			await C.page.waitForFunction(() => window.messly.state.connected && window.messly.state.transport === 'eventsource',
				null, { timeout: 30000 });
			const viaSse = `over event source ${RUN}`;
			await sendWithScript(A.page, viaSse);
			await expectOnce(C.page, viaSse, 'C (EventSource)');
			assert.deepEqual(C.page.problems, [], 'C: no script errors or CSP violations');
		} finally {
			await C.context.close();
		}
		assert.deepEqual(B.page.problems, [], 'B: no script errors or CSP violations');
	} finally {
		await A.context.close();
		await B.context.close();
	}
});
