// Browser tests of the message list and the composer (issue 9, static/chatux.js):
// grouping and date separators with and without JavaScript, sending states
// with a failed send and its retry, "jump to latest" with its count, older
// messages loaded while scrolling up, drafts across chats, the Ctrl+Enter
// setting, the emoji button and the live region.
// Run: MESSLY_URL=http://127.0.0.1:8080 node --test tests/browser/chatux.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, api, register, directChat, send, expectStatus, sleep } from '../api/lib.mjs';
import { DESKTOP, LIVE as LIVE_TIMEOUT, useBrowser, open as openPage, login, waitConnected, msg } from './lib.mjs';

const browser = useBrowser();
const open = (javaScriptEnabled = true) => openPage(browser(), { viewport: DESKTOP, javaScriptEnabled, watch: 'pageerror' });

async function readAll(u, chatId, seq) {
	expectStatus(await api('POST', `/api/chats/${chatId}/read`, { token: u.token, body: { seq } }), [200, 204]);
}

const classes = async (loc) => ((await loc.getAttribute('class')) || '').split(/\s+/);

// A and B with a direct chat; B has said `n` things (sent in order).
async function pair(tag, n = 0, lang = 'en') {
	const A = await register(`${tag}a`);
	const B = await register(`${tag}b`);
	if (lang !== 'en') {
		for (const u of [A, B]) expectStatus(await api('PATCH', '/api/me', { token: u.token, body: { language: lang } }), 200);
	}
	const chat = await directChat(A, B);
	for (let i = 0; i < n; i++) await send(B, chat.id, `${tag} said ${i}`);
	return { A, B, chat };
}

for (const js of [true, false]) {
	for (const lang of ['en', 'ru']) {
		test(`grouping and date separators (${js ? 'JavaScript' : 'no JavaScript'}, ${lang})`, { timeout: 90000 }, async () => {
			const tag = `g${js ? 'j' : 'n'}${lang}`;
			const { A, B, chat } = await pair(tag, 3, lang);
			await send(A, chat.id, `${tag} mine`);
			const { context, page } = await open(js);
			try {
				await login(page, A);
				await page.goto(`${BASE}/chats/${chat.id}`);
				// B's three in a row: the name once, the next two grouped
				const c0 = await classes(msg(page, `${tag} said 0`));
				const c1 = await classes(msg(page, `${tag} said 1`));
				const c2 = await classes(msg(page, `${tag} said 2`));
				assert.ok(!c0.includes('grouped'), 'the first of a run is not grouped');
				assert.ok(c1.includes('grouped') && c2.includes('grouped'), 'the rest of the run is grouped');
				const mine = await classes(msg(page, `${tag} mine`));
				assert.ok(mine.includes('own') && !mine.includes('grouped'), 'own message: aligned apart, a new group');
				// one separator for today, before the first message of the day
				const seps = page.locator('#messages li.day-sep');
				assert.equal(await seps.count(), 1, 'one date separator');
				assert.equal((await seps.first().textContent()).trim(), lang === 'ru' ? 'Сегодня' : 'Today');
				const firstItem = await page.evaluate(() => document.querySelector('#messages > li').className);
				assert.match(firstItem, /day-sep/, 'the separator comes first');
				if (js) {
					// a live message from B right after: grouped? no (A's came between); another from A: grouped
					await waitConnected(page);
					await page.fill('#composer-text', `${tag} mine again`);
					await page.press('#composer-text', 'Enter');
					await page.waitForSelector(`#messages li.msg[id^="m-"]:has-text("${tag} mine again")`);
					await page.waitForFunction((t) => {
						const li = [...document.querySelectorAll('#messages li.msg')].find((x) => x.textContent.includes(t));
						return li && li.classList.contains('grouped');
					}, `${tag} mine again`, { timeout: LIVE_TIMEOUT });
					await send(B, chat.id, `${tag} live one`);
					await msg(page, `${tag} live one`).waitFor({ timeout: LIVE_TIMEOUT });
					await sleep(100);
					assert.ok(!(await classes(msg(page, `${tag} live one`))).includes('grouped'), 'a new sender starts a group');
					assert.equal(await seps.count(), 1, 'still one separator');
					assert.deepEqual(page.problems, []);
				}
			} finally {
				await context.close();
			}
		});
	}
}

