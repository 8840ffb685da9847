// A complete Messly node for the deployment tests: the production nginx
// configuration (deploy/nginx/nginx.conf + messly.site, and messly-redis.conf
// for several nodes) rendered for a scratch directory, with TLS from a
// self-signed certificate, and its own `messly serve` on the test stack's
// database. Requests go over real HTTPS and WSS with that certificate.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { LiveClient, sleep } from '../api/lib.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const BIN = process.env.MESSLY_BIN || join(ROOT, 'build/test/messly');
const isRoot = process.getuid() === 0;

export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/* A self-signed certificate for 127.0.0.1 (EC P-256, two days). */
export function makeCert(dir) {
	const cert = join(dir, 'cert.pem');
	const key = join(dir, 'key.pem');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
		'-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
		'-keyout', key, '-out', cert], { stdio: ['ignore', 'ignore', 'pipe'] });
	return { cert, key, ca: readFileSync(cert) };
}

/* Replace each [from, to] in text; every `from` must occur (so a changed
 * shipped file fails the test instead of being tested half-rewritten). */
function rewrite(text, pairs, what) {
	for (const [from, to] of pairs) {
		const found = typeof from === 'string' ? text.includes(from) : from.test(text);
		assert.ok(found, `${what}: expected to find ${from}`);
		text = typeof from === 'string' ? text.split(from).join(to) : text.replace(from, to);
	}
	return text;
}

