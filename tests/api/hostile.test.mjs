// Hostile input over HTTP: every endpoint that takes input gets every family
// of bad value in every field, as JSON (bearer) and as a form (cookie + CSRF).
// The run counts what it tried and asserts: zero 5xx, zero worker crashes
// (the master's restart count unchanged), and no script from the stored
// payloads runs in a browser that renders them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { api, request, register, browserRegister, directChat, send, closeAll, BASE, RUN } from './lib.mjs';

const VAR = process.env.MESSLY_VAR;
const LOG = VAR ? join(VAR, 'log', 'messly.log') : null;

function restarts() {
	if (!LOG || !existsSync(LOG)) return 0;
	return (readFileSync(LOG, 'utf8').match(/restarting worker/g) || []).length;
}

const XSS = [
	'<script>window.__xss=1</script>',
	'"><img src=x onerror="window.__xss=1">',
	"'><svg onload=window.__xss=1>",
	'<a href="javascript:window.__xss=1">x</a>',
	'[x](javascript:window.__xss=1)',
	'<iframe srcdoc="<script>parent.__xss=1</script>">',
	'{{csrf}}{{{me}}}{{>partials/head}}',
	'<style>*{display:none}</style>',
	'</textarea><script>window.__xss=1</script>',
	'javascript:window.__xss=1',
];
const SQL = ["' OR '1'='1", "'; DROP TABLE users; --", '" OR ""="', '\\', '%', '_', '$1', "1); DELETE FROM messages; --"];
const BYTES = ['\u0000', 'a\u0000b', '\r\nSet-Cookie: x=1', 'a\rb\nc', '\u202e\u2066', '\ud800'.normalize ? 'x' : 'x', '\u0007\u001b[31m'];
const SIZES = ['', ' ', 'a'.repeat(300), 'я'.repeat(5000), 'x'.repeat(70000)];
const NUMBERS = ['-1', '0', '99999999999999999999', '1e9', '0x10', '1.5', 'NaN', '9007199254740993', '-9223372036854775808'];
const VALUES = [...XSS, ...SQL, ...BYTES, ...SIZES, ...NUMBERS];

// Raw byte strings that are not valid UTF-8 (overlong, surrogates, stray continuation).
const BAD_UTF8 = [Buffer.from([0xc0, 0x80]), Buffer.from([0xe0, 0x80, 0x80]), Buffer.from([0xed, 0xa0, 0x80]),
	Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0x80]), Buffer.from([0xff, 0xfe])];

let tried = 0;
let fiveHundreds = [];
function check(res, what) {
	tried += 1;
	if (res.status >= 500) fiveHundreds.push(`${what} -> ${res.status} ${res.text.slice(0, 120)}`);
}

