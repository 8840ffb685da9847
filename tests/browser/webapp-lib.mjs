// Shared helpers of the web app's browser tests (walk.test.mjs, webapp.test.mjs),
// on top of lib.mjs (which it re-exports in part): pages that record every
// problem (console errors, script errors, failed requests, 4xx/5xx answers),
// a test photo, and the page checks (horizontal overflow, contrast of text,
// accessible names of controls).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, DESKTOP, open as openPage } from './lib.mjs';

export { BASE, RUN, PHONE, DESKTOP, LIVE, launch, person, noProblems, register as registerUI } from './lib.mjs';
export const ORIGIN = new URL(BASE).origin;
export const ROOT = new URL('../..', import.meta.url).pathname;
export const TOOLS = process.env.MESSLY_TOOLS || join(ROOT, 'build/test/tools');

/* A page of the web app tests: motion reduced, the light scheme unless
 * told, and every problem recorded (lib.mjs open, watch 'all'). */
export function open(browser, { viewport = DESKTOP, javaScriptEnabled = true, colorScheme = 'light', lang = 'en' } = {}) {
	return openPage(browser, {
		viewport, javaScriptEnabled, colorScheme, reducedMotion: 'reduce',
		locale: lang === 'ru' ? 'ru-RU' : 'en-US', watch: 'all',
	});
}

/* A photo made by tests/tools/mkimage (make tools). */
export function photoFile(name = 'photo.jpg', w = 800, h = 600) {
	const p = join(mkdtempSync(join(tmpdir(), 'messly-w-')), name);
	execFileSync(join(TOOLS, 'mkimage'), ['jpeg', p, String(w), String(h)]);
	return p;
}

/* Nothing wider than the viewport: the document does not scroll sideways and
 * no visible element reaches past the right edge (unless an ancestor that
 * clips or scrolls holds it). */
export async function checkOverflow(page, what) {
	const found = await page.evaluate(() => {
		const vw = window.innerWidth;
		const out = [];
		const se = document.scrollingElement || document.documentElement;
		if (se.scrollWidth > vw) out.push(`document scrollWidth ${se.scrollWidth} > ${vw}`);
		const clips = (el) => {
			const s = getComputedStyle(el);
			return s.overflowX !== 'visible' || s.contain.includes('paint');
		};
		for (const el of document.body.querySelectorAll('*')) {
			const r = el.getBoundingClientRect();
			if (r.width === 0 || r.height === 0 || r.right <= vw + 1) continue;
			if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) continue;
			const s = getComputedStyle(el);
			if (s.visibility === 'hidden' || s.display === 'none' || s.position === 'fixed' && r.left >= vw) continue;
			let held = false;
			for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
				if (clips(p) && p.getBoundingClientRect().right <= vw + 1) { held = true; break; }
			}
			if (held) continue;
			const id = el.id ? `#${el.id}` : '';
			const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
			out.push(`${el.tagName.toLowerCase()}${id}${cls} right edge ${Math.round(r.right)} > ${vw}`);
			if (out.length > 8) break;
		}
		return out;
	});
	assert.deepEqual(found, [], `${what}: nothing overflows the ${page.viewportSize().width}px viewport`);
}

/* Contrast of every visible text against what is behind it (the first
 * ancestor with an opaque enough background, blended); WCAG AA 4.5:1. Text
 * on an image or a gradient is skipped, as is disabled text. */
export async function checkContrast(page, what, min = 4.5) {
	let bad = await lowContrast(page, min);
	if (bad.length) {
		// a theme switch still being applied on a loaded machine reads the old
		// colour on the new background: only what is still low a moment later counts
		await page.waitForTimeout(500);
		const again = new Set(await lowContrast(page, min));
		bad = bad.filter((b) => again.has(b));
	}
	assert.deepEqual(bad, [], `${what}: text contrast at least ${min}:1`);
}

