// Browser test for mentions: typing "@" suggests the chat's members
// (arrows + Enter pick, Esc closes, a click picks); the sent mention is a
// link, the mentioned person sees the chat marked live in their list and
// the message highlighted, and the author does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BASE = (process.env.MESSLY_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const RUN = Date.now().toString(36).slice(-6) + Math.random().toString(36).slice(2, 6);
const LIVE_TIMEOUT = 15000;

let browser;

before(async () => {
	browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
});

after(async () => {
	if (browser) await browser.close();
});

function person(tag) {
	const nickname = `${tag}_${RUN}`.toLowerCase().slice(0, 32);
	return { email: `${nickname}@example.test`, password: `pw-${RUN}-secret`, nickname, name: `${tag.toUpperCase()} ${RUN}` };
}

async function open() {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
	const page = await context.newPage();
	page.setDefaultTimeout(20000);
	page.problems = [];
	page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) page.problems.push(`csp: ${m.text()}`);
	});
	return { context, page };
}

async function register(page, u) {
	await page.goto(`${BASE}/register`);
	await page.fill('#email', u.email);
	await page.fill('#password', u.password);
	await page.fill('#nickname', u.nickname);
	await page.fill('#name', u.name);
	await Promise.all([page.waitForURL(/\/chats(\/|$|\?)/), page.click('form[action="/register"] button[type="submit"]')]);
}

async function waitConnected(page) {
	await page.waitForFunction(() => window.messly && window.messly.state && window.messly.state.connected === true,
		null, { timeout: LIVE_TIMEOUT });
}

const msg = (page, text) => page.locator('#messages li.msg', { hasText: text });

test('suggest, pick, send; the mentioned person sees the mark and the highlight live', { timeout: 180000 }, async () => {
	const a = person('na');
	const b = person('nb');
	const A = await open();
	const B = await open();
	try {
		await register(A.page, a);
		await register(B.page, b);
		await A.page.goto(`${BASE}/users?q=${b.nickname}`);
		await Promise.all([
			A.page.waitForURL(/\/chats\/\d+/),
			A.page.locator('.user-item', { hasText: `@${b.nickname}` }).locator('button[type="submit"]').click(),
		]);
		const chatUrl = A.page.url().replace(/[?#].*$/, '');
		const chatId = chatUrl.match(/\/chats\/(\d+)/)[1];
		await waitConnected(A.page);
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
