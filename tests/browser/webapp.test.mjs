// The web app beyond the walk (walk.test.mjs): installable (manifest, icons,
// offline banner, reconnect indicator), keyboard use (arrows and Home/End in
// the chat list, Alt+Up/Down between chats, Esc closing menus and the emoji
// picker, arrows in the picker, visible focus), contrast under the theme
// chosen in the settings against the system's, and progressive enhancement
// (a script error changes nothing for the plain forms; no inline scripts,
// no third-party requests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	BASE, ORIGIN, ROOT, PHONE, DESKTOP, LIVE, person, open, noProblems,
	checkContrast, checkNames, checkOverflow, registerAPI,
} from './webapp-lib.mjs';
import { useBrowser, login, waitConnected as connected } from './lib.mjs';

const browser = useBrowser();

const catalog = (lang) => Object.fromEntries(readFileSync(join(ROOT, `templates/i18n/${lang}.txt`), 'utf8')
	.split('\n').filter((l) => /^[a-z0-9_.]+ = /.test(l)).map((l) => [l.slice(0, l.indexOf(' = ')), l.slice(l.indexOf(' = ') + 3)]));
const EN = catalog('en');
const RU = catalog('ru');

async function apiAs(token, method, path, body) {
	const r = await fetch(BASE + path, {
		method,
		headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const json = await r.json().catch(() => null);
	assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
	return json;
}

// A person with direct chats with n others (each with one message, so the
// list's order is the order made: the last one on top).
async function withChats(n) {
	const a = person('ka');
	const ra = await registerAPI(a);
	const chats = [];
	for (let i = 0; i < n; i++) {
		const p = person('kp');
		await registerAPI(p);
		const { chat } = await apiAs(ra.token, 'POST', '/api/chats', { kind: 'direct', nickname: p.nickname });
		await apiAs(ra.token, 'POST', `/api/chats/${chat.id}/messages`, { text: `hello ${i}`, client_id: `k-${a.nickname}-${i}` });
		chats.push(chat.id);
	}
	return { a, token: ra.token, chats };
}


function pngSize(buf) {
	assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
	return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

test('installable: the manifest (its own type), its icons, linked from every page', async () => {
	const r = await fetch(`${BASE}/static/manifest.webmanifest`);
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type') || '', /^application\/manifest\+json/);
	assert.equal(r.headers.get('x-content-type-options'), 'nosniff', 'the security headers are kept');
	const m = await r.json();
	assert.equal(m.start_url, '/chats');
	assert.equal(m.display, 'standalone');
	assert.match(m.theme_color, /^#[0-9a-f]{6}$/i);
	assert.match(m.background_color, /^#[0-9a-f]{6}$/i);
	const want = new Set(['any 192x192', 'any 512x512', 'maskable 192x192', 'maskable 512x512']);
	for (const icon of m.icons) {
		const ir = await fetch(new URL(icon.src, BASE));
		assert.equal(ir.status, 200, icon.src);
		assert.equal(ir.headers.get('content-type'), icon.type, `${icon.src}: type`);
		const body = Buffer.from(await ir.arrayBuffer());
		if (icon.type === 'image/png') {
			const [w, h] = pngSize(body);
			assert.equal(`${w}x${h}`, icon.sizes, `${icon.src}: size`);
			want.delete(`${icon.purpose} ${icon.sizes}`);
		} else {
			assert.match(body.toString('utf8'), /^<svg /);
		}
	}
	assert.deepEqual([...want], [], 'PNG icons of 192 and 512, plain and maskable');

	const { page, context } = await open(browser());
	try {
		const { a } = await withChats(1);
		for (const path of ['/login', '/register']) {
			await page.goto(BASE + path);
			assert.equal(await page.getAttribute('link[rel="manifest"]', 'href'), '/static/manifest.webmanifest', path);
			assert.ok(await page.locator('meta[name="theme-color"]').count() > 0, `${path}: theme colour`);
			assert.ok(await page.locator('link[rel="icon"][type="image/svg+xml"]').count() === 1, `${path}: SVG icon`);
		}
		await login(page, a);
		for (const path of ['/chats', '/settings/profile', '/search', '/users']) {
			await page.goto(BASE + path);
			assert.equal(await page.getAttribute('link[rel="manifest"]', 'href'), '/static/manifest.webmanifest', path);
		}
		noProblems(page, 'manifest pages');
	} finally {
		await context.close();
	}
});

test('the offline banner and the reconnect indicator, in both languages', { timeout: 90000 }, async () => {
	for (const [lang, T, viewport] of [['en', EN, PHONE], ['ru', RU, DESKTOP]]) {
		const { chats, a } = await withChats(1);
		const { page, context } = await open(browser(), { viewport, lang });
		try {
			await context.addCookies([{ name: 'messly_lang', value: lang, url: BASE }]);
			let refuse = false;
			let current = null;
			await page.routeWebSocket(/\/connect$/, (ws) => {
				if (refuse) return ws.close({ code: 1011, reason: 'down' });
				current = ws;
				const server = ws.connectToServer();
				server.onMessage((m) => ws.send(m));
				ws.onMessage((m) => server.send(m));
			});
			await login(page, a);
			await page.goto(`${BASE}/chats/${chats[0]}`);
			await connected(page);
			const bar = page.locator('#netbar');
			assert.equal(await bar.isVisible(), false, 'no banner while all is well');

			// the browser goes offline: the banner says so; back online: it goes
			page.expected.push(/failed net::ERR_INTERNET_DISCONNECTED/);
			await context.setOffline(true);
			await bar.waitFor({ state: 'visible' });
			assert.equal(await bar.textContent(), T['net.offline']);
			assert.equal(await bar.getAttribute('role'), 'status');
			await checkOverflow(page, `${lang} offline banner`);
			await context.setOffline(false);
			await page.waitForFunction(() => !document.querySelector('#netbar').classList.contains('netbar-offline'));

			// the live connection drops and stays down: the indicator shows (in
			// the top bar; on a phone with a chat open, where the top bar is
			// hidden, in the network bar); once it is back, "connected again"
			await connected(page);
			refuse = true;
			await current.close({ code: 1001, reason: 'going away' });
			const conn = page.locator('#conn');
			const indicator = viewport === PHONE ? page.locator('#netbar.netbar-reconnecting') : conn;
			await indicator.waitFor({ state: 'visible', timeout: LIVE });
			assert.equal((await indicator.textContent()).trim(), T['conn.connecting']);
			await checkOverflow(page, `${lang} reconnect indicator`);
			refuse = false;
			await connected(page);
			await page.locator('#netbar.netbar-back').waitFor({ state: 'visible', timeout: LIVE });
			assert.equal(await bar.textContent(), T['net.back']);
			assert.equal(await conn.isVisible(), false, 'the indicator is gone');
			await bar.waitFor({ state: 'hidden', timeout: 10000 });
			noProblems(page, `${lang} network bar`);
		} finally {
			await context.close();
		}
	}
});

test('keyboard: arrows and Home/End in the chat list, Alt+Up/Down switch chats, Esc closes the menu', { timeout: 90000 }, async () => {
	const { a, chats } = await withChats(3);
	const { page, context } = await open(browser());
	try {
		await login(page, a);
		// the list, newest first
		await page.goto(`${BASE}/chats`);
		const order = await page.$$eval('#chat-list li.chat-item', (els) => els.map((e) => Number(e.dataset.chat)));
		for (const id of chats) assert.ok(order.includes(id), `chat ${id} listed`);
		const focused = () => page.evaluate(() => Number(document.activeElement.closest('li.chat-item')?.dataset.chat || 0));
		await page.focus('#chat-list li.chat-item:first-child .chat-link');
		await page.keyboard.press('ArrowDown');
		assert.equal(await focused(), order[1], 'ArrowDown: the next chat');
		await page.keyboard.press('ArrowUp');
		assert.equal(await focused(), order[0], 'ArrowUp: the previous chat');
		await page.keyboard.press('End');
		assert.equal(await focused(), order[order.length - 1], 'End: the last chat');
		await page.keyboard.press('Home');
		assert.equal(await focused(), order[0], 'Home: the first chat');
		await Promise.all([page.waitForURL(new RegExp(`/chats/${order[0]}$`)), page.keyboard.press('Enter')]);

		// Alt+Down / Alt+Up from an open chat, even while typing
		await page.focus('#composer-text');
		await Promise.all([page.waitForURL(new RegExp(`/chats/${order[1]}$`)), page.keyboard.press('Alt+ArrowDown')]);
		assert.equal(await page.getAttribute('#chat-list li.chat-item.active', 'data-chat'), String(order[1]));
		await Promise.all([page.waitForURL(new RegExp(`/chats/${order[0]}$`)), page.keyboard.press('Alt+ArrowUp')]);
		// at the top, Alt+Up stays
		await page.keyboard.press('Alt+ArrowUp');
		await page.waitForTimeout(300);
		assert.match(page.url(), new RegExp(`/chats/${order[0]}$`));

		// Esc closes the notifications menu and gives the focus back to its button
		const summary = page.locator('details.notify-menu > summary');
		await summary.focus();
		await page.keyboard.press('Enter');
		assert.equal(await page.getAttribute('details.notify-menu', 'open'), '');
		await page.keyboard.press('Tab');
		await page.keyboard.press('Escape');
		assert.equal(await page.getAttribute('details.notify-menu', 'open'), null, 'Esc closes the menu');
		assert.ok(await summary.evaluate((s) => s === document.activeElement), 'the focus is back on the menu button');

		// the first Tab reaches the skip link; focus is visible on every control
		await page.goto(`${BASE}/chats/${order[0]}`);
		await page.keyboard.press('Tab');
		assert.ok(await page.evaluate(() => document.activeElement.classList.contains('skip-link')), 'skip link first');
		for (let i = 0; i < 14; i++) {
			const ring = await page.evaluate(() => {
				const el = document.activeElement;
				const s = getComputedStyle(el);
				const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
				return { what: el.outerHTML.slice(0, 80), ok: outline || (s.boxShadow !== 'none' && s.boxShadow !== '') };
			});
			assert.ok(ring.ok, `visible focus on ${ring.what}`);
			await page.keyboard.press('Tab');
		}
		noProblems(page, 'keyboard');
	} finally {
		await context.close();
	}
});

test('keyboard: the emoji picker opens from the react button, arrows move, Enter picks, Esc closes and returns the focus', { timeout: 60000 }, async () => {
	const { a, chats } = await withChats(1);
	const { page, context } = await open(browser());
	try {
		await login(page, a);
		await page.goto(`${BASE}/chats/${chats[0]}`);
		const li = page.locator('#messages li.msg[id^="m-"]').first();
		const react = li.locator('.msg-react-btn');
		await react.focus();
		await page.keyboard.press('Enter');
		const picker = page.locator('.emoji-picker');
		await picker.waitFor();
		assert.equal(await picker.getAttribute('role'), 'dialog');
		assert.ok((await picker.getAttribute('aria-label') || '').length > 0, 'the dialog has a name');
		assert.ok(await page.evaluate(() => document.activeElement.classList.contains('emoji-search')), 'the search field has the focus');
		const index = () => page.evaluate(() => [...document.querySelectorAll('.emoji-picker .emoji-choice')].indexOf(document.activeElement));
		await page.keyboard.press('ArrowDown');
		assert.equal(await index(), 0, 'ArrowDown from the search: the first emoji');
		await page.keyboard.press('ArrowRight');
		assert.equal(await index(), 1);
		const cols = await page.evaluate(() => {
			const b = [...document.querySelectorAll('.emoji-picker .emoji-choice')];
			return b.filter((x) => x.offsetTop === b[0].offsetTop).length;
		});
		assert.ok(cols > 1, 'a grid');
		await page.keyboard.press('ArrowDown');
		assert.equal(await index(), 1 + cols, 'ArrowDown: one row down');
		await page.keyboard.press('ArrowLeft');
		await page.keyboard.press('ArrowUp');
		assert.equal(await index(), 0, 'ArrowLeft, ArrowUp');
		await page.keyboard.press('ArrowUp');
		assert.ok(await page.evaluate(() => document.activeElement.classList.contains('emoji-search')), 'ArrowUp from the first row: the search');
		await page.keyboard.press('Escape');
		assert.equal(await picker.count(), 0, 'Esc closes the picker');
		assert.ok(await react.evaluate((b) => b === document.activeElement), 'the focus is back on the react button');

		// Enter on an emoji reacts
		await react.focus();
		await page.keyboard.press('Enter');
		await picker.waitFor();
		await page.keyboard.press('ArrowDown');
		const emoji = await page.evaluate(() => document.activeElement.getAttribute('data-emoji'));
		await page.keyboard.press('Enter');
		await li.locator(`.reaction[data-emoji="${emoji}"]`).waitFor({ timeout: LIVE });
		// the live update replaced the message: the focus is on its react button again
		await page.waitForFunction(() => document.activeElement?.classList.contains('msg-react-btn'), null, { timeout: 5000 });
		assert.ok(await react.evaluate((b) => b === document.activeElement), 'after the pick the focus is back on the react button');
		await checkNames(page, 'chat with a reaction');
		noProblems(page, 'emoji picker');
	} finally {
		await context.close();
	}
});

test('contrast under the theme chosen in the settings, against the system colour scheme', { timeout: 90000 }, async () => {
	const { a, chats } = await withChats(2);
	for (const [theme, system] of [['dark', 'light'], ['light', 'dark']]) {
		const { page, context } = await open(browser(), { colorScheme: system });
		try {
			await login(page, a);
			await page.goto(`${BASE}/settings/preferences`);
			await page.check(`input[name="theme"][value="${theme}"]`);
			await Promise.all([page.waitForURL(/\/settings\/preferences/), page.click('form[action="/settings/preferences"] button[type="submit"]')]);
			assert.equal(await page.getAttribute('html', 'data-theme'), theme);
			for (const [path, size] of [[`/chats/${chats[0]}`, DESKTOP], ['/chats', PHONE], [`/chats/${chats[1]}`, PHONE], ['/settings/preferences', DESKTOP], ['/search?q=hello', DESKTOP]]) {
				await page.setViewportSize(size);
				await page.goto(BASE + path);
				await page.waitForTimeout(150);
				await checkContrast(page, `${theme} theme on a ${system} system: ${path} at ${size.width}px`);
			}
			noProblems(page, `${theme} theme`);
		} finally {
			await context.close();
		}
	}
});

// Every page's own scripts break at once: the plain path still works.
function breakScripts(page, which) {
	return page.route(which, async (route) => {
		try {
			const r = await route.fetch();
			const body = await r.text();
			await route.fulfill({ response: r, body: `throw new Error("injected failure");\n${body}` });
		} catch (e) {
			// a script still loading when the test closes its context: nothing to break any more
			if (!page.isClosed() && !/disposed|closed/i.test(String(e))) throw e;
		}
	});
}

for (const [what, pattern] of [['app.js', '**/static/app.js'], ['every script', '**/static/*.js']]) {
	test(`progressive enhancement: with ${what} failing, every main page loads and a message is sent`, { timeout: 90000 }, async () => {
		const { a, chats } = await withChats(1);
		const { page, context } = await open(browser(), { viewport: PHONE });
		try {
			const errors = [];
			page.on('pageerror', (e) => errors.push(e.message));
			page.expected.push(/injected failure/);
			await login(page, a);
			await breakScripts(page, pattern);
			for (const path of ['/chats', `/chats/${chats[0]}/files`, '/search?q=hello', '/users?q=kp', '/settings/profile', '/settings/preferences', '/chats/new']) {
				await page.goto(BASE + path);
				assert.ok(await page.locator('main h1, main h2').first().isVisible(), `${path}: the page shows`);
			}
			await page.goto(`${BASE}/chats/${chats[0]}`);
			const text = `sent past a broken script ${Date.now()}`;
			await page.fill('#composer-text', text);
			await Promise.all([page.waitForURL(new RegExp(`/chats/${chats[0]}`)), page.click('#composer button[type="submit"]')]);
			await page.locator('#messages li.msg[id^="m-"]', { hasText: text }).waitFor();
			assert.equal(await page.locator('#messages li.msg', { hasText: text }).count(), 1);
			assert.ok(errors.length > 0 && errors.every((m) => /injected failure/.test(m)), `only the injected errors: ${errors}`);
			page.problems = page.problems.filter((p) => !/injected failure/.test(p));
			noProblems(page, `with ${what} failing`);
		} finally {
			await context.close();
		}
	});
}

test('no inline scripts, no inline handlers, every request to our own origin', { timeout: 90000 }, async () => {
	const { a, chats } = await withChats(1);
	const { page, context } = await open(browser());
	try {
		const foreign = [];
		page.on('request', (r) => {
			const u = r.url();
			if (!/^(data|blob):/.test(u) && new URL(u).origin !== ORIGIN && new URL(u).origin !== ORIGIN.replace(/^http/, 'ws')) foreign.push(u);
		});
		const csp = [];
		page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
		await page.goto(`${BASE}/login`);
		await page.goto(`${BASE}/register`);
		await login(page, a);
		const pages = ['/chats', `/chats/${chats[0]}`, `/chats/${chats[0]}/files`, '/chats/new', '/search?q=hello', '/users?q=kp',
			'/settings/profile', '/settings/preferences', '/settings/account', '/settings/privacy', `/u/${a.nickname}`];
		for (const path of pages) {
			const r = await page.goto(BASE + path);
			const html = await r.text();
			const inline = [...html.matchAll(/<script\b([^>]*)>/gi)].filter((m) => !/\bsrc=/.test(m[1]));
			assert.deepEqual(inline.map((m) => m[0]), [], `${path}: no inline <script>`);
			assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${path}: no inline event handler`);
			assert.doesNotMatch(html, /(src|href)="(https?:)?\/\/(?!127\.0\.0\.1)/i, `${path}: no third-party URL`);
			await page.waitForLoadState('load');
		}
		// the emoji picker's data and the icons come from us too
		await page.goto(`${BASE}/chats/${chats[0]}`);
		await page.locator('#messages .msg-react-btn').first().click();
		await page.locator('.emoji-picker .emoji-choice').first().waitFor();
		assert.deepEqual(foreign, [], 'every request goes to Messly');
		assert.deepEqual(csp, [], 'no CSP violation');
		noProblems(page, 'own origin');
	} finally {
		await context.close();
	}
});
