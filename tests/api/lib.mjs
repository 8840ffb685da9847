// Shared helpers for Messly's API tests (node:test, global fetch, ws).
// MESSLY_URL is the stack's public origin (nginx), e.g. http://127.0.0.1:8080.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

export const BASE = (process.env.MESSLY_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const WS_BASE = BASE.replace(/^http/, 'ws');
export const FOREIGN_ORIGIN = 'https://evil.example';

/* A per-process random suffix: lower-case base36, so it is a valid
 * nickname fragment. Every name made here contains it. */
export const RUN = BigInt('0x' + randomBytes(6).toString('hex')).toString(36).slice(0, 7);
let counter = 0;

/* A fresh nickname: prefix + '_' + RUN + '_' + n (3..32 of [a-z0-9_]). */
export function uniq(prefix = 'u') {
	counter += 1;
	const nick = `${prefix}_${RUN}_${counter}`.toLowerCase();
	assert.ok(nick.length <= 32, `nickname too long for the tests: ${nick}`);
	return nick;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* ---------------------------------------------------------------- HTTP */

function describeBody(text) {
	if (text == null) return '';
	return text.length > 400 ? text.slice(0, 400) + '…' : text;
}

/* Low-level request. body: object -> JSON; string / Buffer / Uint8Array ->
 * sent as is (contentType defaults to application/json; null sends none);
 * URLSearchParams -> urlencoded. Never follows redirects. Retries a 429
 * (rate limit; nothing was done) with backoff, bounded. */
export async function request(method, path, opts = {}) {
	const { token, body, cookie, contentType, retry429 = true, timeout = 15000 } = opts;
	const headers = { ...(opts.headers || {}) };
	const lower = Object.fromEntries(Object.keys(headers).map((k) => [k.toLowerCase(), k]));
	if (token !== undefined && token !== null && !lower.authorization) headers.Authorization = `Bearer ${token}`;
	if (cookie && !lower.cookie) headers.Cookie = cookie;
	let payload;
	if (body !== undefined) {
		if (body instanceof URLSearchParams) {
			payload = body.toString();
			if (!lower['content-type']) headers['Content-Type'] = 'application/x-www-form-urlencoded';
		} else if (typeof body === 'string' || body instanceof Uint8Array) {
			payload = body;
			const ct = contentType === undefined ? 'application/json' : contentType;
			if (ct && !lower['content-type']) headers['Content-Type'] = ct;
		} else {
			payload = JSON.stringify(body);
			if (!lower['content-type']) headers['Content-Type'] = 'application/json';
		}
	}
	const url = path.startsWith('http') ? path : BASE + path;
	let delay = 200;
	const giveUp = Date.now() + 30000;
	let retried = false;
	for (;;) {
		let res;
		try {
			res = await fetch(url, {
				method,
				headers,
				body: payload,
				redirect: 'manual',
				signal: AbortSignal.timeout(timeout),
				...(opts.fetchOptions || {}),
			});
		} catch (e) {
			// A keep-alive connection that nginx closed while idle (e.g. during a
			// reload run by another test file) fails before the request is
			// processed: retry once on a fresh connection.
			const code = e.cause?.code || '';
			if (!retried && /UND_ERR_SOCKET|ECONNRESET|EPIPE/.test(code) && !(payload instanceof ReadableStream)) {
				retried = true;
				await sleep(100);
				continue;
			}
			const err = new Error(`${method} ${path}: network error: ${code} ${e.cause?.message || e.message}`);
			err.cause = e;
			throw err;
		}
		const text = await res.text();
		if (res.status === 429 && retry429 && Date.now() < giveUp) {
			const ra = Number(res.headers.get('retry-after'));
			await sleep((Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, 3000) : delay) + Math.random() * 200);
			delay = Math.min(delay * 2, 2000);
			continue;
		}
		let json = null;
		try {
			json = JSON.parse(text);
		} catch {
			json = null;
		}
		return {
			status: res.status,
			headers: res.headers,
			text,
			json,
			setCookies: res.headers.getSetCookie(),
			req: { method, path },
			toString() {
				return `${method} ${path} -> ${res.status} ${describeBody(text)}`;
			},
		};
	}
}

/* api(method, path, {token, body, headers}) -> {status, json, headers, text} */
export function api(method, path, opts = {}) {
	return request(method, path, opts);
}

/* Assert the status is one of `expected` (number or array); the message
 * names the request and shows the body, so a failure is a bug report. */
export function expectStatus(res, expected, note = '') {
	const list = Array.isArray(expected) ? expected : [expected];
	assert.ok(
		list.includes(res.status),
		`${note ? note + ': ' : ''}${res.req.method} ${res.req.path}: expected ${list.join(' or ')}, got ${res.status} ${describeBody(res.text)}`,
	);
	return res;
}

export function expectNo5xx(res, note = '') {
	assert.ok(res.status < 500, `${note ? note + ': ' : ''}${res.req.method} ${res.req.path}: server error ${res.status} ${describeBody(res.text)}`);
	return res;
}

const CODES = {
	400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found',
	405: 'method_not_allowed', 409: 'conflict', 413: 'too_large', 422: 'invalid',
	429: 'rate_limited', 503: 'unavailable',
};

/* A JSON error body {error: {code, message[, field]}} matching the status.
 * field: when given, and the status is 422 (or field is required), the
 * error must name it; with a 409 a present field must match. */
export function expectError(res, expected, { field, fieldRequired = false, note = '' } = {}) {
	expectStatus(res, expected, note);
	const where = `${note ? note + ': ' : ''}${res.req.method} ${res.req.path} (${res.status})`;
	assert.ok(res.json && typeof res.json === 'object', `${where}: error body is not JSON: ${describeBody(res.text)}`);
	const e = res.json.error;
	assert.ok(e && typeof e === 'object', `${where}: no "error" object: ${describeBody(res.text)}`);
	assert.equal(e.code, CODES[res.status], `${where}: error.code`);
	assert.equal(typeof e.message, 'string', `${where}: error.message`);
	assert.ok(e.message.length > 0, `${where}: empty error.message`);
	if (field) {
		if (res.status === 422 || fieldRequired) assert.equal(e.field, field, `${where}: error.field`);
		else if (e.field !== undefined) assert.equal(e.field, field, `${where}: error.field`);
	}
	return e;
}

/* ---------------------------------------------------------- accounts */

export const PASSWORD = `pw-${RUN}-Secret!`;

export function newUserFields(prefix = 'u', extra = {}) {
	const nickname = uniq(prefix);
	return { email: `${nickname}@example.test`, password: PASSWORD, nickname, name: `Test ${nickname}`, ...extra };
}

/* POST /api/register JSON -> {user, token, password, email}; throws unless 201. */
export async function register(prefix = 'u', extra = {}) {
	const fields = newUserFields(prefix, extra);
	const res = await api('POST', '/api/register', { body: fields });
	expectStatus(res, 201, 'register');
	assert.ok(res.json?.user && res.json?.token, `register: no user/token in ${res.text}`);
	return { ...res.json, password: fields.password, email: fields.email, fields };
}

export async function login(loginName, password) {
	return api('POST', '/api/login', { body: { login: loginName, password } });
}

/* Direct chat between a (who creates it) and b. Returns the chat object. */
export async function directChat(a, b) {
	const res = await api('POST', '/api/chats', { token: a.token, body: { kind: 'direct', nickname: b.user.nickname } });
	expectStatus(res, [200, 201], 'create direct chat');
	assert.ok(res.json?.chat?.id, `no chat in ${res.text}`);
	return res.json.chat;
}

let clientSeq = 0;
export function clientId(tag = 'c') {
	clientSeq += 1;
	return `${tag}-${RUN}-${Date.now().toString(36)}-${clientSeq}`;
}

/* POST a text message; returns the message (asserts 201). */
export async function send(user, chatId, text, cid = clientId()) {
	const res = await api('POST', `/api/chats/${chatId}/messages`, { token: user.token, body: { text, client_id: cid } });
	expectStatus(res, 201, 'send message');
	assert.ok(res.json?.message, `no message in ${res.text}`);
	return res.json.message;
}

/* ---------------------------------------------------------- HTML */

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
export function decodeEntities(s) {
	return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
		if (e[0] === '#') {
			const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
			try {
				return String.fromCodePoint(cp);
			} catch {
				return m;
			}
		}
		return ENTITIES[e.toLowerCase()] ?? m;
	});
}