describe('hostile input', () => {
	let A, B, W, chat, other, restartsBefore;

	before(async () => {
		restartsBefore = restarts();
		[A, B] = await Promise.all([register('ha'), register('hb')]);
		W = await browserRegister('hw');
		chat = await directChat(A, B);
		const C = await register('hc');
		other = await directChat(B, C); // a chat A is not in
	});
	after(closeAll);

	it('every field of every endpoint, as JSON and as a form', { timeout: 300000 }, async () => {
		const endpoints = [
			['POST', '/register', { email: 'e@x.test', password: 'password1', nickname: 'nick', name: 'Name' }, false],
			['POST', '/login', { login: 'nobody', password: 'password1' }, false],
			['POST', '/lang', { lang: 'en' }, true],
			['POST', '/chats', { kind: 'direct', nickname: B.user.nickname }, true],
			['POST', `/chats/${chat.id}/messages`, { text: 'hi', client_id: 'c1' }, true],
			['POST', `/chats/${chat.id}/read`, { seq: '1' }, true],
		];
		for (const [method, path, good, authed] of endpoints) {
			for (const field of Object.keys(good)) {
				for (const v of VALUES) {
					const body = { ...good, [field]: v };
					if (field === 'client_id') body.client_id = v;
					const j = await api(method, '/api' + path, { token: authed ? A.token : undefined, body });
					check(j, `JSON ${path} ${field}=${JSON.stringify(v).slice(0, 40)}`);
					// the same as a form from a logged-in browser
					const f = await W.browser.post(path, { ...good, [field]: v });
					check(f, `form ${path} ${field}=${JSON.stringify(v).slice(0, 40)}`);
				}
				for (const raw of BAD_UTF8) {
					const json = Buffer.concat([Buffer.from(`{"${field}":"`), raw, Buffer.from('"}')]);
					check(await request(method, '/api' + path, { token: authed ? A.token : undefined, body: json }), `bad UTF-8 JSON ${path} ${field}`);
					const form = Buffer.concat([Buffer.from(`csrf=${W.browser.csrf}&${field}=`), raw]);
					check(await W.browser.post(path, {}, { body: form }), `bad UTF-8 form ${path} ${field}`);
				}
			}
			// structurally hostile bodies
			const shapes = ['', '{', '{"a":', 'null', '[]', '"x"', '{"text":{"a":1}}', '{"text":["a"]}',
				'['.repeat(5000) + ']'.repeat(5000), '{"a":'.repeat(100) + '1' + '}'.repeat(100),
				'{"text":"a"}{"text":"b"}', '{"text":"\\ud800"}', '{"text":"\\u0000"}'];
			for (const s of shapes)
				check(await request(method, '/api' + path, { token: authed ? A.token : undefined, body: s }), `shape ${path} ${s.slice(0, 20)}`);
		}
		// endpoints whose form lives at another path than their JSON route
		const ownGroup = await W.browser.api('POST', '/api/chats', { body: { kind: 'group', name: 'hostile', members: [] },
			headers: { 'X-CSRF-Token': W.browser.csrf, Origin: BASE } });
		const gJson = (await api('POST', '/api/chats', { token: A.token, body: { kind: 'group', name: 'hostile', members: [B.user.nickname] } })).json.chat;
		const split = [
			['PATCH', '/api/me', '/settings/profile', { name: 'N', about: 'a' }],
			['POST', '/api/chats', '/chats', { kind: 'group', name: 'G', description: 'd', members: B.user.nickname }],
			['PATCH', `/api/chats/${gJson.id}`, `/chats/${ownGroup.json.chat.id}/edit`, { name: 'G', description: 'd' }],
		];
		for (const [method, apiPath, formPath, good] of split) {
			for (const field of Object.keys(good)) {
				for (const v of VALUES) {
					const body = { ...good, [field]: v };
					if (field !== 'members' && 'members' in body) body.members = [body.members];
					check(await api(method, apiPath, { token: A.token, body }), `JSON ${apiPath} ${field}=${JSON.stringify(v).slice(0, 40)}`);
					check(await W.browser.post(formPath, { ...good, [field]: v }), `form ${formPath} ${field}=${JSON.stringify(v).slice(0, 40)}`);
				}
			}
		}
		// uploads: the caption and the file name
		for (const v of [...XSS, ...SQL, ...BYTES, 'a'.repeat(300), '..', '../../x.html', '']) {
			const form = new FormData();
			form.append('caption', v);
			form.append('file', new Blob(['x'], { type: 'text/html' }), v || 'f');
			const res = await fetch(`${BASE}/api/chats/${chat.id}/files`, { method: 'POST', headers: { Authorization: `Bearer ${A.token}` }, body: form });
			check({ status: res.status, text: await res.text() }, `upload name/caption ${JSON.stringify(v).slice(0, 40)}`);
		}
		// search: the query and its filters
		for (const v of VALUES)
			for (const q of ['q', 'from', 'chat', 'after', 'before'])
				check(await api('GET', `/api/search?q=hi&${q}=${encodeURIComponent(v)}`, { token: A.token }), `search ${q}=${JSON.stringify(v).slice(0, 30)}`);
		// query strings and ids
		const queries = ['/api/users?q=', '/api/chats/ID/messages?before=', '/api/chats/ID/messages?limit=', '/api/chats/ID/events?after='];
		for (const q of queries)
			for (const v of [...NUMBERS, ...SQL, ...XSS, '%00', '%ZZ', '%C0%80', 'a'.repeat(5000)])
				check(await api('GET', q.replace('ID', chat.id) + encodeURIComponent(v).replace('%2500', '%00'), { token: A.token }), `GET ${q}${v.slice(0, 30)}`);
		for (const id of ['0', '-1', '01', '1.5', '99999999999999999999', String(other.id), '%2e%2e', 'abc'])
			for (const sub of ['', '/messages', '/events', '/read'])
				check(await api(sub === '/read' ? 'POST' : 'GET', `/api/chats/${id}${sub}`, { token: A.token, body: sub === '/read' ? { seq: 1 } : undefined }), `id ${id}${sub}`);
		// headers that reach the app
		for (const h of [{ Cookie: 'messly_session=' + 'z'.repeat(5000) }, { Cookie: '\u0001=\u0002' }, { Authorization: 'Bearer ' + '0'.repeat(64) },
			{ Authorization: 'Bearer \r\n' }, { 'Accept-Language': 'x'.repeat(4000) }, { Accept: 'application/json'.repeat(200) }])
			check(await request('GET', '/api/me', { headers: h }).catch((e) => ({ status: 0, text: String(e) })), `header ${Object.keys(h)[0]}`);

		console.log(`# hostile: ${tried} requests tried, ${fiveHundreds.length} answered 5xx`);
		if (process.env.MESSLY_REPORT_DIR) { // figures for `make check-security`
			mkdirSync(process.env.MESSLY_REPORT_DIR, { recursive: true });
			writeFileSync(join(process.env.MESSLY_REPORT_DIR, 'hostile.json'),
				JSON.stringify({ tried, five_hundreds: fiveHundreds.length, restarts: restarts() - restartsBefore }) + '\n');
		}
		assert.deepEqual(fiveHundreds, [], 'requests answered with 5xx');
		assert.ok(tried > 1000, `only ${tried} requests tried`);
		assert.equal(restarts(), restartsBefore, 'a worker crashed and was restarted');
	});

	it('stored payloads render as text: no script runs in the browser', { timeout: 120000 }, async () => {
		const X = await browserRegister('hx', { name: XSS[1] });
		// X opens the chat with B through the API with its cookie session
		const open = await X.browser.api('POST', '/api/chats', { body: { kind: 'direct', nickname: B.user.nickname }, headers: { 'X-CSRF-Token': X.browser.csrf, Origin: BASE } });
		assert.ok([200, 201].includes(open.status), open.text);
		const chatId = open.json.chat.id;
		for (const p of XSS) await send(B, chatId, p + ' ' + RUN);
		// every other text field that a page renders: group name and description,
		// the about text, a file's name and caption, and search snippets
		const hdr = { 'X-CSRF-Token': X.browser.csrf, Origin: BASE };
		const grp = await X.browser.api('POST', '/api/chats', { body: { kind: 'group', name: XSS[1], description: XSS[0], members: [B.user.nickname] }, headers: hdr });
		assert.equal(grp.status, 201, grp.text);
		const about = await X.browser.api('PATCH', '/api/me', { body: { about: XSS[2] + ' https://example.org/"><b>x' }, headers: hdr });
		assert.equal(about.status, 200, about.text);
		const form = new FormData();
		form.append('caption', XSS[0]);
		form.append('file', new Blob(['<script>window.__xss=1</script>'], { type: 'text/html' }), XSS[1] + '.html');
		const up = await fetch(`${BASE}/api/chats/${chatId}/files`, { method: 'POST', headers: { Authorization: `Bearer ${B.token}` }, body: form });
		assert.equal(up.status, 201, await up.text());
		const groupId = grp.json.chat.id;
		const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
		try {
			for (const js of [true, false]) {
				const ctx = await browser.newContext({ javaScriptEnabled: js });
				await ctx.addCookies([{ name: 'messly_session', value: X.browser.session, url: BASE }]);
				await ctx.addInitScript(() => {
					window.__xss = 0;
					window.alert = () => { window.__xss = 1; };
				});
				const page = await ctx.newPage();
				for (const path of [`/chats/${chatId}`, '/chats', `/users?q=${encodeURIComponent(XSS[0])}`,
					`/chats/${groupId}`, `/chats/${groupId}/info`, `/u/${X.user.nickname}`, '/settings/profile',
					`/chats/${chatId}/files`, `/search?q=${encodeURIComponent('window')}`, `/search?q=${encodeURIComponent(XSS[0])}`]) {
					await page.goto(BASE + path);
					await page.waitForTimeout(300);
					if (js) assert.equal(await page.evaluate(() => window.__xss), 0, `script ran on ${path}`);
					// nothing from the payloads became an element or an attribute
					const found = await page.evaluate(() => ({
						handlers: document.querySelectorAll('[onerror],[onload],[srcdoc]').length,
						scripts: [...document.scripts].filter((s) => !s.src.endsWith('.js')).length,
						frames: document.querySelectorAll('iframe,svg[onload],style:not([nonce])').length,
						jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => /^javascript:/i.test(a.getAttribute('href'))).length,
					}));
					assert.deepEqual(found, { handlers: 0, scripts: 0, frames: 0, jsLinks: 0 }, `markup from payloads on ${path}`);
				}
				await ctx.close();
			}
		} finally {
			await browser.close();
		}
	});
});
