// Browser test for mentions: typing "@" suggests the chat's members
// (arrows + Enter pick, Esc closes, a click picks); the sent mention is a
// link, the mentioned person sees the chat marked live in their list and
// the message highlighted, and the author does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, RUN, LIVE as LIVE_TIMEOUT, useBrowser, chatPair, waitConnected, msg } from './lib.mjs';

const browser = useBrowser();

test('suggest, pick, send; the mentioned person sees the mark and the highlight live', { timeout: 180000 }, async () => {
	const { b, A, B, chatUrl, chatId } = await chatPair(browser(), 'na', 'nb');
	try {
		// B waits on the chat list (the chat not open)
		await B.page.goto(`${BASE}/chats`);
		await waitConnected(B.page);

		// "@" + the start of B's nickname suggests B; Esc closes, typing reopens
		const box = A.page.locator('#mention-suggest');
		await A.page.click('#composer-text');
		await A.page.keyboard.type(`hello @${b.nickname.slice(0, 4)}`);
		await box.locator('li', { hasText: `@${b.nickname}` }).waitFor();
		assert.equal(await A.page.getAttribute('#composer-text', 'aria-expanded'), 'true');
		await A.page.keyboard.press('Escape');
		await box.waitFor({ state: 'hidden' });
		assert.equal(await A.page.inputValue('#composer-text'), `hello @${b.nickname.slice(0, 4)}`, 'Esc does not change the text');
		await A.page.keyboard.type(b.nickname.slice(4, 5));
		await box.locator('li', { hasText: `@${b.nickname}` }).waitFor();
		await A.page.keyboard.press('Enter'); // picks, does not send
		assert.equal(await A.page.inputValue('#composer-text'), `hello @${b.nickname} `);
		await box.waitFor({ state: 'hidden' });
		// a click picks too
		await A.page.keyboard.type('and @');
		await box.locator('li', { hasText: `@${b.nickname}` }).click();
		assert.equal(await A.page.inputValue('#composer-text'), `hello @${b.nickname} and @${b.nickname} `);
		await A.page.keyboard.type(`${RUN}`);
		await A.page.keyboard.press('Enter'); // sends
		const sent = msg(A.page, RUN);
		await A.page.waitForFunction((t) => [...document.querySelectorAll('#messages li.msg')]
			.some((li) => li.textContent.includes(t) && /^m-\d+$/.test(li.id)), RUN, { timeout: LIVE_TIMEOUT });
		await sent.locator(`a.mention[href="/u/${b.nickname}"]`).first().waitFor();
		assert.ok(!(await sent.getAttribute('class')).includes('mention-me'), 'not highlighted for the author');

		// B: the chat is marked live, then the message is highlighted
		const item = B.page.locator(`.chat-list li[data-chat="${chatId}"]`);
		await item.locator('.mention-badge').waitFor({ timeout: LIVE_TIMEOUT });
		await B.page.goto(chatUrl);
		await waitConnected(B.page);
		const seen = msg(B.page, RUN);
		await seen.waitFor();
		assert.ok((await seen.getAttribute('class')).includes('mention-me'), 'highlighted for B');
		await B.page.locator(`.chat-list li[data-chat="${chatId}"] .mention-badge`).waitFor({ state: 'detached', timeout: LIVE_TIMEOUT });
		// a live mention while B has the chat open is highlighted at once
		await A.page.fill('#composer-text', `again @${b.nickname} live ${RUN}x`);
		await A.page.press('#composer-text', 'Enter');
		const live = msg(B.page, `live ${RUN}x`);
		await live.waitFor({ timeout: LIVE_TIMEOUT });
		await B.page.waitForFunction((t) => [...document.querySelectorAll('#messages li.msg.mention-me')]
			.some((li) => li.textContent.includes(t)), `live ${RUN}x`, { timeout: LIVE_TIMEOUT });
		assert.deepEqual([...A.page.problems, ...B.page.problems], []);
	} finally {
		await A.context.close();
		await B.context.close();
	}
});