/* Render the shipped nginx files for a node in dir. Returns the main file. */
export function renderNginx({ dir, httpPort, httpsPort, cert, redisPort }) {
	const origin = `https://127.0.0.1:${httpsPort}`;
	let site = rewrite(readFileSync(join(ROOT, 'deploy/nginx/messly.site'), 'utf8'), [
		['    listen 80;\n', `    listen 127.0.0.1:${httpPort};\n`],
		['    listen [::]:80;\n', ''],
		['    listen 443 ssl http2;\n', `    listen 127.0.0.1:${httpsPort} ssl http2;\n`],
		['    listen [::]:443 ssl http2;\n', ''],
		['server_name chat.example.org;', 'server_name 127.0.0.1;'],
		['"https://chat.example.org"', `"${origin}"`],
		['/etc/letsencrypt/live/chat.example.org/fullchain.pem', cert.cert],
		['/etc/letsencrypt/live/chat.example.org/privkey.pem', cert.key],
		['/var/log/nginx/', `${dir}/log/`],
		['/run/messly/messly.sock', `${dir}/messly.sock`],
		['/run/messly/messly-auth.sock', `${dir}/messly-auth.sock`],
		['/run/messly-publish/nchan-pub.sock', `${dir}/pub.sock`],
		['/usr/share/messly/static/', `${ROOT}/static/`],
		['/var/www/html', `${dir}/www`],
	], 'messly.site');
	if (redisPort) {
		site = rewrite(site, [[/(\n\s*)#(nchan_redis_pass messly_redis;)/, '$1$2'], [/(\n\s*)#(nchan_redis_pass messly_redis;)/, '$1$2']], 'messly.site');
		assert.equal(site.match(/^\s*nchan_redis_pass messly_redis;/gm)?.length, 2, 'both nchan locations use Redis');
	}
	const code = site.split('\n').map((l) => l.replace(/^\s*#.*$/, '')).join('\n');
	for (const left of ['chat.example.org', '/run/', '/var/', '/etc/letsencrypt', '/usr/share/messly'])
		assert.ok(!code.includes(left), `messly.site: ${left} left after rewriting`);
	writeFileSync(join(dir, 'messly.site'), site);
	mkdirSync(join(dir, 'conf.d'), { recursive: true });
	if (redisPort) {
		const redis = rewrite(readFileSync(join(ROOT, 'deploy/nginx/messly-redis.conf'), 'utf8'), [
			['redis://127.0.0.1:6379;', `redis://127.0.0.1:${redisPort};`],
		], 'messly-redis.conf');
		writeFileSync(join(dir, 'conf.d/messly-redis.conf'), redis);
	}
	const tmp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
		.map((t) => `    ${t}_temp_path ${dir}/tmp/${t};\n`).join('');
	const main = rewrite(readFileSync(join(ROOT, 'deploy/nginx/nginx.conf'), 'utf8'), [
		['user www-data;\n', isRoot ? 'user root;\n' : ''],
		['worker_processes auto;', 'worker_processes 1;'],
		['pid /run/nginx.pid;', `pid ${dir}/nginx.pid;`],
		['error_log /var/log/nginx/error.log;', `error_log ${dir}/log/error.log;`],
		['access_log /var/log/nginx/access.log;', `access_log ${dir}/log/access.log;`],
		['include /etc/nginx/conf.d/*.conf;', `include ${dir}/conf.d/*.conf;`],
		['include /etc/nginx/sites-enabled/*;', `include ${dir}/messly.site;`],
		['http {\n', `http {\n${tmp}`],
	], 'nginx.conf');
	writeFileSync(join(dir, 'nginx.conf'), main);
	return join(dir, 'nginx.conf');
}

/* nginx -t on a rendered configuration: {ok, output}. */
export function nginxTest(conf, dir) {
	try {
		const out = execFileSync('nginx', ['-e', `${dir}/log/error.log`, '-c', conf, '-t'],
			{ stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
		return { ok: true, output: out };
	} catch (e) {
		return { ok: false, output: `${e.stdout || ''}${e.stderr || ''}` };
	}
}

async function until(pred, ms, what) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await pred()) return;
		await sleep(50);
	}
	assert.fail(`timed out (${ms} ms) waiting for ${what}`);
}

const canConnect = (port) => new Promise((resolve) => {
	const s = net.connect(port, '127.0.0.1');
	s.once('connect', () => { s.destroy(); resolve(true); });
	s.once('error', () => resolve(false));
});

/* Start a node: nginx (production site) + `messly serve --workers 1`.
 * opts: name, redisPort (share channels through Redis), socketGroup.
 * Returns the node; on failure stops what it started and throws. */
export async function startNode(opts = {}) {
	const node = { name: opts.name || 'node', procs: [] };
	try {
		return await launch(node, opts);
	} catch (e) {
		await stopNode(node); // whatever was started, and the directory
		throw e;
	}
}

async function launch(node, { name = 'node', redisPort, socketGroup }) {
	const dir = mkdtempSync(`/tmp/messly-${name}-`);
	node.dir = dir;
	for (const d of ['log', 'tmp', 'www', 'files']) mkdirSync(join(dir, d));
	const cert = makeCert(dir);
	const httpPort = await freePort();
	const httpsPort = await freePort();
	const conf = renderNginx({ dir, httpPort, httpsPort, cert, redisPort });
	const t = nginxTest(conf, dir);
	assert.ok(t.ok, `nginx -t failed for the production site:\n${t.output}`);
	const origin = `https://127.0.0.1:${httpsPort}`;
	const env = {
		...process.env,
		MESSLY_CONFIG: '/dev/null',
		MESSLY_SOCKET: `${dir}/messly.sock`,
		MESSLY_PUBLISH_SOCKET: `${dir}/pub.sock`,
		MESSLY_ORIGIN: origin,
		MESSLY_FILES_DIR: `${dir}/files`,
		MESSLY_SOCKET_GROUP: socketGroup || '',
	};
	Object.assign(node, { httpPort, httpsPort, origin, ca: cert.ca });
	const nginx = spawn('nginx', ['-e', `${dir}/log/error.log`, '-c', conf, '-g', 'daemon off;'],
		{ detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
	node.procs.push(nginx);
	node.nginx = nginx;
	const app = spawn(BIN, ['serve', '--workers', '1'], { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
	let appLog = '';
	app.stderr.on('data', (d) => { appLog += d; });
	node.procs.push(app);
	node.app = app;
	for (const p of [nginx, app]) p.on('error', (e) => { node.spawnError = e; });
	const started = () => {
		if (node.spawnError) throw node.spawnError;
		for (const p of [nginx, app])
			if (p.exitCode !== null || p.signalCode !== null) throw new Error(`${name}: ${p.spawnfile} exited during start-up: ${appLog}`);
		return true;
	};
	node.appLog = () => appLog;
	await until(() => started() && existsSync(`${dir}/messly.sock`) && existsSync(`${dir}/pub.sock`), 15000,
		`${name}: the app's and the publisher's sockets`);
	await until(() => canConnect(httpsPort), 15000, `${name}: nginx on ${httpsPort}`);
	return node;
}

function groupAlive(pid) {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

/* Stop a node's processes (their own process groups) and remove its dir. */
export async function stopNode(node) {
	if (!node) return;
	for (const p of node.procs) {
		if (!p.pid || p.exitCode !== null || p.signalCode !== null) continue;
		try { process.kill(-p.pid, p === node.nginx ? 'SIGQUIT' : 'SIGTERM'); } catch { /* gone */ }
	}
	for (const p of node.procs.filter((q) => q.pid)) {
		const end = Date.now() + 10000;
		while (groupAlive(p.pid) && Date.now() < end) await sleep(50);
		if (groupAlive(p.pid)) try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ }
	}
	if (node.dir && process.env.KEEP_VAR !== '1') rmSync(node.dir, { recursive: true, force: true });
}

/* An HTTPS request to the node (the certificate trusted through `ca`).
 * body: object -> JSON. Returns {status, headers, text, json}. */
export function request(node, method, path, { body, token, headers = {}, port, tls } = {}) {
	const h = { ...headers };
	let payload;
	if (body !== undefined) {
		payload = typeof body === 'string' ? body : JSON.stringify(body);
		if (!h['Content-Type']) h['Content-Type'] = 'application/json';
		h['Content-Length'] = Buffer.byteLength(payload);
	}
	if (token) h.Authorization = `Bearer ${token}`;
	return new Promise((resolve, reject) => {
		const req = https.request({
			host: '127.0.0.1', port: port || node.httpsPort, method, path, headers: h, ca: node.ca,
			agent: false, timeout: 15000, ...(tls || {}),
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json = null;
				try { json = JSON.parse(text); } catch { /* not JSON */ }
				resolve({ status: res.statusCode, headers: res.headers, text, json, socket: res.socket });
			});
		});
		req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
		req.on('error', reject);
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

let seq = 0;
const run = Math.random().toString(36).slice(2, 8);

/* Register a user through the node: {user, token}. */
export async function registerOn(node, prefix) {
	seq += 1;
	const nickname = `${prefix}_${run}_${seq}`;
	const res = await request(node, 'POST', '/api/register', {
		body: { email: `${nickname}@example.test`, password: `pw-${run}-Secret!`, nickname, name: nickname },
	});
	assert.equal(res.status, 201, `register on ${node.name}: ${res.status} ${res.text.slice(0, 300)}`);
	return res.json;
}

/* A WebSocket to wss://node/connect for a bearer token; origin defaults to
 * the node's own. Resolves a LiveClient once subscribed; rejects with
 * err.status when the handshake is refused. */
export function liveOn(node, token, { origin = node.origin, settle = 300 } = {}) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(`wss://127.0.0.1:${node.httpsPort}/connect`, {
			headers: { Authorization: `Bearer ${token}`, Origin: origin },
			ca: node.ca, perMessageDeflate: false, handshakeTimeout: 5000,
		});
		const client = new LiveClient(ws);
		ws.on('unexpected-response', (req, res) => {
			const err = new Error(`WebSocket handshake refused: ${res.statusCode}`);
			err.status = res.statusCode;
			req.destroy();
			reject(err);
		});
		ws.once('error', reject);
		ws.once('open', () => setTimeout(() => resolve(client), settle));
	});
}