test('sending states: clock, tick, failed with Retry that never doubles the message', { timeout: 90000 }, async () => {
	const { A, chat } = await pair('st');
	const { context, page } = await open();
	try {
		await login(page, A);
		await page.goto(`${BASE}/chats/${chat.id}`);
		await waitConnected(page);
		// held: the clock shows while the request is on its way
		let release;
		const held = new Promise((r) => { release = r; });
		await page.route('**/api/chats/*/messages', async (route) => {
			if (route.request().method() !== 'POST') return route.continue();
			await held;
			return route.continue();
		});
		await page.fill('#composer-text', 'held message');
		await page.press('#composer-text', 'Enter');
		await page.waitForSelector('#messages li.msg.local.pending .state-pending');
		assert.equal(await page.inputValue('#composer-text'), '', 'the composer is emptied at once');
		release();
		await page.waitForFunction(() => {
			const li = [...document.querySelectorAll('#messages li.msg')].find((x) => x.textContent.includes('held message'));
			return li && !li.classList.contains('pending');
		});
		const li = msg(page, 'held message');
		const state = await li.evaluate((x) => x.classList.contains('local')
			? (x.querySelector('.state-sent') ? 'tick' : 'none') : 'server');
		assert.ok(state === 'tick' || state === 'server', `confirmed: a tick or the server's copy (${state})`);
		await page.unroute('**/api/chats/*/messages');

		// failed: the request never reaches the server
		await page.route('**/api/chats/*/messages', (route) =>
			route.request().method() === 'POST' ? route.abort('failed') : route.continue());
		await page.fill('#composer-text', 'flaky message');
		await page.press('#composer-text', 'Enter');
		await page.waitForSelector('#messages li.msg.local.failed .retry-btn');
		const cid = await page.getAttribute('#messages li.msg.local.failed', 'data-client-id');
		await page.unroute('**/api/chats/*/messages');
		// retry twice, quickly: the same client_id, one message
		await page.click('#messages li.msg.local.failed .retry-btn');
		await page.waitForFunction(() => {
			const items = [...document.querySelectorAll('#messages li.msg')].filter((x) => x.textContent.includes('flaky message'));
			return items.length === 1 && /^m-\d+$/.test(items[0].id);
		}, null, { timeout: LIVE_TIMEOUT });
		const list = await api('GET', `/api/chats/${chat.id}/messages`, { token: A.token });
		const copies = list.json.messages.filter((m) => m.text === 'flaky message');
		assert.equal(copies.length, 1, 'stored once');
		assert.equal(copies[0].client_id, cid, 'with the client id of the first attempt');
		assert.deepEqual(page.problems, []);
	} finally {
		await context.close();
	}
});

test('jump to latest: shown when scrolled up, counts new messages in Russian plural forms', { timeout: 120000 }, async () => {
	const { A, B, chat } = await pair('jl', 40, 'ru');
	const last = await send(A, chat.id, 'jl read up to here');
	await readAll(A, chat.id, last.seq);
	const { context, page } = await open();
	try {
		await login(page, A);
		await page.goto(`${BASE}/chats/${chat.id}`);
		await waitConnected(page);
		assert.ok(await page.locator('#jump-latest').isHidden(), 'hidden at the bottom');
		await page.evaluate(() => { document.querySelector('#messages li.msg').scrollIntoView({ block: 'start' }); });
		await page.locator('#jump-latest').waitFor({ state: 'visible' });
		await send(B, chat.id, 'jl new 1');
		await send(B, chat.id, 'jl new 2');
		await page.waitForFunction(() => document.querySelector('#jump-latest .jump-count').textContent === '2 новых сообщения',
			null, { timeout: LIVE_TIMEOUT });
		for (let i = 3; i <= 5; i++) await send(B, chat.id, `jl new ${i}`);
		await page.waitForFunction(() => document.querySelector('#jump-latest .jump-count').textContent === '5 новых сообщений',
			null, { timeout: LIVE_TIMEOUT });
		assert.match(await page.getAttribute('#jump-latest', 'aria-label'), /5 новых сообщений/);
		// the live region announced the last one
		assert.match(await page.textContent('#announcer'), /jl new 5/);
		assert.match(await page.textContent('#announcer'), new RegExp(B.user.name));
		await page.click('#jump-latest');
		await page.locator('#jump-latest').waitFor({ state: 'hidden' });
		assert.ok(await msg(page, 'jl new 5').isVisible(), 'the newest message is in view');
		// at the bottom, new messages are not counted
		await send(B, chat.id, 'jl new 6');
		await msg(page, 'jl new 6').waitFor();
		await sleep(300);
		assert.ok(await page.locator('#jump-latest').isHidden());
		assert.deepEqual(page.problems, []);
	} finally {
		await context.close();
	}
});

