// The full browser walk: a new person registers, starts the first chat,
// makes a group (New chat) and adds a member by nickname, sends a photo and
// sees its thumbnail, reacts to a message and finds it by search — with
// JavaScript and without, in English and in Russian, on a phone (375 x 812)
// and a desktop (1280 x 800). Every page of the walk must load without a
// console error, a failed request or an error answer, and nothing may stick
// out of the viewport on the right. Every control has an accessible name.
// The walks with JavaScript in English take screenshots of the main pages in
// the light and the dark theme (build/screenshots/; `make screenshots` puts
// them into docs/screenshots/), after checking the text contrast (4.5:1) of
// each of them in both themes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
	BASE, RUN, ROOT, PHONE, DESKTOP, LIVE, launch, person, open, noProblems, photoFile,
	checkOverflow, checkContrast, checkNames, registerUI, registerAPI,
} from './webapp-lib.mjs';

const SHOTS = process.env.MESSLY_SCREENSHOTS || join(ROOT, 'build/screenshots');
const WALKERS = Number(process.env.MESSLY_WALKERS || 4);   // walks at the same time
// the pages of the gallery in README.md (the others are checked the same way)
const GALLERY = new Set(['login', 'chats', 'chat', 'group-info', 'files', 'search', 'settings']);

let browser;
before(async () => {
	browser = await launch();
	rmSync(SHOTS, { recursive: true, force: true });
	mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
	if (browser) await browser.close();
});

// Let colour transitions of a theme switch end before measuring.
async function settle(page) {
	await page.waitForTimeout(120);
	await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => {
		for (const a of document.getAnimations()) if (a instanceof CSSTransition) a.finish();
		requestAnimationFrame(r);
	})));
}

// The checks of every page of the walk; with shots, also the contrast in both
// themes and a screenshot in each.
async function look(w, name) {
	const { page } = w;
	await page.waitForLoadState('load');
	await checkOverflow(page, `${w.label} ${name}`);
	await checkNames(page, `${w.label} ${name}`);
	if (!w.shots) return;
	for (const scheme of ['light', 'dark']) {
		await page.emulateMedia({ colorScheme: scheme });
		await settle(page);
		await checkContrast(page, `${w.label} ${name} (${scheme})`);
		if (GALLERY.has(name)) await page.screenshot({ path: join(SHOTS, `${name}-${w.size}-${scheme}.png`) });
	}
	await page.emulateMedia({ colorScheme: 'light' });
}

async function navigate(page, action, url) {
	await Promise.all([page.waitForURL(url), action()]);
}

async function sendText(w, text) {
	const { page } = w;
	await page.fill('#composer-text', text);
	if (w.js) await page.press('#composer-text', 'Enter');
	else await navigate(page, () => page.click('#composer button[type="submit"]'), /\/chats\/\d+/);
	// the server's copy (id m-N), once
	const li = page.locator('#messages li.msg[id^="m-"]', { hasText: text });
	await li.waitFor({ timeout: LIVE });
	assert.equal(await li.count(), 1, `${w.label}: "${text}" once`);
	return li;
}

