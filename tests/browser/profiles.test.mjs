// Browser tests for profiles and settings: finding people as you type, the
// theme preference against the system's colour scheme, blocking from a
// profile with the confirmation, and the same pages without JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, RUN, useBrowser, person, open as openPage, register } from './lib.mjs';

const browser = useBrowser();
const open = ({ javaScriptEnabled = true, colorScheme = 'light' } = {}) => openPage(browser(), { javaScriptEnabled, colorScheme });

const background = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test('finding people as you type, by a word of the name with ё as е', { timeout: 90000 }, async () => {
	const tag = RUN.replace(/[0-9]/g, 'x');
	const target = person('ft', `Фёдор Ёжиков${tag}`);
	const a = await open();
	const b = await open();
	try {
		await register(a.page, target);
		await register(b.page, person('fs'));
		await b.page.goto(`${BASE}/users`);
		await b.page.locator('#q').pressSequentially(`ежиков${tag}`, { delay: 20 });
		// no Enter: the results come as you type
		const row = b.page.locator('#user-results .user-item', { hasText: `@${target.nickname}` });
		await row.waitFor();
		assert.equal(await b.page.locator('#user-results .user-item').count(), 1);
		assert.match(b.page.url(), /\/users\?q=/, 'the address follows the query');
		// the result links to the profile, which offers "Message"
		await Promise.all([b.page.waitForURL(new RegExp(`/u/${target.nickname}$`)), row.locator('a.user-link').click()]);
		assert.equal(await b.page.locator('h1#profile-name').textContent(), target.name);
		await Promise.all([b.page.waitForURL(/\/chats\/\d+/), b.page.click('.profile-actions form[action="/chats"] button')]);
		assert.deepEqual(b.page.problems, []);
	} finally {
		await a.context.close();
		await b.context.close();
	}
});

test('the theme preference wins over the system colour scheme; "system" follows it', { timeout: 90000 }, async () => {
	const u = person('th');
	const light = await open({ colorScheme: 'light' });
	try {
		await register(light.page, u);
		await light.page.goto(`${BASE}/settings/preferences`);
		const lightBg = await background(light.page);
		assert.equal(lightBg, 'rgb(244, 246, 251)');
		await light.page.check('input[name="theme"][value="dark"]');
		await Promise.all([light.page.waitForURL(/saved=1/), light.page.click('form[action="/settings/preferences"] button[type="submit"]')]);
		assert.equal(await light.page.getAttribute('html', 'data-theme'), 'dark');
		assert.equal(await background(light.page), 'rgb(18, 21, 28)', 'dark although the system is light');
		// a dark system with the light theme chosen stays light
		const cookies = await light.context.cookies();
		const dark = await open({ colorScheme: 'dark' });
		try {
			await dark.context.addCookies(cookies);
			await dark.page.goto(`${BASE}/settings/preferences`);
			assert.equal(await background(dark.page), 'rgb(18, 21, 28)');
			await dark.page.check('input[name="theme"][value="light"]');
			await Promise.all([dark.page.waitForURL(/saved=1/), dark.page.click('form[action="/settings/preferences"] button[type="submit"]')]);
			assert.equal(await background(dark.page), 'rgb(244, 246, 251)', 'light although the system is dark');
			await dark.page.check('input[name="theme"][value="system"]');
			await Promise.all([dark.page.waitForURL(/saved=1/), dark.page.click('form[action="/settings/preferences"] button[type="submit"]')]);
			assert.equal(await background(dark.page), 'rgb(18, 21, 28)', 'system: follows the dark system');
			assert.deepEqual(dark.page.problems, []);
		} finally {
			await dark.context.close();
		}
	} finally {
		await light.context.close();
	}
});

test('blocking from a profile asks first; the blocked person is told in the chat', { timeout: 90000 }, async () => {
	const ua = person('ba');
	const ub = person('bb');
	const a = await open();
	const b = await open();
	try {
		await register(a.page, ua);
		await register(b.page, ub);
		// b starts a chat with a
		await b.page.goto(`${BASE}/u/${ua.nickname}`);
		await Promise.all([b.page.waitForURL(/\/chats\/\d+/), b.page.click('.profile-actions form[action="/chats"] button')]);
		const chatUrl = b.page.url();
		// a: dismissing the confirmation blocks nobody
		await a.page.goto(`${BASE}/u/${ub.nickname}`);
		a.page.once('dialog', (d) => d.dismiss());
		await a.page.click('form.block-form button');
		await a.page.waitForTimeout(300);
		assert.equal(await a.page.locator('form[action$="/unblock"]').count(), 0);
		// accepting it blocks
		a.page.once('dialog', (d) => d.accept());
		await Promise.all([a.page.waitForLoadState('load'), a.page.click('form.block-form button')]);
		await a.page.locator('form[action$="/unblock"]').waitFor();
		// b is told, and has no composer
		await b.page.goto(chatUrl);
		await b.page.locator('.composer-blocked').waitFor();
		assert.equal(await b.page.locator('#composer').count(), 0);
		assert.deepEqual([...a.page.problems, ...b.page.problems], []);
	} finally {
		await a.context.close();
		await b.context.close();
	}
});

test('settings without JavaScript: change the name, see it in the top bar', { timeout: 60000 }, async () => {
	const u = person('nj');
	const { context, page } = await open({ javaScriptEnabled: false });
	try {
		await register(page, u);
		await page.click('a.me');
		await page.waitForURL(/\/settings\/profile$/);
		await page.fill('#name', `Renamed ${RUN}`);
		await page.fill('#about', 'Visit https://example.com');
		await Promise.all([page.waitForURL(/saved=1/), page.click('form[action="/settings/profile"] button[type="submit"]')]);
		assert.equal((await page.locator('.me-name').textContent()).trim(), `Renamed ${RUN}`);
		await page.goto(`${BASE}/u/${u.nickname}`);
		assert.equal(await page.getAttribute('.profile-about a', 'href'), 'https://example.com');
	} finally {
		await context.close();
	}
});
