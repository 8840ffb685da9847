// Browser test for message actions: one person reacts (the emoji picker),
// edits and replies in one browser; the other sees each change live in
// another, with the viewer's own reaction highlighted only for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, RUN, LIVE as LIVE_TIMEOUT, useBrowser, chatPair, waitConnected, msg } from './lib.mjs';

const browser = useBrowser();

const THUMB = '\u{1F44D}';

test('react, edit and reply in one browser; each is live in the other', { timeout: 180000 }, async () => {
	const { A, B, chatUrl } = await chatPair(browser(), 'ma', 'mb');
	try {
		const text = `react here ${RUN}`;
		await A.page.fill('#composer-text', text);
		await A.page.press('#composer-text', 'Enter');
		await A.page.waitForFunction((t) => [...document.querySelectorAll('#messages li.msg')]
			.some((li) => li.textContent.includes(t) && /^m-\d+$/.test(li.id)), text, { timeout: LIVE_TIMEOUT });
		const li = msg(A.page, text);
		const id = (await li.getAttribute('id')).slice(2);

		await B.page.goto(chatUrl);
		await waitConnected(B.page);
		await msg(B.page, text).waitFor();

		// A reacts through the picker; B sees the chip live, not as its own
		await li.hover();
		await li.locator('.msg-react-btn').click();
		await A.page.locator('.emoji-picker .emoji-search').fill('thumbs up');
		await A.page.locator(`.emoji-picker .emoji-choice[data-emoji="${THUMB}"]`).first().click();
		const chipB = B.page.locator(`#m-${id} a.reaction[data-emoji="${THUMB}"]`);
		await chipB.waitFor({ timeout: LIVE_TIMEOUT });
		assert.equal((await chipB.locator('.reaction-count').textContent()).trim(), '1');
		assert.doesNotMatch(await chipB.getAttribute('class'), /\bmine\b/, "A's reaction is not B's own");
		const chipA = A.page.locator(`#m-${id} a.reaction[data-emoji="${THUMB}"]`);
		await chipA.waitFor({ timeout: LIVE_TIMEOUT });
		await A.page.waitForFunction((sel) => document.querySelector(sel)?.classList.contains('mine'),
			`#m-${id} a.reaction`, { timeout: LIVE_TIMEOUT });

		// B adds its own by clicking the chip; A sees the count go to 2 live
		await chipB.click();
		await A.page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '2',
			`#m-${id} a.reaction .reaction-count`, { timeout: LIVE_TIMEOUT });
		await B.page.waitForFunction((sel) => document.querySelector(sel)?.classList.contains('mine'),
			`#m-${id} a.reaction`, { timeout: LIVE_TIMEOUT });

		// A edits on the message page; B sees the new text and "edited" live
		await A.page.goto(`${BASE}/messages/${id}`);
		const edited = `edited **text** ${RUN}`;
		await A.page.fill('#edit-text', edited);
		await Promise.all([A.page.waitForURL(/\/chats\/\d+\?around=/), A.page.click('.edit-form button[type="submit"]')]);
		await B.page.locator(`#m-${id} .msg-body strong`, { hasText: 'text' }).waitFor({ timeout: LIVE_TIMEOUT });
		await B.page.locator(`#m-${id} .msg-edited`).waitFor({ timeout: LIVE_TIMEOUT });
		assert.equal(await B.page.locator(`#m-${id} a.reaction`).count(), 1, 'reactions survive the edit');

		// A replies; B sees the quote live, and it jumps to the original
		await A.page.goto(`${BASE}/messages/${id}`);
		const reply = `a reply ${RUN}`;
		await A.page.fill('#reply-text', reply);
		await Promise.all([A.page.waitForURL(/\/chats\/\d+/), A.page.click('.reply-form button[type="submit"]')]);
		const quote = msg(B.page, reply).locator('.msg-quote');
		await quote.waitFor({ timeout: LIVE_TIMEOUT });
		assert.match(await quote.textContent(), new RegExp(`edited`));
		assert.match(await quote.getAttribute('href'), new RegExp(`\\?around=\\d+#m-${id}$`));

		assert.deepEqual(A.page.problems, [], 'no script errors or CSP reports for A');
		assert.deepEqual(B.page.problems, [], 'no script errors or CSP reports for B');
	} finally {
		await A.context.close();
		await B.context.close();
	}
});
