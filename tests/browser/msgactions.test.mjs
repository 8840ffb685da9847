// Browser test for the message actions of static/msgactions.js: who
// reacted (hover and keyboard focus show the names, the click still
// toggles, Esc closes); the inline reply bar (the send carries reply_to,
// × cancels); the inline edit (the ✎ button and Up in the empty composer,
// saved with PATCH and seen live by the other person, Esc restores the
// draft).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, LIVE as LIVE_TIMEOUT, useBrowser, chatPair, waitConnected, msg } from './lib.mjs';

const browser = useBrowser();

async function sendText(page, text) {
	await page.fill('#composer-text', text);
	await page.press('#composer-text', 'Enter');
	await page.waitForFunction((t) => [...document.querySelectorAll('#messages li.msg')]
		.some((li) => li.textContent.includes(t) && /^m-\d+$/.test(li.id)), text, { timeout: LIVE_TIMEOUT });
	return (await msg(page, text).getAttribute('id')).slice(2);
}

test('who reacted, inline reply and inline edit, live in the other browser', { timeout: 180000 }, async () => {
	const { a, b, A, B, chatUrl } = await chatPair(browser(), 'xa', 'xb');
	try {
		await B.page.goto(chatUrl);
		await waitConnected(B.page);

		const first = `first ${RUN}`;
		const id = await sendText(A.page, first);
		await msg(B.page, first).waitFor({ timeout: LIVE_TIMEOUT });

		// B reacts with the chip's toggle; A rests on the chip and sees B's name
		const res = await B.page.evaluate(async (mid) => {
			const csrf = document.querySelector('meta[name="csrf"]').content;
			const r = await fetch(`/api/messages/${mid}/reactions/${encodeURIComponent('\u{1F44D}')}`, { method: 'PUT', headers: { 'X-CSRF-Token': csrf, Accept: 'application/json' } });
			return r.status;
		}, id);
		assert.equal(res, 200);
		const chip = A.page.locator(`#m-${id} a.reaction`);
		await chip.waitFor({ timeout: LIVE_TIMEOUT });
		await chip.hover();
		const pop = A.page.locator('#reaction-who');
		await pop.waitFor({ state: 'visible' });
		assert.match(await pop.textContent(), new RegExp(b.name));
		assert.equal(await chip.getAttribute('aria-describedby'), 'reaction-who');
		await A.page.keyboard.press('Escape');
		await pop.waitFor({ state: 'hidden' });
		// the click still toggles: A adds its own, the count goes to 2 for B
		await chip.click();
		await B.page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '2',
			`#m-${id} a.reaction .reaction-count`, { timeout: LIVE_TIMEOUT });
		// keyboard: focusing the chip shows the names too
		await A.page.mouse.move(0, 0);
		await chip.focus();
		await pop.waitFor({ state: 'visible' });
		await A.page.waitForFunction((n) => document.getElementById('reaction-who').textContent.includes(n), a.name);
		await A.page.keyboard.press('Escape');
		await pop.waitFor({ state: 'hidden' });

		// inline reply: the bar, × cancels, then a reply that quotes the original
		const li = A.page.locator(`#m-${id}`);
		await li.hover();
		await li.locator('.msg-reply-btn').click();
		const bar = A.page.locator('#composer .compose-bar');
		await bar.waitFor();
		assert.match(await bar.textContent(), new RegExp(first));
		await bar.locator('.compose-bar-close').click();
		await bar.waitFor({ state: 'detached' });
		assert.equal(await A.page.locator('#composer input[name="reply_to"]').count(), 0);
		await li.hover();
		await li.locator('.msg-reply-btn').click();
		await bar.waitFor();
		const reply = `the reply ${RUN}`;
		await A.page.keyboard.type(reply);
		await A.page.keyboard.press('Enter');
		await bar.waitFor({ state: 'detached' });
		const quote = msg(B.page, reply).locator('.msg-quote');
		await quote.waitFor({ timeout: LIVE_TIMEOUT });
		assert.match(await quote.getAttribute('href'), new RegExp(`#m-${id}$`));

		// inline edit with Up in the empty composer: the last own message (the reply)
		await A.page.fill('#composer-text', '');
		await A.page.focus('#composer-text');
		await A.page.keyboard.press('ArrowUp');
		await A.page.waitForFunction((t) => document.getElementById('composer-text').value === t, reply);
		assert.ok(await A.page.locator('#composer.editing').count() === 1);
		await A.page.fill('#composer-text', `${reply} **changed**`);
		await A.page.keyboard.press('Enter');
		await A.page.waitForFunction(() => !document.querySelector('#composer .compose-bar') && document.getElementById('composer-text').value === '');
		await msg(B.page, reply).locator('.msg-body strong', { hasText: 'changed' }).waitFor({ timeout: LIVE_TIMEOUT });
		await msg(B.page, reply).locator('.msg-edited').waitFor({ timeout: LIVE_TIMEOUT });
		assert.equal(await A.page.locator('#messages li.msg', { hasText: reply }).count(), 1, 'edited in place, nothing sent');

		// the ✎ button; Esc cancels and brings back the draft
		await A.page.fill('#composer-text', 'my draft');
		await li.hover();
		await li.locator('.msg-edit-btn').click();
		await A.page.waitForFunction((t) => document.getElementById('composer-text').value === t, first);
		await A.page.keyboard.press('Escape');
		await A.page.waitForFunction(() => document.getElementById('composer-text').value === 'my draft');
		assert.equal(await A.page.locator('#composer .compose-bar').count(), 0);
		// B has no edit button on A's message, but may reply
		assert.equal(await B.page.locator(`#m-${id} .msg-edit-btn`).count(), 0);
		assert.equal(await B.page.locator(`#m-${id} .msg-reply-btn`).count(), 1);

		assert.deepEqual([...A.page.problems, ...B.page.problems], []);
	} finally {
		await A.context.close();
		await B.context.close();
	}
});