/* The text nodes whose contrast is below min, described. */
function lowContrast(page, min) {
	return page.evaluate((minRatio) => {
		function parse(c) {
			const m = c.match(/rgba?\(([^)]+)\)/);
			if (!m) return null;
			const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
			return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
		}
		function over(top, bottom) {
			const a = top.a + bottom.a * (1 - top.a);
			if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
			return {
				r: (top.r * top.a + bottom.r * bottom.a * (1 - top.a)) / a,
				g: (top.g * top.a + bottom.g * bottom.a * (1 - top.a)) / a,
				b: (top.b * top.a + bottom.b * bottom.a * (1 - top.a)) / a,
				a,
			};
		}
		function lum(c) {
			const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
			return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
		}
		function background(el) {
			const layers = [];
			for (let e = el; e; e = e.parentElement) {
				const s = getComputedStyle(e);
				if (s.backgroundImage !== 'none' && !/^url\(/.test(s.backgroundImage) && /gradient/.test(s.backgroundImage)) return null;
				const c = parse(s.backgroundColor);
				if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
			}
			let bg = { r: 255, g: 255, b: 255, a: 1 };
			const root = getComputedStyle(document.documentElement).colorScheme;
			const canvas = parse(getComputedStyle(document.documentElement).backgroundColor);
			if (canvas && canvas.a === 0 && /dark/.test(root) && matchMedia('(prefers-color-scheme: dark)').matches) bg = { r: 18, g: 18, b: 18, a: 1 };
			for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
			return bg;
		}
		const out = [];
		const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		const seen = new Set();
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			if (!n.nodeValue.trim()) continue;
			const el = n.parentElement;
			if (!el || seen.has(el)) continue;
			seen.add(el);
			if (el.closest('[hidden], [aria-hidden="true"], svg, option, script, style, noscript, :disabled, .visually-hidden')) continue;
			if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) continue;   // e.g. in a closed <details>
			const r = el.getBoundingClientRect();
			if (r.width < 2 || r.height < 2 || r.bottom < 0 || r.top > innerHeight || r.right < 0 || r.left > innerWidth) continue;
			const s = getComputedStyle(el);
			if (s.visibility !== 'visible' || Number(s.opacity) === 0) continue;
			let op = 1;
			for (let e = el; e; e = e.parentElement) op *= Number(getComputedStyle(e).opacity);
			if (op < 0.05) continue;   // shown on hover or focus only
			const fg = parse(s.color);
			if (fg) fg.a *= op;        // text faded by an opacity counts as faded
			const bg = background(el);
			if (!fg || !bg) continue;
			const c = over(fg, bg);
			const l1 = lum(c), l2 = lum(bg);
			const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
			if (ratio < minRatio) {
				const id = el.id ? `#${el.id}` : '';
				const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
				// where the colour comes from: the outermost ancestor with the same colour
				let from = el;
				while (from.parentElement && getComputedStyle(from.parentElement).color === s.color) from = from.parentElement;
				const src = `${from.tagName.toLowerCase()}${from.id ? '#' + from.id : ''}${typeof from.className === 'string' && from.className ? '.' + from.className.trim().split(/\s+/).join('.') : ''}`;
				out.push(`${el.tagName.toLowerCase()}${id}${cls} "${n.nodeValue.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1 (${s.color} from ${src} on rgb(${Math.round(bg.r)},${Math.round(bg.g)},${Math.round(bg.b)}))`);
			}
		}
		return out;
	}, min);
}

/* Every input, button, select, textarea and link has an accessible name. */
export async function checkNames(page, what) {
	const missing = await page.evaluate(() => {
		const out = [];
		function text(el) {
			let t = '';
			for (const n of el.childNodes) {
				if (n.nodeType === 3) t += n.nodeValue;
				else if (n.nodeType === 1) {
					const c = n;
					if (c.getAttribute('aria-hidden') === 'true') continue;
					if (c.tagName === 'IMG') t += c.getAttribute('alt') || '';
					else if (c.tagName === 'svg') t += c.querySelector('title')?.textContent || '';
					else t += text(c);
				}
			}
			return t;
		}
		function name(el) {
			const lb = el.getAttribute('aria-labelledby');
			if (lb) return lb.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ');
			if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
			if (el.labels && el.labels.length) return Array.from(el.labels).map(text).join(' ');
			if (el.tagName === 'INPUT' && /^(submit|reset|button)$/.test(el.type)) return el.value;
			if (el.tagName === 'INPUT' && el.type === 'image') return el.alt;
			if (/^(A|BUTTON|SUMMARY)$/.test(el.tagName)) {
				const t = text(el);
				if (t.trim()) return t;
			}
			return el.getAttribute('title') || '';
		}
		for (const el of document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary')) {
			if (el.closest('[hidden]')) continue;
			if (!name(el).trim()) out.push(el.outerHTML.slice(0, 120));
		}
		return out;
	});
	assert.deepEqual(missing, [], `${what}: every control has an accessible name`);
}

/* A user made through the API (a peer the walker talks to). */
export async function registerAPI(u) {
	const r = await fetch(`${BASE}/api/register`, {
		method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(u),
	});
	assert.equal(r.status, 201, `register ${u.nickname}: ${r.status}`);
	return r.json();
}
