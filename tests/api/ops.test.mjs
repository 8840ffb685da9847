// Operations: /healthz says whether the database and the publisher answer,
// /metrics exposes Prometheus counters, and every request leaves one
// structured log line (method, route pattern, status, time; no user text).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { api, request, register, directChat, send, closeAll } from './lib.mjs';
import { requestFrom } from './addr.mjs';

const VAR = process.env.MESSLY_VAR;
after(closeAll);

test('/healthz answers ok with the database and the publisher up', async () => {
	const res = await request('GET', '/healthz');
	assert.equal(res.status, 200);
	assert.deepEqual(JSON.parse(res.text), { status: 'ok', database: 'ok', publisher: 'ok' });
});

test('/metrics counts requests by route and status, with latency histograms', async () => {
	const A = await register('mx'), B = await register('my');
	const c = await directChat(A, B);
	await send(A, c.id, 'counted');
	assert.equal((await api('GET', '/api/chats/999999999', { token: A.token })).status, 404);
	const res = await request('GET', '/metrics');
	assert.equal(res.status, 200);
	assert.match(res.headers.get('content-type'), /text\/plain/);
	const text = res.text;
	assert.match(text, /messly_requests_total\{method="POST",route="\/chats\/#\/messages",status="2xx"\} [1-9]/);
	assert.match(text, /messly_requests_total\{method="GET",route="\/chats\/#",status="4xx"\} [1-9]/);
	assert.match(text, /messly_request_duration_seconds_bucket\{method="POST",route="\/chats\/#\/messages",le="\+Inf"\} [1-9]/);
	assert.match(text, /messly_publish_failures_total \d+/);
	assert.match(text, /messly_active_sockets \d+/);
	// no user text in labels: only route patterns
	assert.ok(!/counted/.test(text));
});

test('/metrics is refused from any other address', async () => {
	// nginx allows 127.0.0.1 and ::1 only; a spoofed header changes nothing
	const res = await requestFrom('127.0.0.9', 'GET', '/metrics', { headers: { 'X-Forwarded-For': '127.0.0.1' } });
	assert.equal(res.status, 403);
	const ok = await request('GET', '/metrics', { headers: { 'X-Forwarded-For': '203.0.113.9' } });
	assert.equal(ok.status, 200);
});

test('one structured log line per request, with the route pattern only', { skip: !VAR }, async () => {
	const A = await register('lg');
	const marker = 'secret-text-' + Date.now();
	await api('GET', `/api/users?q=${marker}`, { token: A.token });
	const log = readFileSync(join(VAR, 'log', 'messly.log'), 'utf8');
	assert.match(log, /request method=GET route=\/users status=200 ms=\d+\.\d{3}/);
	assert.match(log, /request method=POST route=\/register status=201 ms=/);
	assert.ok(!log.includes(marker), 'the query text reached the log');
});
