// Security headers on every response: pages, API answers, errors (400, 404, 405,
// 413, 429 from the app and from nginx, 502, 503), static files and the WebSocket
// handshake; and a handshake from a foreign Origin is refused.
// The headers come from nginx/security-headers.conf (nginx adds them, `always`).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { register, browserRegister, directChat, FOREIGN_ORIGIN, BASE } from './lib.mjs';
import { requestFrom, wsFrom } from './addr.mjs';

const VAR = process.env.MESSLY_VAR;
const ROOT = new URL('../..', import.meta.url).pathname;
const open = [];
after(() => { for (const ws of open) ws.terminate(); });

let checked = 0;
function checkHeaders(h, what) {
	checked++;
	const one = (name) => {
		const v = h[name];
		assert.ok(v !== undefined, `${what}: no ${name}`);
		assert.ok(!Array.isArray(v), `${what}: ${name} sent twice: ${v}`);
		return v;
	};
	assert.equal(one('x-content-type-options'), 'nosniff', what);
	assert.match(one('referrer-policy'), /^(same-origin|no-referrer|strict-origin(-when-cross-origin)?)$/, what);
	assert.equal(one('x-frame-options'), 'DENY', what);
	const csp = one('content-security-policy');
	const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
	const scripts = directives['script-src'] || directives['default-src'];
	assert.ok(scripts, `${what}: CSP without script-src/default-src: ${csp}`);
	for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:'])
		assert.ok(!scripts.includes(bad), `${what}: CSP allows ${bad} scripts: ${csp}`);
	assert.deepEqual(directives['frame-ancestors'], ["'none'"], `${what}: frame-ancestors: ${csp}`);
	assert.ok(directives['object-src'] || directives['default-src'], `${what}: no object-src/default-src`);
	if (h['content-type']) assert.ok(!Array.isArray(h['content-type']), `${what}: two Content-Types`);
}

// http.IncomingMessage-style lower-case header object from a fetch-like answer
const sweep = async (addr, method, path, opts, expected, what) => {
	const res = await requestFrom(addr, method, path, opts);
	if (expected !== undefined) assert.equal(res.status, expected, `${what}: ${res}`);
	checkHeaders(res.headers, `${what} (${res.status})`);
	return res;
};

