// Shared helpers of every browser test in tests/browser: the address of the
// stack, one run id, Debian's chromium launched once per file (useBrowser),
// test people (person), a context and page that record problems (open),
// registering and logging in through the forms, starting a direct chat from
// /users, waiting for the live connection, and finding a message in the
// list. The page checks of the web app tests live in webapp-lib.mjs.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE = (process.env.MESSLY_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const RUN = Date.now().toString(36).slice(-5) + Math.random().toString(36).slice(2, 5);
export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1280, height: 800 };
export const LIVE = 15000;

export function launch() {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
}

/* One chromium for the whole file: launched before the first test, closed
 * after the last. Returns a function giving it. */
export function useBrowser() {
	let browser;
	before(async () => { browser = await launch(); });
	after(async () => { if (browser) await browser.close(); });
	return () => browser;
}

/* A new person each call (a number keeps two calls with one tag apart);
 * `name` replaces the display name. */
let seq = 0;
export function person(tag, name) {
	seq += 1;
	const nickname = `${tag}${seq}_${RUN}`.toLowerCase().slice(0, 32);
	return { email: `${nickname}@example.test`, password: `pw-${RUN}-secret`, nickname, name: name || `${tag.toUpperCase()} ${RUN}` };
}

/* A context and a page that collect problems in page.problems. `watch`
 * says which:
 *   'pageerror': uncaught script errors only;
 *   'csp':       those and console errors about the Content Security Policy;
 *   'all':       uncaught script errors, every console error, failed
 *                requests and answers of 400 and above, unless the request
 *                matches one of page.expected (regular expressions on
 *                "METHOD URL STATUS").
 * colorScheme and reducedMotion are left to chromium unless given. */
export async function open(browser, {
	viewport = DESKTOP, javaScriptEnabled = true, locale = 'en-US', colorScheme, reducedMotion, watch = 'csp',
} = {}) {
	const context = await browser.newContext({
		viewport, javaScriptEnabled, locale,
		...(colorScheme ? { colorScheme } : {}),
		...(reducedMotion ? { reducedMotion } : {}),
	});
	const page = await context.newPage();
	page.setDefaultTimeout(20000);
	page.problems = [];
	page.expected = [];
	page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
	if (watch === 'csp') {
		page.on('console', (m) => {
			if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) page.problems.push(`csp: ${m.text()}`);
		});
	} else if (watch === 'all') {
		watchAll(page);
	}
	return { context, page };
}

function watchAll(page) {
	const allowed = (s) => page.expected.some((re) => re.test(s));
	page.on('console', (m) => {
		if (m.type() === 'error' && !allowed(`console ${m.text()}`)) page.problems.push(`console error: ${m.text()} (${page.url()})`);
	});
	page.on('requestfailed', (r) => {
		const what = `${r.method()} ${r.url()} failed ${r.failure()?.errorText || ''}`;
		// a navigation away cancels the page's pending requests (live socket, images)
		if (/ERR_ABORTED/.test(what) || allowed(what)) return;
		page.problems.push(what);
	});
	page.on('response', (r) => {
		const what = `${r.request().method()} ${r.url()} ${r.status()}`;
		if (r.status() >= 400 && !allowed(what)) page.problems.push(`answer: ${what}`);
	});
}

/* Registers `u` (a person()) through the form; lands on the chat list. */
export async function register(page, u) {
	await page.goto(`${BASE}/register`);
	await page.fill('#email', u.email);
	await page.fill('#password', u.password);
	await page.fill('#nickname', u.nickname);
	await page.fill('#name', u.name);
	await Promise.all([
		page.waitForURL(/\/chats(\/|$|\?)/),
		page.click('form[action="/register"] button[type="submit"]'),
	]);
}

/* Logs in through the form as `u`: a person(), or a user made by
 * ../api/lib.mjs register() (nickname in u.user). */
export async function login(page, u) {
	await page.goto(`${BASE}/login`);
	await page.fill('#login', u.nickname ?? u.user.nickname);
	await page.fill('#password', u.password);
	await Promise.all([page.waitForURL(/\/chats/), page.click('form[action="/login"] button[type="submit"]')]);
}

/* Opens /users?q=nickname and presses "Message" next to that person; returns
 * the id of the chat it lands on. */
export async function startChat(page, nickname) {
	await page.goto(`${BASE}/users?q=${nickname}`);
	const row = page.locator('.user-item', { hasText: `@${nickname}` });
	await Promise.all([page.waitForURL(/\/chats\/\d+/), row.locator('button[type="submit"]').click()]);
	return Number(new URL(page.url()).pathname.split('/')[2]);
}

/* Two new people, each registered in a page of their own (open() options
 * as given); A starts a direct chat with B and waits for the live
 * connection. Closes both contexts when a step fails; otherwise the caller
 * does. */
export async function chatPair(browser, tagA, tagB, options) {
	const a = person(tagA);
	const b = person(tagB);
	const A = await open(browser, options);
	const B = await open(browser, options);
	try {
		await register(A.page, a);
		await register(B.page, b);
		const chatId = await startChat(A.page, b.nickname);
		const chatUrl = A.page.url().replace(/[?#].*$/, '');
		await waitConnected(A.page);
		return { a, b, A, B, chatId, chatUrl };
	} catch (e) {
		await A.context.close();
		await B.context.close();
		throw e;
	}
}

/* The page's live connection (static/app.js) is up. */
export async function waitConnected(page) {
	await page.waitForFunction(() => window.messly?.state?.connected === true, null, { timeout: LIVE });
}

export const msg = (page, text) => page.locator('#messages li.msg', { hasText: text });

export function noProblems(page, what) {
	assert.deepEqual(page.problems, [], `${what}: console errors, failed requests or error answers`);
}