async function walk(w) {
	const { page } = w;
	const [b, c, d] = [person('wb'), person('wc'), person('wd')];
	await Promise.all([registerAPI(b), registerAPI(c), registerAPI(d)]);
	const a = person('wa');

	// the login page, in the walker's language
	await page.goto(`${BASE}/login`);
	if (w.lang === 'ru') {
		await navigate(page, () => page.click('form.lang-switch button[value="ru"]'), /\/login/);
	}
	assert.equal(await page.getAttribute('html', 'lang'), w.lang, `${w.label}: page language`);
	await look(w, 'login');

	// registration
	await registerUI(page, a);
	assert.equal(await page.getAttribute('html', 'lang'), w.lang, `${w.label}: language kept after sign-up`);
	await look(w, 'chats-empty');

	// the first chat: find the person, "Message", send
	await page.goto(`${BASE}/users?q=${b.nickname}`);
	await look(w, 'users');
	const row = page.locator('.user-item', { hasText: `@${b.nickname}` });
	await navigate(page, () => row.locator('form[action="/chats"] button[type="submit"]').click(), /\/chats\/\d+/);
	await sendText(w, `hello ${b.name} ${RUN}`);
	await look(w, 'direct-chat');

	// a group: New chat, a member by nickname, then one more from the group's page
	await page.goto(`${BASE}/chats`);
	await navigate(page, () => page.click('#new-chat'), /\/chats\/new/);
	await look(w, 'group-new');
	await page.fill('#group-name', `Walkers ${w.lang} ${RUN}`);
	await page.fill('#group-members', c.nickname);
	await navigate(page, () => page.click('form.group-form button[type="submit"]'), /\/chats\/\d+$/);
	const group = Number(new URL(page.url()).pathname.split('/')[2]);
	await navigate(page, () => page.click('#group-info-link'), new RegExp(`/chats/${group}/info`));
	await page.fill('#add-nickname', d.nickname);
	await navigate(page, () => page.click(`form[action="/chats/${group}/members"] button[type="submit"]`),
		new RegExp(`/chats/${group}/info`));
	await page.locator('main', { hasText: `@${d.nickname}` }).first().waitFor();
	await look(w, 'group-info');

	// the group chat: a message, a photo, a reaction
	await page.goto(`${BASE}/chats/${group}`);
	const word = `walkword${RUN}${w.n}`;
	const msg = await sendText(w, `the ${word} is here`);
	await page.setInputFiles('#attach-input', photoFile(`walk-${w.n}.jpg`));
	if (!w.js) {
		await page.fill('#attach-caption', `a photo ${RUN}`);
		await navigate(page, () => page.click('#attach button[type="submit"]'), /\/chats\/\d+/);
	}
	const thumb = page.locator('#messages li.msg[id^="m-"] .file-photo img');
	await thumb.first().waitFor({ timeout: LIVE });
	// the sent photo's element is replaced once (the live event after the
	// upload's answer): a detached element is looked up again
	for (let attempt = 1; ; attempt++) {
		try {
			await thumb.last().scrollIntoViewIfNeeded();
			await thumb.last().evaluate((img) => img.complete && img.naturalWidth > 0 ? true
				: new Promise((ok, fail) => { img.onload = () => ok(true); img.onerror = () => fail(new Error('thumbnail did not load')); }));
			break;
		} catch (e) {
			if (attempt >= 3 || !/not attached|detached/i.test(String(e && e.message))) throw e;
		}
	}
	// alternative text: the caption, else the file's name
	assert.equal(await thumb.last().getAttribute('alt'), w.js ? `walk-${w.n}.jpg` : `a photo ${RUN}`, `${w.label}: the photo's alternative text`);

	const msgId = (await msg.getAttribute('id')).slice(2);
	if (w.js) {
		const li = page.locator(`#m-${msgId}`);
		await li.hover();
		await li.locator('.msg-react-btn').click();
		await page.locator('.emoji-picker .emoji-choice').first().click();
	} else {
		await navigate(page, () => page.click(`#m-${msgId} .msg-more`), new RegExp(`/messages/${msgId}`));
		await look(w, 'message');
		await navigate(page, () => page.locator('.quick-reactions button[type="submit"]').first().click(), /./);
		await page.goto(`${BASE}/chats/${group}`);
	}
	await page.locator(`#m-${msgId} .reaction`).first().waitFor({ timeout: LIVE });
	await look(w, 'chat');

	// the group's files
	await page.goto(`${BASE}/chats/${group}/files`);
	await page.locator('.file-photo img').first().waitFor();
	await look(w, 'files');

	// search
	await page.goto(`${BASE}/search`);
	await page.fill('#search-q', word);
	await page.press('#search-q', 'Enter');
	await page.locator('.search-hit', { hasText: word }).first().waitFor({ timeout: LIVE });
	await look(w, 'search');

	// the chat list and the settings
	await page.goto(`${BASE}/chats`);
	const item = page.locator(`#chat-list li[data-chat="${group}"]`);
	await item.waitFor();
	// the preview is the newest message, also after a reaction took the chat's next seq
	assert.notEqual((await item.locator('.chat-preview').textContent()).trim(),
		await page.getAttribute('#chat-list', 'data-t-none'), `${w.label}: the group's last message in the list`);
	await look(w, 'chats');
	await page.goto(`${BASE}/settings/profile`);
	await look(w, 'settings');
	noProblems(page, w.label);
}

const walks = [];
let n = 0;
for (const js of [true, false]) for (const lang of ['en', 'ru']) for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
	n += 1;
	walks.push({ js, lang, size, viewport, n, shots: js && lang === 'en', label: `${js ? 'js' : 'no-js'} ${lang} ${size}` });
}

test('the walk: sign-up, first chat, group, photo, reaction, search; with and without JavaScript, en and ru, phone and desktop',
	{ timeout: 600000, concurrency: WALKERS }, async (t) => {
		let next = 0;
		async function worker() {
			while (next < walks.length) {
				const w = walks[next++];
				await t.test(w.label, { timeout: 300000 }, async () => {
					const { context, page } = await open(browser, { viewport: w.viewport, javaScriptEnabled: w.js, lang: w.lang });
					try {
						await walk({ ...w, page });
					} finally {
						await context.close();
					}
				});
			}
		}
		await Promise.all(Array.from({ length: WALKERS }, worker));
	});
