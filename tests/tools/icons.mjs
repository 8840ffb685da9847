// Renders the app icons (static/icons/*.svg) to the PNG sizes the web app
// manifest names, with Debian's chromium: node tests/tools/icons.mjs
// The PNGs are committed; run this again only when an SVG changes.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../static/icons/', import.meta.url));
const jobs = [
	['icon.svg', 192, 'icon-192.png'],
	['icon.svg', 512, 'icon-512.png'],
	['maskable.svg', 192, 'maskable-192.png'],
	['maskable.svg', 512, 'maskable-512.png'],
	['icon.svg', 180, 'apple-touch-icon.png'],
];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
	for (const [svg, size, out] of jobs) {
		const page = await browser.newPage({ viewport: { width: size, height: size } });
		const src = 'data:image/svg+xml;base64,' + readFileSync(dir + svg).toString('base64');
		await page.setContent(`<style>html,body{margin:0;background:transparent}</style><img src="${src}" width="${size}" height="${size}">`);
		await page.locator('img').screenshot({ path: dir + out, omitBackground: true });
		await page.close();
	}
} finally {
	await browser.close();
}
