// Requests from another loopback address (127.0.0.N), for the per-address limits:
// the rest of the suite talks from 127.0.0.1, which deploy/test.sh exempts.
import http from 'node:http';
import WebSocket from 'ws';
import { BASE, WS_BASE } from './lib.mjs';

/* One request from `addr`; never follows redirects, never retries.
 * body: object -> JSON, URLSearchParams -> form, string/Buffer -> as is. */
export function requestFrom(addr, method, path, { body, token, headers = {}, timeout = 15000 } = {}) {
	const h = { ...headers };
	let payload;
	if (token) h.Authorization = `Bearer ${token}`;
	if (body instanceof URLSearchParams) {
		payload = body.toString();
		h['Content-Type'] ??= 'application/x-www-form-urlencoded';
	} else if (typeof body === 'string' || Buffer.isBuffer(body)) {
		payload = body;
	} else if (body !== undefined) {
		payload = JSON.stringify(body);
		h['Content-Type'] ??= 'application/json';
	}
	if (payload !== undefined) h['Content-Length'] = Buffer.byteLength(payload);
	return new Promise((resolve, reject) => {
		const req = http.request(BASE + path, { method, headers: h, localAddress: addr, agent: false, timeout }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json = null;
				try { json = JSON.parse(text); } catch { /* html */ }
				resolve({ status: res.statusCode, headers: res.headers, text, json, toString: () => `${method} ${path} from ${addr} -> ${res.statusCode} ${text.slice(0, 200)}` });
			});
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

/* A WebSocket to /connect from `addr`: {ok, ws} or {ok: false, status, headers}. */
export function wsFrom(addr, headers = {}) {
	return new Promise((resolve) => {
		const ws = new WebSocket(`${WS_BASE}/connect`, { headers, localAddress: addr, perMessageDeflate: false, handshakeTimeout: 5000 });
		let upgradeHeaders = null;
		ws.on('upgrade', (res) => { upgradeHeaders = res.headers; });
		ws.on('open', () => resolve({ ok: true, ws, headers: upgradeHeaders }));
		ws.on('unexpected-response', (req, res) => {
			res.resume();
			resolve({ ok: false, status: res.statusCode, headers: res.headers });
			req.destroy();
		});
		ws.on('error', (e) => resolve({ ok: false, status: 0, error: e }));
	});
}
