// The production nginx site (deploy/nginx/messly.site inside
// deploy/nginx/nginx.conf) serves Messly over TLS: nginx -t passes with a
// self-signed certificate, HTTP redirects to HTTPS, HSTS and the security
// headers are there, no version is disclosed, TLS 1.1 is refused, static
// files are cached, bodies are capped, and live delivery works over WSS with
// nchan's Origin check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { closeAll } from '../api/lib.mjs';
import { liveOn, makeCert, nginxTest, registerOn, renderNginx, request, startNode, stopNode } from './node.mjs';

let node;
/* As root the app may give its socket to any group: www-data, as in production. */
const group = process.getuid() === 0 ? 'www-data' : '';
before(async () => {
	node = await startNode({ name: 'tls', socketGroup: group });
});
after(async () => {
	await closeAll();
	await stopNode(node);
});

test('nginx -t refuses the site when the certificate is missing', () => {
	const dir = mkdtempSync('/tmp/messly-tlsbad-');
	try {
		for (const d of ['log', 'tmp', 'www']) mkdirSync(join(dir, d));
		const cert = makeCert(dir);
		const conf = renderNginx({ dir, httpPort: 1, httpsPort: 2, cert: { ...cert, cert: join(dir, 'missing.pem') } });
		const t = nginxTest(conf, dir);
		assert.equal(t.ok, false);
		assert.match(t.output, /missing\.pem/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test('plain HTTP is redirected to HTTPS', async () => {
	const res = await new Promise((resolve, reject) => {
		http.get({ host: '127.0.0.1', port: node.httpPort, path: '/chats?x=1', agent: false }, (r) => {
			r.resume();
			r.on('end', () => resolve(r));
		}).on('error', reject);
	});
	assert.equal(res.statusCode, 301);
	assert.equal(res.headers.location, 'https://127.0.0.1/chats?x=1');
});

test('HTTPS answers with HSTS and the security headers, and no version', async () => {
	const res = await request(node, 'GET', '/login');
	assert.equal(res.status, 200, res.text.slice(0, 200));
	assert.match(res.headers['strict-transport-security'], /max-age=\d{8}/);
	assert.equal(res.headers['x-content-type-options'], 'nosniff');
	assert.equal(res.headers['x-frame-options'], 'DENY');
	assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/);
	assert.equal(res.headers.server, 'nginx', 'server_tokens off');
	assert.ok(['TLSv1.2', 'TLSv1.3'].includes(res.socket.getProtocol()));
	const missing = await request(node, 'GET', '/no-such-page-' + Date.now());
	assert.doesNotMatch(missing.text, /nginx\/\d/);
});

test('TLS 1.1 is refused, TLS 1.2 accepted', async () => {
	// SECLEVEL=0: the client would speak TLS 1.1, so a refusal is the server's.
	await assert.rejects(request(node, 'GET', '/login', { tls: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' } }));
	const ok = await request(node, 'GET', '/login', { tls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } });
	assert.equal(ok.status, 200);
});

test('static files are served from disk with a cache lifetime', async () => {
	const res = await request(node, 'GET', '/static/app.css');
	assert.equal(res.status, 200);
	assert.match(res.headers['cache-control'], /max-age=86400/);
	assert.match(res.headers['strict-transport-security'], /max-age/, 'server headers kept in the location');
});

test('a body over the upload limit gets 413 from nginx', async () => {
	const res = await request(node, 'POST', '/api/login', { body: 'x'.repeat(1100 * 1024) });
	assert.equal(res.status, 413);
	assert.equal(res.json?.error?.code, 'too_large');
});

test('session cookies are Secure under HTTPS', async () => {
	const nickname = `sec_${Date.now().toString(36)}`;
	const res = await request(node, 'POST', '/api/register', {
		body: { email: `${nickname}@example.test`, password: 'pw-Secret-123!', nickname, name: nickname },
	});
	assert.equal(res.status, 201, res.text);
	const res2 = await request(node, 'POST', '/register', {
		body: new URLSearchParams({ email: `w${nickname}@example.test`, password: 'pw-Secret-123!', nickname: `w${nickname}`, name: 'W' }).toString(),
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: node.origin },
	});
	const cookies = [].concat(res2.headers['set-cookie'] || []);
	assert.ok(cookies.length > 0, `a cookie is set: ${res2.status} ${res2.text.slice(0, 200)}`);
	for (const c of cookies) assert.match(c, /;\s*Secure/i, c);
});

test('a message arrives live over WSS; a foreign Origin is refused', async () => {
	const a = await registerOn(node, 'tla');
	const b = await registerOn(node, 'tlb');
	await assert.rejects(liveOn(node, b.token, { origin: 'https://evil.example' }), (e) => e.status === 403);
	const live = await liveOn(node, b.token);
	const chat = await request(node, 'POST', '/api/chats', { token: a.token, body: { kind: 'direct', nickname: b.user.nickname } });
	assert.ok([200, 201].includes(chat.status), chat.text);
	const text = `over tls ${Date.now()}`;
	const sent = await request(node, 'POST', `/api/chats/${chat.json.chat.id}/messages`, {
		token: a.token, body: { text, client_id: `tls-${Date.now()}` },
	});
	assert.equal(sent.status, 201, sent.text);
	const ev = await live.waitFor((f) => f.type === 'message' && f.id === sent.json.message.id, 5000, 'the message');
	assert.equal(ev.chat, chat.json.chat.id);
});

test('the FastCGI socket is 0660 and belongs to socket_group', (t) => {
	if (!group) return t.skip('needs root to give the socket to www-data');
	const st = statSync(join(node.dir, 'messly.sock'));
	assert.equal(st.mode & 0o777, 0o660);
	const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(`${group}:`));
	assert.equal(st.gid, Number(line.split(':')[2]));
});
