// Browser test: A drops a photo onto the chat; B, with the chat open in
// another browser, sees the thumbnail appear live, opens it in the
// lightbox, and A's avatar change reaches B's open page live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	BASE, RUN, LIVE, useBrowser, person, open as openPage, register as registerForm, startChat,
	waitConnected as connected,
} from './lib.mjs';
import { TOOLS } from './webapp-lib.mjs';

const browser = useBrowser();
const open = () => openPage(browser());

function photo(w, h) {
	const p = join(mkdtempSync(join(tmpdir(), 'messly-b-')), 'p.jpg');
	execFileSync(join(TOOLS, 'mkimage'), ['jpeg', p, String(w), String(h), '--orient', '6', '--gps']);
	return readFileSync(p).toString('base64');
}

// Registers a new person with this tag; returns the nickname.
async function register(page, tag) {
	const u = person(tag);
	await registerForm(page, u);
	return u.nickname;
}

test('a photo dropped onto the chat appears live in the other browser', { timeout: 180000 }, async () => {
	const A = await open();
	const B = await open();
	try {
		await register(A.page, 'da');
		const bNick = await register(B.page, 'db');
		const chatId = await startChat(A.page, bNick);
		await B.page.goto(`${BASE}/chats/${chatId}`);
		await connected(A.page);
		await connected(B.page);

		// drag and drop: a real File in a DataTransfer, dropped on the chat
		const data = photo(1200, 900);
		await A.page.evaluate((b64) => {
			const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
			const dt = new DataTransfer();
			dt.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
			const zone = document.querySelector('.chat');
			zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
			zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
			zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
		}, data);

		// B sees the thumbnail live: portrait (EXIF orientation 6), 240 x 320
		const thumb = B.page.locator('#messages li.msg .file-photo img');
		await thumb.waitFor({ timeout: LIVE });
		assert.match(await thumb.getAttribute('src'), /^\/files\/\d+\/thumb$/);
		assert.equal(await thumb.getAttribute('width'), '240');
		assert.equal(await thumb.getAttribute('height'), '320');
		await B.page.waitForFunction(() => {
			const img = document.querySelector('#messages .file-photo img');
			return img && img.complete && img.naturalWidth === 240;
		}, null, { timeout: LIVE });
		// A sees it once, and the upload list is empty again
		await A.page.locator('#messages .file-photo img').waitFor({ timeout: LIVE });
		assert.equal(await A.page.locator('#messages .file-photo').count(), 1);
		assert.equal(await A.page.locator('#uploads li').count(), 0);

		// the lightbox: the large view and a link to the original
		await B.page.click('#messages .file-photo');
		const big = B.page.locator('.lightbox .lightbox-img');
		await big.waitFor();
		assert.match(await big.getAttribute('src'), /^\/files\/\d+\/view$/);
		assert.match(await B.page.getAttribute('.lightbox-original', 'href'), /^\/files\/\d+\/dropped\.jpg$/);
		await B.page.keyboard.press('Escape');
		assert.equal(await B.page.locator('.lightbox').count(), 0);

		// an avatar change reaches B's open page live (chat head and list)
		await A.page.goto(`${BASE}/settings/avatar`);
		const p = join(mkdtempSync(join(tmpdir(), 'messly-b-')), 'a.png');
		execFileSync(join(TOOLS, 'mkimage'), ['png', p, '300', '300']);
		await A.page.setInputFiles('#avatar', p);
		await Promise.all([A.page.waitForURL(/\/settings\/avatar$/), A.page.click('.avatar-form button[type="submit"]')]);
		await B.page.locator('.chat-head .avatar img.avatar-img').waitFor({ timeout: LIVE });
		await B.page.locator(`#chat-list .avatar img.avatar-img`).waitFor({ timeout: LIVE });
		assert.deepEqual(A.page.problems, []);
		assert.deepEqual(B.page.problems, []);
	} finally {
		await A.context.close();
		await B.context.close();
	}
});

test('without JavaScript: the file form sends, the photo links to its page', { timeout: 120000 }, async () => {
	const context = await browser().newContext({ javaScriptEnabled: false, locale: 'en-US' });
	const page = await context.newPage();
	try {
		await register(page, 'dn');
		const peer = await open();
		const peerNick = await register(peer.page, 'dp');
		await peer.context.close();
		await startChat(page, peerNick);
		const p = join(mkdtempSync(join(tmpdir(), 'messly-b-')), 'n.png');
		execFileSync(join(TOOLS, 'mkimage'), ['png', p, '400', '300']);
		await page.setInputFiles('#attach-input', p);
		await page.fill('#attach-caption', `caption ${RUN}`);
		await Promise.all([page.waitForURL(/\/chats\/\d+/), page.click('.attach-send')]);
		const link = page.locator('#messages .file-photo');
		await link.waitFor();
		assert.ok((await page.textContent('#messages')).includes(`caption ${RUN}`));
		await Promise.all([page.waitForURL(/\/files\/\d+$/), link.click()]);
		assert.match(await page.getAttribute('.file-view', 'src'), /^\/files\/\d+\/view$/);
	} finally {
		await context.close();
	}
});
