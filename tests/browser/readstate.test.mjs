// Browser tests for read state, receipts, typing and search as you type
// (issue 6): two people, and a second device of one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, RUN, LIVE, useBrowser, person, open as openPage, register, startChat, login as loginAs, waitConnected as connected } from './lib.mjs';

const browser = useBrowser();
const open = () => openPage(browser());

test('unread badges live on two devices, receipts, typing that expires, search as you type', { timeout: 180000 }, async () => {
	const a = person('ba');
	const b = person('bb');
	const A1 = await open();
	const A2 = await open();
	const B = await open();
	try {
		await register(A1.page, a);
		await register(B.page, b);
		await loginAs(A2.page, a);
		// B starts the chat with A
		const chatId = await startChat(B.page, a.nickname);
		await connected(B.page);
		// A's first device waits on the chat list
		await A1.page.goto(`${BASE}/chats`);
		await connected(A1.page);
		const text = `сообщение ${RUN}`;
		await B.page.fill('#composer-text', text);
		await B.page.press('#composer-text', 'Enter');
		const badge = A1.page.locator(`#chat-list li[data-chat="${chatId}"] .badge`);
		await badge.waitFor({ timeout: LIVE });
		assert.equal(await badge.textContent(), '1');
		// the title counts every unread message (the welcome message too)
		const titleCount = () => A1.page.evaluate(() => Number((/^\((\d+)\)/.exec(document.title) || [0, 0])[1]));
		const before = await titleCount();
		assert.ok(before >= 1, `unread count in the title: ${await A1.page.title()}`);
		// B's own message shows one tick
		await B.page.waitForFunction((t) => {
			const li = [...document.querySelectorAll('#messages li.msg.own')].find((x) => x.textContent.includes(t));
			const r = li && li.querySelector('.msg-receipt');
			return r && r.textContent === '✓' && !r.classList.contains('read');
		}, text, { timeout: LIVE });
		// A reads on the second device: the badge on the first goes away, live
		await A2.page.goto(`${BASE}/chats/${chatId}`);
		await connected(A2.page);
		assert.ok(await A2.page.locator('#unread-divider').isVisible(), 'the New messages divider');
		await badge.waitFor({ state: 'detached', timeout: LIVE });
		await A1.page.waitForFunction((n) => Number((/^\((\d+)\)/.exec(document.title) || [0, 0])[1]) === n - 1, before, { timeout: LIVE });
		// ... and B sees two ticks, live
		await B.page.waitForFunction(() => {
			const r = [...document.querySelectorAll('#messages li.msg.own .msg-receipt')].pop();
			return r && r.classList.contains('read') && r.textContent === '✓✓';
		}, null, { timeout: LIVE });
		// typing: shown on A's chat page and in A's chat list, gone within 6 s of the last signal
		await B.page.type('#composer-text', 'typing…');
		await A2.page.waitForFunction((n) => { const t = document.getElementById('typing'); return t && !t.hidden && t.textContent.includes(n); }, b.name, { timeout: LIVE });
		await A1.page.waitForFunction(() => !!document.querySelector('#chat-list li.typing'), null, { timeout: LIVE });
		const shownAt = Date.now();
		await A2.page.waitForFunction(() => document.getElementById('typing').hidden, null, { timeout: 10000 });
		assert.ok(Date.now() - shownAt <= 7500, 'the typing note expires after at most 6 s');
		await A1.page.waitForFunction(() => !document.querySelector('#chat-list li.typing'), null, { timeout: 10000 });
		// search as you type (no submit): a different word form finds the message
		await A1.page.goto(`${BASE}/search`);
		await A1.page.fill('#search-q', `сообщения ${RUN}`);
		const hit = A1.page.locator('#search-results .search-hit');
		await hit.first().waitFor({ timeout: LIVE });
		assert.match(await hit.first().locator('mark').first().textContent(), /сообщение/);
		await Promise.all([A1.page.waitForURL(/around=/), hit.first().locator('a').click()]);
		assert.ok(await A1.page.locator('#messages li.msg', { hasText: text }).isVisible());
		for (const p of [A1.page, A2.page, B.page]) assert.deepEqual(p.problems, []);
	} finally {
		await A1.context.close();
		await A2.context.close();
		await B.context.close();
	}
});