test('scrolling up loads older messages and keeps the position; without JavaScript a link', { timeout: 150000 }, async () => {
	const A = await register('isa');
	const B = await register('isb');
	const chat = await directChat(A, B);
	let last;
	for (let i = 0; i < 110; i++) last = await send(i % 2 ? A : B, chat.id, `old ${i} .`);
	await readAll(A, chat.id, last.seq);
	const noJs = await open(false);
	try {
		await login(noJs.page, A);
		await noJs.page.goto(`${BASE}/chats/${chat.id}`);
		assert.equal(await noJs.page.locator('#messages li.msg').count(), 50);
		await Promise.all([noJs.page.waitForURL(/before=/), noJs.page.click('.older .older-link')]);
		assert.equal(await msg(noJs.page, 'old 10 .').count(), 1, 'the older page without JavaScript');
	} finally {
		await noJs.context.close();
	}
	const { context, page } = await open();
	try {
		await login(page, A);
		let release;
		const held = new Promise((r) => { release = r; });
		await page.route(/\/api\/chats\/\d+\/messages\?/, async (route) => { await held; return route.continue(); });
		await page.goto(`${BASE}/chats/${chat.id}`);
		assert.equal(await page.locator('#messages li.msg').count(), 50);
		// scroll to the top; the load is held until we note where things are
		await page.evaluate(() => { document.querySelector('#messages li.msg').scrollIntoView({ block: 'start' }); });
		await page.waitForFunction(() => document.querySelector('#messages').getAttribute('aria-busy') === 'true');
		const anchor = msg(page, 'old 60 .');
		const topBefore = await anchor.evaluate((x) => x.getBoundingClientRect().top);
		release();
		await page.waitForFunction(() => document.querySelectorAll('#messages li.msg').length >= 100);
		await page.waitForFunction(() => !document.querySelector('#messages').hasAttribute('aria-busy'));
		const topAfter = await anchor.evaluate((x) => x.getBoundingClientRect().top);
		assert.ok(Math.abs(topAfter - topBefore) <= 2, `the message the reader saw stays put (${topBefore} -> ${topAfter})`);
		// the rest, then the link is gone
		await page.evaluate(() => { document.querySelector('#messages li.msg').scrollIntoView({ block: 'start' }); });
		await page.waitForFunction(() => document.querySelectorAll('#messages li.msg').length >= 110);
		assert.equal(await msg(page, 'old 0 .').count(), 1, 'the oldest message arrived');
		await page.waitForFunction(() => !document.querySelector('.scroller .older:not(.newer):not(.latest)'));
		const seqs = await page.$$eval('#messages li.msg', (l) => l.map((x) => Number(x.dataset.seq)));
		assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in order');
		assert.equal(new Set(seqs).size, seqs.length, 'no duplicates');
		assert.equal(await page.locator('#messages li.day-sep').count(), 1, 'one separator after loading');
		const receipts = await page.$$eval('#messages li.msg.own', (l) => l.map((x) => !!x.querySelector('.msg-receipt.read')));
		assert.equal(receipts.length, 55);
		// B read up to their own last message (108); A's 109 is unread
		assert.ok(receipts.slice(0, -1).every(Boolean), 'older own messages show their read receipts too');
		assert.equal(receipts[receipts.length - 1], false);
		const grouped = await page.$$eval('#messages li.msg.grouped', (l) => l.length);
		assert.equal(grouped, 0, 'alternating senders: no groups');
		assert.deepEqual(page.problems, []);
	} finally {
		await context.close();
	}
});

test('drafts are kept per chat across switches and cleared on send', { timeout: 90000 }, async () => {
	const { A, chat } = await pair('dr');
	const C = await register('drc');
	const chat2 = await directChat(A, C);
	const { context, page } = await open();
	try {
		await login(page, A);
		await page.goto(`${BASE}/chats/${chat.id}`);
		await page.fill('#composer-text', 'first draft\nline two');
		await page.click(`#chat-list li[data-chat="${chat2.id}"] a`);
		await page.waitForURL(new RegExp(`/chats/${chat2.id}`));
		assert.equal(await page.inputValue('#composer-text'), '', 'another chat: its own (empty) draft');
		await page.fill('#composer-text', 'second draft');
		let typing = 0;
		page.on('request', (r) => { if (/\/typing$/.test(r.url())) typing++; });
		await sleep(3100); // readstate.js sends at most one typing signal per 3 s
		typing = 0;
		await page.click(`#chat-list li[data-chat="${chat.id}"] a`);
		await page.waitForURL(new RegExp(`/chats/${chat.id}$`));
		assert.equal(await page.inputValue('#composer-text'), 'first draft\nline two');
		await sleep(500);
		assert.equal(typing, 0, 'a restored draft is not typing');
		await waitConnected(page);
		await page.press('#composer-text', 'Enter');
		await msg(page, 'first draft').first().waitFor();
		await page.goto(`${BASE}/chats/${chat2.id}`);
		assert.equal(await page.inputValue('#composer-text'), 'second draft');
		await page.goto(`${BASE}/chats/${chat.id}`);
		assert.equal(await page.inputValue('#composer-text'), '', 'sent: the draft is gone');
		assert.deepEqual(page.problems, []);
	} finally {
		await context.close();
	}
});