/* Visible text of an HTML document (script/style removed, tags stripped,
 * entities decoded). */
export function htmlText(html) {
	return decodeEntities(
		html
			.replace(/<script\b[\s\S]*?<\/script\s*>/gi, ' ')
			.replace(/<style\b[\s\S]*?<\/style\s*>/gi, ' ')
			.replace(/<!--[\s\S]*?-->/g, ' ')
			.replace(/<[^>]*>/g, ' '),
	);
}

/* Tags of a document: [{name, attrs: {name: value}, raw, index}]. */
export function parseTags(html) {
	const tags = [];
	const tagRe = /<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
	let m;
	while ((m = tagRe.exec(html))) {
		const attrs = {};
		const attrRe = /([^\s=\/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
		let a;
		while ((a = attrRe.exec(m[2]))) {
			const name = a[1].toLowerCase();
			if (!(name in attrs)) attrs[name] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
		}
		tags.push({ name: m[1].toLowerCase(), attrs, raw: m[0], index: m.index });
	}
	return tags;
}

/* The element (outer HTML) whose start tag contains `marker`, e.g.
 * 'id="m-42"'; nested elements of the same name are balanced. null if none. */
export function extractElement(html, marker) {
	const at = html.indexOf(marker);
	if (at < 0) return null;
	const start = html.lastIndexOf('<', at);
	const name = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(start))?.[1];
	if (!name) return null;
	const re = new RegExp(`<(/?)${name}\\b[^>]*>`, 'gi');
	re.lastIndex = start;
	let depth = 0;
	let m;
	while ((m = re.exec(html))) {
		depth += m[1] ? -1 : 1;
		if (depth === 0) return html.slice(start, m.index + m[0].length);
	}
	return null;
}

/* The csrf token of a page: hidden input name="csrf", else meta[name=csrf]. */
export function extractCsrf(html) {
	for (const t of parseTags(html)) {
		if (t.name === 'input' && t.attrs.name === 'csrf' && t.attrs.value) return t.attrs.value;
	}
	for (const t of parseTags(html)) {
		if (t.name === 'meta' && t.attrs.name === 'csrf' && t.attrs.content) return t.attrs.content;
	}
	return null;
}

/* Markup injection check: `html` must contain no script element or event
 * handler attribute carrying `marker`, no raw copy of any payload, and
 * no <img src=x>. Returns nothing; throws with the offending snippet. */
export function assertNoInjection(html, payloads, marker = 'alert(1)', where = 'html') {
	for (const p of payloads) {
		const i = html.indexOf(p);
		assert.equal(i, -1, `${where}: raw payload ${JSON.stringify(p)} appears unescaped: …${html.slice(Math.max(0, i - 80), i + p.length + 80)}…`);
	}
	const scriptRe = /<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi;
	let m;
	while ((m = scriptRe.exec(html))) {
		assert.ok(!m[1].includes(marker), `${where}: a script element contains ${marker}: ${m[0].slice(0, 200)}`);
	}
	for (const t of parseTags(html)) {
		for (const [k, v] of Object.entries(t.attrs)) {
			if (k.startsWith('on')) assert.ok(!v.includes(marker.replace(/\(.*/, '')), `${where}: injected handler ${t.raw}`);
		}
		if (t.name === 'img') assert.notEqual(t.attrs.src, 'x', `${where}: injected image ${t.raw}`);
		if (t.name === 'script') assert.ok(!t.raw.includes(marker), `${where}: injected script ${t.raw}`);
	}
}

/* A browser-like session: cookie jar, csrf from the last page, urlencoded
 * form posts with Origin = BASE, redirects not followed. */
export class Browser {
	constructor() {
		this.cookies = new Map();
		this.csrf = null;
		this.lastPage = null;
	}

	get cookieHeader() {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	get session() {
		return this.cookies.get('messly_session');
	}

	storeCookies(res) {
		for (const sc of res.setCookies) {
			const [pair, ...attrs] = sc.split(';');
			const eq = pair.indexOf('=');
			if (eq < 0) continue;
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			const expired = attrs.some((a) => {
				const [k, v = ''] = a.trim().split('=');
				if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
				if (k.toLowerCase() === 'expires') return Date.parse(v) < Date.now();
				return false;
			});
			if (expired || value === '') this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
	}

	async get(path, { headers = {} } = {}) {
		const res = await request('GET', path, { headers, cookie: this.cookieHeader || undefined });
		this.storeCookies(res);
		if (/html/i.test(res.headers.get('content-type') || '')) {
			const c = extractCsrf(res.text);
			if (c) this.csrf = c;
			this.lastPage = res.text;
		}
		return res;
	}

	/* fields: object or [[k, v]]. csrf: true (the last page's token),
	 * false (none), or a string. origin: BASE by default, null for none.
	 * body: a raw urlencoded string/Buffer instead of fields. */
	async post(path, fields = {}, { csrf = true, origin = BASE, referer, headers = {}, body } = {}) {
		const h = { ...headers };
		if (origin) h.Origin = origin;
		if (referer) h.Referer = referer;
		let payload = body;
		if (payload === undefined) {
			const form = new URLSearchParams();
			if (csrf === true) {
				assert.ok(this.csrf, `no csrf token known before POST ${path}`);
				form.append('csrf', this.csrf);
			} else if (typeof csrf === 'string') form.append('csrf', csrf);
			for (const [k, v] of Array.isArray(fields) ? fields : Object.entries(fields)) form.append(k, v);
			payload = form;
		}
		const res = await request('POST', path, {
			body: payload,
			headers: h,
			contentType: 'application/x-www-form-urlencoded',
			cookie: this.cookieHeader || undefined,
		});
		this.storeCookies(res);
		if (/html/i.test(res.headers.get('content-type') || '')) {
			const c = extractCsrf(res.text);
			if (c) this.csrf = c;
			this.lastPage = res.text;
		}
		return res;
	}

	/* JSON request carrying this session's cookie (plus extra headers). */
	api(method, path, opts = {}) {
		return request(method, path, { ...opts, cookie: this.cookieHeader || undefined });
	}
}

/* Register through the HTML form; returns {browser, user, fields}. */
export async function browserRegister(prefix = 'w', extra = {}) {
	const b = new Browser();
	const page = await b.get('/register');
	expectStatus(page, 200, 'GET /register');
	const fields = newUserFields(prefix, extra);
	const res = await b.post('/register', fields);
	expectStatus(res, 303, 'form POST /register');
	assert.ok(b.session, `form POST /register set no messly_session cookie: ${res.setCookies.join(' | ')}`);
	const me = await b.api('GET', '/api/me');
	expectStatus(me, 200, 'GET /api/me with the session cookie');
	// Pick up a csrf token for later form posts in this session.
	await b.get('/chats');
	return { browser: b, user: me.json.user, fields, password: fields.password };
}

/* ---------------------------------------------------------- WebSocket */

const openClients = new Set();

export class LiveClient {
	constructor(ws) {
		this.ws = ws;
		this.frames = [];
		this.raw = [];
		this.closed = null;
		this.error = null;
		this._waiters = new Set();
		ws.on('message', (data) => {
			const s = data.toString('utf8');
			this.raw.push(s);
			let j;
			try {
				j = JSON.parse(s);
			} catch {
				j = { _unparsed: s };
			}
			this.frames.push(j);
			this._notify();
		});
		ws.on('close', (code, reason) => {
			this.closed = { code, reason: reason.toString() };
			openClients.delete(this);
			this._notify();
		});
		ws.on('error', (e) => {
			this.error = e;
		});
	}

	_notify() {
		for (const w of [...this._waiters]) w();
	}

	/* Message events (type "message"), optionally of one chat. */
	events(chatId) {
		return this.frames.filter((f) => f && f.type === 'message' && (chatId === undefined || f.chat === chatId));
	}

	/* First frame (from index `from`) matching pred; rejects after timeout. */
	waitFor(pred, timeout = 5000, label = 'frame', from = 0) {
		return new Promise((resolve, reject) => {
			const check = () => {
				for (let i = from; i < this.frames.length; i++) {
					if (pred(this.frames[i])) {
						done();
						resolve(this.frames[i]);
						return true;
					}
				}
				return false;
			};
			const timer = setTimeout(() => {
				done();
				reject(new Error(`timeout (${timeout} ms) waiting for ${label}; got ${this.frames.length} frames: ${JSON.stringify(this.raw).slice(0, 600)}${this.closed ? `; socket closed ${this.closed.code} ${this.closed.reason}` : ''}`));
			}, timeout);
			const done = () => {
				clearTimeout(timer);
				this._waiters.delete(check);
			};
			if (!check()) this._waiters.add(check);
		});
	}

	waitForClose(timeout = 5000) {
		return new Promise((resolve, reject) => {
			if (this.closed) return resolve(this.closed);
			const check = () => {
				if (this.closed) {
					done();
					resolve(this.closed);
				}
			};
			const timer = setTimeout(() => {
				done();
				reject(new Error(`timeout (${timeout} ms) waiting for the socket to close`));
			}, timeout);
			const done = () => {
				clearTimeout(timer);
				this._waiters.delete(check);
			};
			this._waiters.add(check);
		});
	}

	async close() {
		if (this.closed) return;
		try {
			this.ws.close(1000);
		} catch {
			/* already closing */
		}
		try {
			await this.waitForClose(2000);
		} catch {
			this.ws.terminate();
		}
		openClients.delete(this);
	}
}

/* Open ws://…/connect. auth: {token} (Authorization: Bearer) or {cookie,
 * origin}. Resolves a LiveClient once open (plus `settle` ms so the nchan
 * subscription is in place); rejects on a refused handshake with
 * err.status = the HTTP status. */
export function wsConnect(auth = {}, { timeout = 5000, settle = 300, headers = {} } = {}) {
	if (typeof auth === 'string') auth = { token: auth };
	const h = { ...headers };
	if (auth.token) h.Authorization = `Bearer ${auth.token}`;
	if (auth.cookie) h.Cookie = auth.cookie;
	if (auth.origin) h.Origin = auth.origin;
	return new Promise((resolve, reject) => {
		let settled = false;
		const fail = (e) => {
			if (!settled) {
				settled = true;
				reject(e);
			}
		};
		const ws = new WebSocket(`${WS_BASE}/connect`, { headers: h, handshakeTimeout: timeout, perMessageDeflate: false });
		const client = new LiveClient(ws);
		openClients.add(client);
		ws.on('unexpected-response', (req, res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			const finish = () => {
				const err = new Error(`WebSocket handshake refused: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`);
				err.status = res.statusCode;
				err.headers = res.headers;
				openClients.delete(client);
				fail(err);
				req.destroy();
				ws.terminate();
			};
			res.on('end', finish);
			res.on('error', finish);
			setTimeout(finish, 2000).unref();
		});
		ws.once('error', (e) => {
			openClients.delete(client);
			fail(e);
		});
		ws.once('open', () => {
			setTimeout(() => {
				if (settled) return;
				settled = true;
				resolve(client);
			}, settle);
		});
		setTimeout(() => fail(new Error(`WebSocket connect timeout (${timeout} ms)`)), timeout + settle + 1000).unref();
	});
}

/* Try to connect; {ok: true, client} or {ok: false, status, error}. */
export async function wsTry(auth, opts) {
	try {
		const client = await wsConnect(auth, opts);
		return { ok: true, client };
	} catch (e) {
		return { ok: false, status: e.status, error: e };
	}
}

/* Close every socket still open (use in after()). */
export async function closeAll() {
	await Promise.all([...openClients].map((c) => c.close()));
}

/* EventSource on /connect: fetch with Accept: text/event-stream; collects
 * the JSON of every `data:` event. {status, events, waitFor, close}. */
export async function sseConnect(auth = {}, { timeout = 5000 } = {}) {
	if (typeof auth === 'string') auth = { token: auth };
	const headers = { Accept: 'text/event-stream' };
	if (auth.token) headers.Authorization = `Bearer ${auth.token}`;
	if (auth.cookie) headers.Cookie = auth.cookie;
	if (auth.origin) headers.Origin = auth.origin;
	const ctl = new AbortController();
	const timer = setTimeout(() => ctl.abort(), timeout);
	let res;
	try {
		res = await fetch(`${BASE}/connect`, { headers, signal: ctl.signal, redirect: 'manual' });
	} finally {
		clearTimeout(timer);
	}
	const events = [];
	const waiters = new Set();
	const out = {
		status: res.status,
		headers: res.headers,
		events,
		async close() {
			ctl.abort();
		},
		waitFor(pred, ms = 5000, label = 'event') {
			return new Promise((resolve, reject) => {
				const check = () => {
					const e = events.find(pred);
					if (e) {
						clearTimeout(t);
						waiters.delete(check);
						resolve(e);
						return true;
					}
					return false;
				};
				const t = setTimeout(() => {
					waiters.delete(check);
					reject(new Error(`timeout (${ms} ms) waiting for ${label}; got ${JSON.stringify(events).slice(0, 400)}`));
				}, ms);
				if (!check()) waiters.add(check);
			});
		},
	};
	if (res.status !== 200 || !res.body) {
		ctl.abort();
		return out;
	}
	(async () => {
		const dec = new TextDecoder();
		let buf = '';
		try {
			for await (const chunk of res.body) {
				buf += dec.decode(chunk, { stream: true });
				let i;
				while ((i = buf.search(/\r?\n\r?\n/)) >= 0) {
					const block = buf.slice(0, i);
					buf = buf.slice(i).replace(/^\r?\n\r?\n/, '');
					const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
					if (!data) continue;
					try {
						events.push(JSON.parse(data));
					} catch {
						events.push({ _unparsed: data });
					}
					for (const w of [...waiters]) w();
				}
			}
		} catch {
			/* aborted */
		}
	})();
	return out;
}

/* ---------------------------------------------------------- stack */

/* The nginx master pid: MESSLY_NGINX_PID, else a *nginx*.pid under
 * MESSLY_VAR (default /work/main/var). null when none is found. */
export function nginxPid() {
	if (process.env.MESSLY_NGINX_PID) return Number(process.env.MESSLY_NGINX_PID);
	const root = process.env.MESSLY_VAR || new URL('../../var', import.meta.url).pathname;
	const found = ['run/nginx.pid', 'nginx/nginx.pid', 'nginx.pid', 'nginx/run/nginx.pid'].map((p) => join(root, p)).filter((p) => existsSync(p));
	const walk = (dir, depth) => {
		let names;
		try {
			names = readdirSync(dir);
		} catch {
			return;
		}
		for (const n of names) {
			const p = join(dir, n);
			let st;
			try {
				st = statSync(p);
			} catch {
				continue;
			}
			if (st.isDirectory() && depth < 2 && n !== 'pg') walk(p, depth + 1);
			else if (st.isFile() && /nginx.*\.pid$|^nginx\.pid$/.test(n) && !/\.oldbin$/.test(n)) found.push(p);
		}
	};
	if (!found.length && existsSync(root)) walk(root, 0);
	for (const p of found) {
		const pid = Number(readFileSync(p, 'utf8').trim());
		if (pid > 0) {
			try {
				process.kill(pid, 0);
				return pid;
			} catch {
				/* stale */
			}
		}
	}
	return null;
}

/* ------------------------------------------------ catalogs and the database */

/* The message catalog of a language (templates/i18n/LANG.txt) as
 * { key: text }, to check that answers come in the user's language. */
export function catalog(lang) {
	const text = readFileSync(new URL(`../../templates/i18n/${lang}.txt`, import.meta.url), 'utf8');
	const out = {};
	for (const line of text.split('\n')) {
		const m = /^([a-z0-9_.]+)\s*=\s*(.*)$/.exec(line);
		if (m) out[m[1]] = m[2];
	}
	return out;
}

function psqlBin() {
	const root = '/usr/lib/postgresql';
	if (existsSync(root)) {
		for (const v of readdirSync(root).sort((a, b) => Number(b) - Number(a))) {
			const p = `${root}/${v}/bin/psql`;
			if (existsSync(p)) return p;
		}
	}
	return 'psql';
}

/* SQL against the test stack's database (MESSLY_DB, set by deploy/test.sh),
 * only for what the API cannot do or to look behind it; the caller
 * interpolates nothing but integers or hex. Returns psql's unaligned output. */
export function sql(query) {
	assert.ok(process.env.MESSLY_DB, 'MESSLY_DB is not set (run through deploy/test.sh)');
	return execFileSync(psqlBin(), ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', '-c', query, process.env.MESSLY_DB], { encoding: 'utf8' }).trim();
}