describe('security headers', () => {
	it('pages, API answers and errors from the app and from nginx', async () => {
		const a = await register('hdr');
		const b = await register('hdrb');
		const w = await browserRegister('hdrw');
		const chat = await directChat(a, b);
		const cookie = { Cookie: w.browser.cookieHeader };
		const L = '127.0.0.1';
		for (const p of ['/login', '/register', '/'])
			await sweep(L, 'GET', p, {}, undefined, `GET ${p}`);
		for (const p of ['/chats', '/users?q=hdr', '/chats/999999999'])
			await sweep(L, 'GET', p, { headers: cookie }, undefined, `GET ${p} (cookie)`);
		await sweep(L, 'GET', `/chats/${chat.id}`, { token: a.token, headers: { Accept: 'text/html' } }, undefined, 'chat page');
		for (const p of ['/api/me', '/api/chats', `/api/chats/${chat.id}/messages`, `/api/chats/${chat.id}/events?after=0`])
			await sweep(L, 'GET', p, { token: a.token }, 200, `GET ${p}`);
		await sweep(L, 'POST', `/api/chats/${chat.id}/messages`, { token: a.token, body: { text: 'hi', client_id: 'hdr-1' } }, 201, 'send');
		await sweep(L, 'GET', '/api/me', {}, 401, '401');
		await sweep(L, 'GET', '/nothing-here', {}, 404, '404 page');
		await sweep(L, 'GET', '/api/nothing-here', {}, 404, '404 JSON');
		await sweep(L, 'PUT', '/api/chats', { token: a.token, body: {} }, 405, '405');
		await sweep(L, 'GET', '/api/users?q=%ZZ', { token: a.token }, 400, '400');
		await sweep(L, 'POST', '/api/login', { body: '{"login":', headers: { 'Content-Type': 'application/json' } }, 400, '400 JSON');
		await sweep(L, 'POST', '/api/login', { body: 'x'.repeat(2 * 1024 * 1024), headers: { 'Content-Type': 'application/json' } }, 413, '413 from nginx');
		await sweep(L, 'POST', '/api/login', { body: { login: 'a', password: 'x'.repeat(70000) } }, 413, '413 from the app');
		await sweep(L, 'POST', '/chats', { headers: { ...cookie, Origin: FOREIGN_ORIGIN }, body: new URLSearchParams({ nickname: 'x' }) }, 403, '403 CSRF');
		// 429 from nginx (limit_req from a non-exempt address) and from the app
		const burst = await Promise.all(Array.from({ length: 40 }, () => requestFrom('127.0.5.1', 'GET', '/login')));
		const n429 = burst.find((r) => r.status === 429);
		assert.ok(n429, 'nginx limit_req answered 429');
		checkHeaders(n429.headers, '429 from nginx');
		for (let i = 0; i < 5; i++) await requestFrom('127.0.5.2', 'POST', '/api/register', { body: { email: `h${i}-${Date.now()}@example.test`, password: 'password123', nickname: `hdrr_${i}_${Date.now() % 1e6}`, name: 'H' } });
		await sweep('127.0.5.2', 'POST', '/api/register', { body: { email: `hx-${Date.now()}@example.test`, password: 'password123', nickname: `hdrx_${Date.now() % 1e6}`, name: 'H' } }, 429, '429 from the app');
	});

	it('static files', async () => {
		for (const p of ['/static/app.js', '/static/app.css'])
			await sweep('127.0.0.1', 'GET', p, {}, 200, `GET ${p}`);
		await sweep('127.0.0.1', 'GET', '/static/nothing.js', {}, 404, 'static 404');
	});

	it('502 while the app is unreachable, 503 while the database is down', { skip: !VAR && 'needs MESSLY_VAR' }, async () => {
		// both pools' sockets (/login is served by the auth pool, cgi/server.c)
		const socks = ['messly.sock', 'messly-auth.sock'].map((s) => join(VAR, 'run', s));
		for (const sock of socks) renameSync(sock, sock + '.away');
		try {
			await sweep('127.0.0.1', 'GET', '/login', {}, 502, '502 page');
			await sweep('127.0.0.1', 'GET', '/api/me', {}, 502, '502 JSON');
		} finally {
			for (const sock of socks) renameSync(sock + '.away', sock);
		}
		for (const sock of socks) assert.ok(existsSync(sock));
		const u = await register('hdrd');
		execFileSync(join(ROOT, 'deploy', 'pg.sh'), [VAR, 'stop'], { stdio: 'ignore' });
		try {
			await sweep('127.0.0.1', 'GET', '/api/me', { token: u.token }, 503, '503 JSON');
			await sweep('127.0.0.1', 'GET', '/chats', { token: u.token, headers: { Accept: 'text/html' } }, 503, '503 page');
		} finally {
			execFileSync(join(ROOT, 'deploy', 'pg.sh'), [VAR, 'start'], { stdio: 'ignore' });
		}
		for (let i = 0; i < 100; i++) {
			if ((await requestFrom('127.0.0.1', 'GET', '/api/me', { token: u.token })).status === 200) break;
			await new Promise((r) => setTimeout(r, 100));
		}
		// and the auth pool's worker (its own connection; the lookup reconnects)
		for (let i = 0; i < 100; i++) {
			const lg = await requestFrom('127.0.0.1', 'POST', '/api/login', { body: { login: u.user.nickname, password: 'not it' } });
			if (lg.status === 401) break;
			await new Promise((r) => setTimeout(r, 100));
		}
	});

	it('the WebSocket handshake carries them; a foreign Origin is refused', async () => {
		const w = await browserRegister('hdrs');
		const ok = await wsFrom('127.0.0.1', { Cookie: w.browser.cookieHeader, Origin: BASE });
		assert.ok(ok.ok, `own Origin: ${ok.status}`);
		open.push(ok.ws);
		checkHeaders(ok.headers, 'WebSocket 101');
		const bad = await wsFrom('127.0.0.1', { Cookie: w.browser.cookieHeader, Origin: FOREIGN_ORIGIN });
		assert.equal(bad.ok, false, 'a foreign Origin was accepted');
		assert.equal(bad.status, 403);
		checkHeaders(bad.headers, 'refused handshake');
		const anon = await wsFrom('127.0.0.1', {});
		assert.equal(anon.status, 401);
		checkHeaders(anon.headers, 'anonymous handshake');
		console.log(`# headers: ${checked} responses checked`);
	});
});