test('Ctrl+Enter to send as a setting; the emoji button inserts at the caret', { timeout: 90000 }, async () => {
	const { A, chat } = await pair('ce');
	expectStatus(await api('PATCH', '/api/me', { token: A.token, body: { send_key: 'ctrl_enter' } }), 200);
	const { context, page } = await open();
	try {
		await login(page, A);
		await page.goto(`${BASE}/chats/${chat.id}`);
		await waitConnected(page);
		await page.fill('#composer-text', 'one');
		await page.press('#composer-text', 'Enter');
		await page.type('#composer-text', 'two');
		assert.equal(await page.inputValue('#composer-text'), 'one\ntwo', 'Enter breaks the line');
		assert.equal(await page.locator('#messages li.msg', { hasText: 'one' }).count(), 0, 'nothing sent');
		await page.press('#composer-text', 'Control+Enter');
		await page.waitForSelector('#messages li.msg[id^="m-"]:has-text("two")');
		assert.equal(await page.inputValue('#composer-text'), '');

		// the composer grows with the text, up to a limit
		const height = () => page.$eval('#composer-text', (t) => t.getBoundingClientRect().height);
		await page.fill('#composer-text', 'x');
		const h1 = await height();
		await page.fill('#composer-text', 'a\nb\nc\nd');
		const h4 = await height();
		await page.fill('#composer-text', Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n'));
		const h40 = await height();
		assert.ok(h4 > h1 + 20, `grows: ${h1} -> ${h4}`);
		assert.ok(h40 >= h4 && h40 <= 210, `up to a limit: ${h40}`);

		// emoji at the caret
		await page.fill('#composer-text', 'ab');
		await page.evaluate(() => document.getElementById('composer-text').setSelectionRange(1, 1));
		await page.click('#composer-emoji');
		const choice = page.locator('.emoji-picker .emoji-choice').first();
		await choice.waitFor();
		const emoji = await choice.getAttribute('data-emoji');
		await choice.click();
		assert.equal(await page.inputValue('#composer-text'), `a${emoji}b`);

		// back to Enter through the settings form
		await page.goto(`${BASE}/settings/preferences`);
		await page.check('input[name="send_key"][value="enter"]');
		await Promise.all([page.waitForURL(/saved=1/), page.click('form[action="/settings/preferences"] button[type="submit"]')]);
		assert.ok(await page.isChecked('input[name="send_key"][value="enter"]'));
		await page.goto(`${BASE}/chats/${chat.id}`);
		await waitConnected(page);
		await page.fill('#composer-text', 'enter again');
		await page.press('#composer-text', 'Enter');
		await page.waitForSelector('#messages li.msg[id^="m-"]:has-text("enter again")');
		assert.deepEqual(page.problems, []);
	} finally {
		await context.close();
	}
});

test('plural forms in JavaScript: the rule, and the unread badge title kept live', { timeout: 90000 }, async () => {
	const { A, B, chat } = await pair('pj', 0, 'ru');
	await send(A, chat.id, 'pj hello');
	const { context, page } = await open();
	try {
		await login(page, A);
		await page.goto(`${BASE}/chats`);
		await waitConnected(page);
		const nums = [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111];
		assert.deepEqual(await page.evaluate((n) => n.map((x) => window.messlyPluralForm(x)), nums),
			['many', 'one', 'few', 'few', 'many', 'many', 'many', 'many', 'one', 'few', 'many', 'one', 'many']);
		const badge = page.locator(`#chat-list li[data-chat="${chat.id}"] .badge`);
		await send(B, chat.id, 'pj 1');
		await page.waitForFunction((id) => {
			const b = document.querySelector(`#chat-list li[data-chat="${id}"] .badge`);
			return b && b.title === '1 непрочитанное сообщение';
		}, chat.id, { timeout: LIVE_TIMEOUT });
		await send(B, chat.id, 'pj 2');
		await page.waitForFunction((id) => {
			const b = document.querySelector(`#chat-list li[data-chat="${id}"] .badge`);
			return b && b.title === '2 непрочитанных сообщения';
		}, chat.id, { timeout: LIVE_TIMEOUT });
		assert.equal((await badge.textContent()).trim(), '2');
		assert.deepEqual(page.problems, []);
	} finally {
		await context.close();
	}
	// English has one and many
	const C = await register('pje');
	const en = await open();
	try {
		await login(en.page, C);
		await en.page.goto(`${BASE}/chats`);
		assert.deepEqual(await en.page.evaluate(() => [0, 1, 2, 21].map((x) => window.messlyPluralForm(x))),
			['many', 'one', 'many', 'many']);
	} finally {
		await en.context.close();
	}
});
