// Browser test of group chats: one person creates a group from the "New
// chat" menu (picking a member with search-as-you-type), adds a second from
// the group info page; all three see the service messages and a live
// message. Also: a removed member's open chat says so; the form works
// without JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, RUN, LIVE as LIVE_TIMEOUT, useBrowser, person, open as openPage, register, waitConnected, msg } from './lib.mjs';

const browser = useBrowser();
const open = (javaScriptEnabled = true) => openPage(browser(), { javaScriptEnabled });

test('create a group from the New chat menu, add two people, service messages and a live message in three browsers', { timeout: 180000 }, async () => {
	const [a, b, c] = [person('ga'), person('gb'), person('gc')];
	const A = await open(), B = await open(), C = await open();
	try {
		await register(A.page, a);
		await register(B.page, b);
		await register(C.page, c);
		await B.page.goto(`${BASE}/chats`);
		await waitConnected(B.page);

		// A: New chat -> the group form; pick B by typing part of the nickname
		await A.page.goto(`${BASE}/chats`);
		await Promise.all([A.page.waitForURL(/\/chats\/new$/), A.page.click('#new-chat')]);
		const name = `Trip ${RUN}`;
		await A.page.fill('#group-name', name);
		await A.page.fill('#group-description', 'Where we go');
		await A.page.fill('#member-search', b.nickname.slice(0, 8));
		await A.page.locator(`.picker-pick[data-nickname="${b.nickname}"]`).click();
		assert.equal(await A.page.inputValue('#group-members'), b.nickname, 'the picked nickname is in the members field');
		await Promise.all([A.page.waitForURL(/\/chats\/\d+$/), A.page.click('.group-form button[type="submit"]')]);
		const chatId = Number(new URL(A.page.url()).pathname.split('/')[2]);
		await msg(A.page, `created the group “${name}”`).waitFor();

		// B sees the new group appear in the list live
		const item = B.page.locator(`#chat-list li[data-chat="${chatId}"]`);
		await item.waitFor({ timeout: LIVE_TIMEOUT });

		// A adds C from the group info page
		await Promise.all([A.page.waitForURL(/\/info$/), A.page.click('#group-info-link')]);
		await A.page.fill('#add-nickname', c.nickname);
		await Promise.all([A.page.waitForURL(/\/info$/), A.page.click('form[action$="/members"] button[type="submit"]')]);
		assert.equal(await A.page.locator(`.member-item[data-nickname="${c.nickname}"]`).count(), 1, 'C is listed as a member');

		// everyone opens the chat and sees the service messages
		for (const P of [A, B, C]) {
			await P.page.goto(`${BASE}/chats/${chatId}`);
			await msg(P.page, `created the group “${name}”`).waitFor();
			await msg(P.page, `${a.name} added ${c.name}`).waitFor();
			assert.equal(await P.page.locator('#messages li.msg.service').count(), 2);
			await waitConnected(P.page);
		}

		// a live message from C reaches A and B; a live rename reaches all three
		const text = `see you there ${RUN}`;
		await C.page.fill('#composer-text', text);
		await C.page.press('#composer-text', 'Enter');
		for (const P of [A, B, C]) await msg(P.page, text).waitFor({ timeout: LIVE_TIMEOUT });
		const r = await A.page.evaluate(async (id) => {
			const csrf = document.querySelector('meta[name="csrf"]').content;
			const res = await fetch(`/api/chats/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ name: 'Renamed trip' }) });
			return res.status;
		}, chatId);
		assert.equal(r, 204);
		for (const P of [A, B, C]) await msg(P.page, 'renamed the group').waitFor({ timeout: LIVE_TIMEOUT });
		for (const P of [A, B, C]) assert.deepEqual(P.page.problems, [], 'no script errors or CSP reports');
	} finally {
		await Promise.all([A.context.close(), B.context.close(), C.context.close()]);
	}
});

test('a member removed while the chat is open sees that it is over; the form works without JavaScript', { timeout: 120000 }, async () => {
	const [o, m] = [person('go'), person('gm')];
	const O = await open(false), M = await open();
	try {
		await register(O.page, o);
		await register(M.page, m);
		// without JavaScript: the plain form with nicknames in the text field
		await O.page.goto(`${BASE}/chats/new`);
		assert.equal(await O.page.locator('.picker-search').isVisible(), false, 'no picker without JavaScript');
		await O.page.fill('#group-name', `Plain ${RUN}`);
		await O.page.fill('#group-members', `@${m.nickname}`);
		await Promise.all([O.page.waitForURL(/\/chats\/\d+$/), O.page.click('.group-form button[type="submit"]')]);
		const chatId = Number(new URL(O.page.url()).pathname.split('/')[2]);

		await M.page.goto(`${BASE}/chats/${chatId}`);
		await waitConnected(M.page);
		await O.page.goto(`${BASE}/chats/${chatId}/info`);
		await Promise.all([O.page.waitForURL(/\/info$/), O.page.click(`form[action="/chats/${chatId}/members/${m.nickname}/remove"] button`)]);
		assert.equal(await O.page.locator(`.member-item[data-nickname="${m.nickname}"]`).count(), 0);

		await M.page.locator('.group-gone').waitFor({ timeout: LIVE_TIMEOUT });
		assert.equal(await M.page.locator('#composer').count(), 0, 'the composer is gone');
		assert.equal(await M.page.locator(`#chat-list li[data-chat="${chatId}"]`).count(), 0, 'the chat left the list');
		assert.deepEqual(M.page.problems, []);
	} finally {
		await Promise.all([O.context.close(), M.context.close()]);
	}
});
