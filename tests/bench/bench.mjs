// bench.mjs: the scenarios of `make bench` (issue 11), run by tests/bench/run.sh against a
// throw-away stack. Every figure is put next to a limit of this machine measured in the same
// run where one exists; the table goes to stdout, a copy to tests/bench/results.json.
// HTTP load comes from tests/bench/loadgen (C, epoll); WebSocket scenarios use Node + ws,
// whose own CPU time is reported so that one can see it was not the bottleneck.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const E = process.env;
const BASE = E.BENCH_URL;
const PORT = Number(E.BENCH_PORT);
const VAR = E.BENCH_VAR;
const TOOLS = E.BENCH_TOOLS;
const ROOT = E.MESSLY_HOME;
const ONLY = E.BENCH_ONLY ? new Set(E.BENCH_ONLY.split(',')) : null;
const WS_BASE = BASE.replace(/^http/, 'ws');
const rows = [];
const notes = [];
const t0 = Date.now();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[bench]', ...a);
const token = (k) => createHash('sha256').update(`messly-bench-${k}`).digest('hex');
const r1 = (x) => Math.round(x * 10) / 10;
const r2 = (x) => Math.round(x * 100) / 100;

function row(scenario, figure, value, unit, limit, limitValue, target, met) {
	const ratio = limitValue ? value / limitValue : null;
	rows.push({ scenario, figure, value: r2(value), unit, limit: limit || null,
		limit_value: limitValue == null ? null : r2(limitValue), ratio: ratio == null ? null : r2(ratio),
		target: target || null, met: met === undefined ? null : met });
	log(`${scenario} | ${figure}: ${r2(value)} ${unit}` + (limitValue ? ` (limit ${r2(limitValue)}, ratio ${r2(ratio)})` : ''));
}

/* ------------------------------------------------------------- tools */

function sql(query) {
	const r = spawnSync(join(E.BENCH_PGBIN, 'psql'), ['-X', '-q', '-tA', '-F', '\t', '-h', join(VAR, 'pgrun'),
		'-U', 'postgres', '-d', 'messly', '-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
	return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

function sqlFile(path) {
	const r = spawnSync(join(E.BENCH_PGBIN, 'psql'), ['-X', '-q', '-h', join(VAR, 'pgrun'), '-U', 'postgres',
		'-d', 'messly', '-v', 'ON_ERROR_STOP=1', '-f', path], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`psql -f ${path}: ${r.stderr}`);
}

/* A raw HTTP/1.1 request for loadgen. */
function rawRequest(method, path, { headers = {}, body } = {}) {
	let h = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${PORT}\r\n`;
	for (const [k, v] of Object.entries(headers)) h += `${k}: ${v}\r\n`;
	const b = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
	if (body !== undefined) h += `Content-Length: ${b.length}\r\n`;
	return Buffer.concat([Buffer.from(h + '\r\n'), b]);
}

function writeRequests(name, reqs) {
	const file = join(VAR, `${name}.req`);
	writeFileSync(file, Buffer.concat(reqs.flatMap((r) => [Buffer.from(`${r.length}\n`), r])));
	return file;
}

/* Run loadgen; resolves to its JSON. */
function loadgen(file, { conns = 16, secs = 5, warmup = 1, rate = 0 } = {}) {
	const args = ['-p', String(PORT), '-c', String(conns), '-d', String(secs), '-w', String(warmup), '-f', file];
	if (rate) args.push('-r', String(rate));
	return new Promise((resolve, reject) => {
		const p = spawn(join(TOOLS, 'loadgen'), args, { stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		p.stdout.on('data', (d) => (out += d));
		p.on('close', (code) => {
			if (code !== 0) return reject(new Error(`loadgen exited ${code}`));
			const j = JSON.parse(out);
			const bad = j.requests - j.ok;
			if (bad > 0) log(`loadgen ${file}: ${bad} of ${j.requests} not 2xx: ${JSON.stringify(j.status)} errors ${j.errors}`);
			resolve(j);
		});
	});
}

/* Every process of the stack: nginx, the app (master + workers), PostgreSQL. */
function stackPids() {
	const parent = new Map();
	for (const d of readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const s = readFileSync(`/proc/${d}/stat`, 'utf8');
			parent.set(Number(d), Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]));
		} catch { /* gone */ }
	}
	const pgMaster = Number(readFileSync(join(VAR, 'pg/postmaster.pid'), 'utf8').split('\n')[0]);
	const roots = { nginx: Number(E.BENCH_NGINX_PID), app: Number(E.BENCH_APP_PID), postgresql: pgMaster };
	const out = {};
	for (const [name, root] of Object.entries(roots)) {
		const set = new Set([root]);
		let grew = true;
		while (grew) {
			grew = false;
			for (const [pid, pp] of parent) if (set.has(pp) && !set.has(pid)) { set.add(pid); grew = true; }
		}
		out[name] = [...set];
	}
	return out;
}

/* PSS and RSS (MB) of the whole stack and of each part, from /proc/PID/smaps_rollup.
 * The yardstick's own PostgreSQL connections (application_name messly-bench-limit,
 * tests/bench/run.sh) are not part of the stack and are left out. */
function memory() {
	const res = { pss: 0, rss: 0, parts: {} };
	const yardstick = new Set(sql(`SELECT pid FROM pg_stat_activity WHERE application_name = 'messly-bench-limit'`)
		.map(([pid]) => Number(pid)));
	for (const [name, all] of Object.entries(stackPids())) {
		const pids = all.filter((pid) => !yardstick.has(pid));
		let pss = 0, rss = 0;
		for (const pid of pids) {
			try {
				const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
				pss += Number(/^Pss:\s+(\d+)/m.exec(t)[1]);
				rss += Number(/^Rss:\s+(\d+)/m.exec(t)[1]);
			} catch { /* gone */ }
		}
		res.parts[name] = { processes: pids.length, pss_mb: r1(pss / 1024), rss_mb: r1(rss / 1024) };
		res.pss += pss / 1024;
		res.rss += rss / 1024;
	}
	return res;
}

/* CPU seconds this Node process used while fn ran, and the wall time. */
async function withCpu(fn) {
	const c0 = process.cpuUsage(), w0 = performance.now();
	const result = await fn();
	const c = process.cpuUsage(c0);
	const wall = (performance.now() - w0) / 1000;
	return { result, nodeCpu: (c.user + c.system) / 1e6, wall };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(path, tok, body) {
	const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const headers = { 'Content-Type': 'application/json', 'Content-Length': data.length };
		if (tok) headers.Authorization = `Bearer ${tok}`;
		const req = http.request(`${BASE}${path}`, { method: 'POST', agent, headers }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
		});
		req.on('error', reject);
		req.end(data);
	});
}

/* Open a WebSocket; onFrame(buffer) for every frame. Resolves when open. */
function wsOpen(url, headers, onFrame, onClose) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { headers, perMessageDeflate: false, handshakeTimeout: 20000 });
		ws.on('open', () => resolve(ws));
		ws.on('message', (d) => onFrame(d));
		ws.on('error', (e) => reject(e));
		ws.on('unexpected-response', (_q, res) => reject(new Error(`ws refused: ${res.statusCode}`)));
		ws.on('close', (code) => onClose && onClose(code));
	});
}

/* Open many sockets, at most `parallel` handshakes at once. */
async function wsMany(n, makeOne, parallel = 200) {
	const out = new Array(n);
	let next = 0;
	await Promise.all(Array.from({ length: Math.min(parallel, n) }, async () => {
		while (next < n) {
			const i = next++;
			out[i] = await makeOne(i);
		}
	}));
	return out;
}

function closeAll(sockets) {
	for (const ws of sockets) if (ws) ws.terminate();
}

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
}

/* ------------------------------------------------------------- data */

let direct; // [{chat, a, b}] a = 2i-1 (sender), b = 2i
let groups; // [{chat, owner, members: [k...]}]

function loadIds() {
	direct = sql(`SELECT c.id, substr(u.nickname, 6)::int FROM chats c JOIN members m ON m.chat_id = c.id
		JOIN users u ON u.id = m.user_id WHERE c.kind = 'direct' AND u.nickname ~ '^bench[0-9]+$'
		AND substr(u.nickname, 6)::int % 2 = 1 ORDER BY 2`).map(([chat, a]) => ({ chat: Number(chat), a: Number(a), b: Number(a) + 1 }));
	groups = sql(`SELECT id, substr(title, 13)::int FROM chats WHERE kind = 'group' AND title LIKE 'bench-group-%' ORDER BY 2`)
		.map(([chat, g]) => {
			const first = 2001 + (Number(g) - 1) * 1000;
			return { chat: Number(chat), owner: first, members: Array.from({ length: 1000 }, (_, i) => first + i) };
		});
	if (direct.length !== 1000 || groups.length !== 4) throw new Error('seed data not found');
}

/* ------------------------------------------------------------- scenarios */

async function idle() {
	await sleep(2000);
	const m = memory();
	row('8. idle footprint', 'resident memory of the stack (PSS) after start', m.pss, 'MB', null, null, '< 100 MB', m.pss < 100);
	row('8. idle footprint', 'the same as RSS (shared pages counted per process)', m.rss, 'MB', null, null, null);
	notes.push(`idle footprint by part (PSS/RSS MB): ${Object.entries(m.parts).map(([k, v]) => `${k} ${v.pss_mb}/${v.rss_mb} (${v.processes} processes)`).join(', ')}`);
}

async function seed() {
	if (E.BENCH_SEEDED) return loadIds(); // development: a kept stack that is seeded already
	const w0 = Date.now();
	sqlFile(join(ROOT, 'tests/bench/seed.sql'));
	loadIds();
	log(`seeded 20,000 users, 1,000 direct chats with 1,000,000 messages, 4 groups of 1,000 in ${((Date.now() - w0) / 1000).toFixed(1)} s`);
}

/* GET /api/chats/ID/messages by each chat's first member. */
const readApiFile = () => writeRequests('read-api', direct.map((d) => rawRequest('GET', `/api/chats/${d.chat}/messages`,
	{ headers: { Authorization: `Bearer ${token(d.a)}` } })));

async function reading() {
	const hello = writeRequests('hello', [rawRequest('GET', '/bench/hello')]);
	const api = readApiFile();
	const page = writeRequests('read-page', direct.map((d) => rawRequest('GET', `/chats/${d.chat}`,
		{ headers: { Authorization: `Bearer ${token(d.a)}`, Accept: 'text/html' } })));
	const h = await loadgen(hello, { conns: 16, secs: 5 });
	const a = await loadgen(api, { conns: 16, secs: 5 });
	const p = await loadgen(page, { conns: 16, secs: 5 });
	const lim = 'FastCGI hello';
	row('5. reading', 'GET /api/chats/ID/messages (50 of 1M messages), requests/s', a.ok_rps, 'req/s', lim, h.ok_rps, '>= 50%', a.ok_rps >= 0.5 * h.ok_rps);
	row('5. reading', 'chat page /chats/ID (50 messages, HTML), pages/s', p.ok_rps, 'pages/s', lim, h.ok_rps, '>= 50%', p.ok_rps >= 0.5 * h.ok_rps);
	// latency at a steady moderate load (a quarter of each one's own saturation)
	const rateA = Math.max(50, Math.round(a.ok_rps / 4)), rateP = Math.max(50, Math.round(p.ok_rps / 4));
	const al = await loadgen(api, { conns: 16, secs: 5, rate: rateA });
	const pl = await loadgen(page, { conns: 16, secs: 5, rate: rateP });
	row('5. reading', `GET /api/chats/ID/messages p99 at ${rateA} req/s`, al.p99_ms, 'ms', null, null, '< 5 ms', al.p99_ms < 5);
	row('5. reading', `chat page p99 at ${rateP} pages/s`, pl.p99_ms, 'ms', null, null, '< 5 ms', pl.p99_ms < 5);
	notes.push(`reading at saturation (16 connections): API p50 ${a.p50_ms} ms p99 ${a.p99_ms} ms; page p50 ${p.p50_ms} ms p99 ${p.p99_ms} ms; hello p99 ${h.p99_ms} ms; at the steady rate API p50 ${al.p50_ms} ms, page p50 ${pl.p50_ms} ms`);
	notes.push(`loadgen CPU during the hello run: ${r2(h.cpu_seconds)} s of ${r2(h.wall_seconds)} s`);
}

async function sending() {
	const body = '{"text":"A benchmark message with **some** markdown, sent at saturation","client_id":"bench-################"}';
	const app = writeRequests('send-app', direct.map((d) => rawRequest('POST', `/api/chats/${d.chat}/messages`,
		{ headers: { Authorization: `Bearer ${token(d.a)}`, 'Content-Type': 'application/json' }, body })));
	const lim = writeRequests('send-limit', direct.map((d) => rawRequest('POST', `/bench/send?${d.chat}`,
		{ headers: { 'Content-Type': 'application/json' }, body })));
	// alternate the two, three times each, to share out the drift of a shared machine
	const A = [], L = [];
	for (let i = 0; i < 3; i++) {
		L.push(await loadgen(lim, { conns: 16, secs: 4 }));
		A.push(await loadgen(app, { conns: 16, secs: 4 }));
	}
	const med = (xs) => xs.map((x) => x.ok_rps).sort((x, y) => x - y)[1];
	const a = med(A), l = med(L);
	row('1. send throughput', 'POST /api/chats/ID/messages over 1,000 chats by 1,000 users, messages/s', a, 'msg/s',
		'FastCGI: 1 INSERT + 1 publish', l, '>= 70%', a >= 0.7 * l);
	notes.push(`send runs (msg/s, 16 connections, 4 s each): Messly ${A.map((x) => x.ok_rps).join(', ')}; yardstick ${L.map((x) => x.ok_rps).join(', ')}; Messly p50/p99 ${A[1].p50_ms}/${A[1].p99_ms} ms`);
	// PostgreSQL alone: the yardstick's INSERT through pgbench (prepared, 16 clients)
	const script = join(VAR, 'insert.pgbench');
	writeFileSync(script, `\\set chat random(${direct[0].chat}, ${direct[direct.length - 1].chat})\n` +
		`INSERT INTO bench_messages (chat_id, seq, version_seq, sender_id, kind, body, html) VALUES (:chat, nextval('bench_seq'), currval('bench_seq'), 1, 'text', 'pgbench message', 'pgbench message');\n`);
	const pg = spawnSync(join(E.BENCH_PGBIN, 'pgbench'), ['-n', '-M', 'prepared', '-c', '16', '-j', '2', '-T', '4',
		'-f', script, '-h', join(VAR, 'pgrun'), '-U', 'postgres', 'messly'], { encoding: 'utf8' });
	const tps = /tps = ([\d.]+)/.exec(pg.stdout);
	if (tps) row('1. send throughput', 'PostgreSQL alone: the same INSERT via pgbench, 16 clients', Number(tps[1]), 'tx/s', null, null, null);
	else log(`pgbench failed: ${pg.stderr}`);
}

/* Call sendOne(i, t) `rate` times a second for `secs` seconds, not waiting for answers. */
async function paced(rate, secs, sendOne) {
	let sent = 0, failed = 0;
	const start = performance.now();
	const all = [];
	await new Promise((resolve) => {
		const tick = setInterval(() => {
			const now = performance.now();
			const due = Math.floor(((now - start) / 1000) * rate);
			while (sent < due) {
				const i = sent++;
				const t = performance.now();
				all.push(sendOne(i, t).catch(() => failed++));
			}
			if (now - start >= secs * 1000) { clearInterval(tick); resolve(); }
		}, 2);
	});
	// every send answered (none left queued for the next run), then 3 s for the deliveries
	await Promise.all(all);
	await sleep(3000);
	return { sent, failed };
}

async function latency(RATE, SECS, target = true) {
	const N = 100;
	const pairs = direct.slice(0, N);
	// Messly: receivers are the other members, each on their own socket
	const pending = new Map();
	const lat = [];
	const onFrame = (buf) => {
		const m = /"client_id":"(lat[0-9]+-[0-9]+)"/.exec(buf.toString('latin1'));
		if (!m) return;
		const t = pending.get(m[1]);
		if (t === undefined) return;
		pending.delete(m[1]);
		lat.push(performance.now() - t);
	};
	const socks = await wsMany(N, (i) => wsOpen(`${WS_BASE}/connect`, { Authorization: `Bearer ${token(pairs[i].b)}` }, onFrame));
	await sleep(500);
	let failed = 0;
	const run = await withCpu(() => paced(RATE, SECS, async (i, t) => {
		const d = pairs[i % N], cid = `lat${RATE}-${i}`;
		pending.set(cid, t);
		const r = await post(`/api/chats/${d.chat}/messages`, token(d.a), { text: `latency probe ${i}`, client_id: cid });
		if (r.status !== 201) failed++;
	}));
	closeAll(socks);
	lat.sort((x, y) => x - y);
	// the yardstick: POST /bench/send, received on a plain nchan socket of its channel
	const lpending = new Map();
	const llat = [];
	const lsocks = await wsMany(N, (i) => wsOpen(`${WS_BASE}/bench/sub/bench-limit-${pairs[i].chat}`, {}, (buf) => {
		const m = /"client_id":"(lim[0-9]+-[0-9]+)"/.exec(buf.toString('latin1'));
		const t = m && lpending.get(m[1]);
		if (t === undefined || !m) return;
		lpending.delete(m[1]);
		llat.push(performance.now() - t);
	}));
	await sleep(500);
	const lrun = await withCpu(() => paced(RATE, SECS, async (i, t) => {
		const d = pairs[i % N], cid = `lim${RATE}-${i}`;
		lpending.set(cid, t);
		await post(`/bench/send?${d.chat}`, null, { text: `latency probe ${i}`, client_id: cid });
	}));
	closeAll(lsocks);
	llat.sort((x, y) => x - y);
	const p50 = percentile(lat, 0.5), p99 = percentile(lat, 0.99);
	row('2. end-to-end latency', `send to the other member's socket at ${RATE} msg/s, p50`, p50, 'ms', 'yardstick p50', percentile(llat, 0.5), target ? '< 3 ms' : null, target ? p50 < 3 : undefined);
	row('2. end-to-end latency', `the same at ${RATE} msg/s, p99`, p99, 'ms', 'yardstick p99', percentile(llat, 0.99), target ? '< 10 ms' : null, target ? p99 < 10 : undefined);
	notes.push(`latency at ${RATE} msg/s: Messly ${lat.length} of ${run.result.sent} delivered (${failed} sends failed, ${pending.size} not arrived 3 s after the last answer), max ${r1(lat[lat.length - 1])} ms; ` +
		`yardstick ${llat.length} of ${lrun.result.sent}; Node CPU ${r2(run.nodeCpu / run.wall * 100)}% of one core during the Messly run`);
}

async function fanout() {
	const received = new Map(); // client_id -> {n, last}
	let deliveries = 0, tracking = true;
	const onFrame = (buf) => {
		deliveries++;
		if (!tracking) return;
		const m = /"client_id":"(fan-[0-9]+)"/.exec(buf.toString('latin1'));
		const r = m && received.get(m[1]);
		if (r) { r.n++; r.last = performance.now(); }
	};
	const w0 = performance.now();
	const socks = await wsMany(4000, (i) => wsOpen(`${WS_BASE}/connect`,
		{ Authorization: `Bearer ${token(groups[Math.floor(i / 1000)].members[i % 1000])}` }, onFrame));
	log(`fan-out: 4,000 group members connected in ${r1((performance.now() - w0) / 1000)} s`);
	await sleep(1000);
	const g = groups[0];
	const times = [];
	let incomplete = 0;
	for (let i = 0; i < 40; i++) {
		const rec = { t0: performance.now(), n: 0, last: 0 };
		received.set(`fan-${i}`, rec);
		const r = await post(`/api/chats/${g.chat}/messages`, token(g.owner), { text: `fan-out ${i}`, client_id: `fan-${i}` });
		if (r.status !== 201) throw new Error(`fan-out send: ${r.status} ${r.body}`);
		await sleep(150);
		if (rec.n < 1000) { await sleep(1000); }
		if (rec.n >= 1000) times.push(rec.last - rec.t0); else incomplete++;
	}
	times.sort((x, y) => x - y);
	const p99 = percentile(times, 0.99);
	row('3. group fan-out', '1,000 connected members: send to the last member, p99 (40 messages)', p99, 'ms', null, null, '< 50 ms', p99 < 50 && incomplete === 0);
	// several groups at once: each group's owner sends in a closed loop
	tracking = false;
	const before = deliveries;
	const SECS = 5;
	const run = await withCpu(async () => {
		const end = performance.now() + SECS * 1000;
		let n = 0;
		await Promise.all(groups.map(async (gr) => {
			while (performance.now() < end) {
				await post(`/api/chats/${gr.chat}/messages`, token(gr.owner), { text: `fan-out load ${n}`, client_id: `fanl-${gr.chat}-${n++}` });
			}
		}));
		await sleep(1000);
	});
	const rate = (deliveries - before) / (SECS + 1);
	row('3. group fan-out', '4 groups of 1,000 sending at once: deliveries/s', rate, 'deliveries/s', null, null, null);
	notes.push(`fan-out: p50 ${r1(percentile(times, 0.5))} ms, max ${r1(times[times.length - 1])} ms, ${incomplete} messages not delivered to all 1,000; ` +
		`Node CPU ${r2(run.nodeCpu / run.wall * 100)}% of one core while receiving ${Math.round(rate)} frames/s`);
	closeAll(socks);
	await sleep(2000);
}

/* Start hold.mjs; resolves to a handle whose next(event) waits for that line. */
function holder(from, count, hold) {
	const p = spawn(process.execPath, [join(ROOT, 'tests/bench/hold.mjs'), BASE, String(from), String(count), String(hold)],
		{ stdio: ['pipe', 'pipe', 'inherit'] });
	const lines = [], waiters = [];
	let buf = '';
	p.stdout.on('data', (d) => {
		buf += d;
		let i;
		while ((i = buf.indexOf('\n')) >= 0) {
			const o = JSON.parse(buf.slice(0, i));
			buf = buf.slice(i + 1);
			const w = waiters.findIndex((x) => x.event === o.event);
			if (w >= 0) waiters.splice(w, 1)[0].resolve(o); else lines.push(o);
		}
	});
	return {
		next: (event) => new Promise((resolve) => {
			const i = lines.findIndex((x) => x.event === event);
			if (i >= 0) resolve(lines.splice(i, 1)[0]); else waiters.push({ event, resolve });
		}),
		close: () => new Promise((resolve) => { p.on('close', resolve); p.stdin.end('close\n'); }),
	};
}

async function connections() {
	const N = Number(E.BENCH_CONNECTIONS || 20000), HOLD = Number(E.BENCH_HOLD_SECS || 60);
	const m0 = memory();
	const half = Math.floor(N / 2);
	const hs = [holder(1, half, HOLD), holder(1 + half, N - half, HOLD)];
	const opened = await Promise.all(hs.map((h) => h.next('open')));
	const connectSecs = Math.max(...opened.map((o) => o.seconds));
	log(`connections: ${opened.reduce((a, o) => a + o.open, 0)} of ${N} sockets open in ${r1(connectSecs)} s; holding ${HOLD} s`);
	const held = await Promise.all(hs.map((h) => h.next('held')));
	const m1 = memory();
	await Promise.all(hs.map((h) => h.close()));
	const open = held.reduce((a, o) => a + o.open, 0), closed = held.reduce((a, o) => a + o.closed, 0);
	const failed = held.reduce((a, o) => a + o.failed, 0);
	const per1000 = (m1.pss - m0.pss) / (N / 1000);
	row('4. connections', `${N} idle WebSockets held ${HOLD} s: still open`, open, 'sockets', null, null, `${N}, none dropped`, open === N && closed === 0);
	row('4. connections', 'stack memory (PSS) per 1,000 connections', per1000, 'MB', null, null, '< 20 MB', per1000 < 20);
	notes.push(`connections: ${failed} refused, ${closed} closed during the hold; opened at ${Math.round(N / connectSecs)}/s through /connect; ` +
		`stack PSS ${r1(m0.pss)} -> ${r1(m1.pss)} MB (${Object.entries(m1.parts).map(([k, v]) => `${k} ${v.pss_mb}`).join(', ')}); ` +
		`client processes ${held.map((o) => o.rss_mb).join(' + ')} MB RSS`);
	await sleep(2000);
}

async function login() {
	// a few users with real password hashes at the production cost
	const users = [];
	for (let i = 0; i < 4; i++) {
		const nick = `blogin${i}${Date.now() % 100000}`;
		const r = await post('/api/register', null, { email: `${nick}@bench.invalid`, password: 'correct horse battery', nickname: nick, name: nick });
		if (r.status !== 201) throw new Error(`register: ${r.status} ${r.body}`);
		users.push(nick);
	}
	const logins = writeRequests('login', users.map((u) => rawRequest('POST', '/api/login',
		{ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: u, password: 'correct horse battery' }) })));
	const api = readApiFile();
	const READ_RATE = 100;
	// the yardstick: as many processes hashing as Messly's auth pool has workers (logins
	// and registrations have their own, cgi/server.c)
	const hashers = Number(E.MESSLY_AUTH_WORKERS || 1);
	const sc = spawnSync(join(TOOLS, 'limit'), ['--scrypt', String(E.MESSLY_SCRYPT_N), '5', String(hashers)], { encoding: 'utf8' });
	const hashes = JSON.parse(sc.stdout).hashes_per_s;
	const quiet = await loadgen(api, { conns: 32, secs: 5, rate: READ_RATE });
	const [l, busy] = await Promise.all([loadgen(logins, { conns: 8, secs: 6 }), loadgen(api, { conns: 32, secs: 5, rate: READ_RATE })]);
	row('9. login', `logins/s at scrypt N=${E.MESSLY_SCRYPT_N} (r=8, p=1), 8 clients`, l.ok_rps, 'logins/s', `scrypt hashes/s, ${hashers} processes`, hashes, null);
	row('9. login', `p99 of reading (${READ_RATE} req/s) during the login burst`, busy.p99_ms, 'ms', 'the same without logins', quiet.p99_ms, '< 20 ms', busy.p99_ms < 20);
	notes.push(`login: reads during the burst: ${busy.requests} answered (${busy.unfinished} unfinished 10 s after it), p50 ${busy.p50_ms} ms; ` +
		`without logins p50 ${quiet.p50_ms} ms; login p50/p99 ${l.p50_ms}/${l.p99_ms} ms`);
}

/* GET /api/search by a member of 50 of the 1,000 chats (seed.sql), one request at
 * a time: common and rare words, phrases, Russian, a word found nowhere. */
async function search() {
	const queries = ['fox', 'lunch', 'release plan', 'русском языке', 'deploy', 'friday meeting', 'noon',
		'Message 500', 'zebra', 'thanks everyone'];
	const file = writeRequests('search', queries.map((q) => rawRequest('GET', `/api/search?q=${encodeURIComponent(q)}`,
		{ headers: { Authorization: `Bearer ${token('search')}` } })));
	const s = await loadgen(file, { conns: 1, secs: 8 });
	row('6. search', 'GET /api/search over 1M messages, the searcher in 50 chats (50,000 messages): p50', s.p50_ms, 'ms',
		null, null, '< 20 ms', s.p50_ms < 20 && s.ok === s.requests);
	row('6. search', 'the same, p99', s.p99_ms, 'ms', null, null, '< 100 ms', s.p99_ms < 100 && s.ok === s.requests);
	notes.push(`search: ${s.requests} searches one at a time (${s.ok} answered 200) over ${queries.length} queries (${queries.join(', ')}); ${s.ok_rps}/s`);
}

/* POST /api/chats/ID/files with a 12-megapixel JPEG of about 2 MB: the answer comes
 * once the original, the view and the thumbnail are stored. */
function uploadPhoto(chat, tok, bytes, cid) {
	const fd = new FormData();
	fd.append('client_id', cid);
	fd.append('file', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
	return fetch(`${BASE}/api/chats/${chat}/files`, { method: 'POST', headers: { Authorization: `Bearer ${tok}`, Accept: 'application/json' }, body: fd })
		.then(async (res) => ({ status: res.status, json: await res.json().catch(() => null) }));
}

async function thumbnails() {
	const photo = join(VAR, 'photo.jpg');
	const mk = spawnSync(E.BENCH_MKIMAGE, ['jpeg', photo, '4000', '3000', '--noise', '0.25'], { encoding: 'utf8' });
	if (mk.status !== 0) throw new Error(`mkimage: ${mk.stderr}`);
	const bytes = readFileSync(photo);
	const mb = bytes.length / 1e6;
	const times = [];
	for (let i = 0; i < 12; i++) {
		const d = direct[i % direct.length];
		const t = performance.now();
		const r = await uploadPhoto(d.chat, token(d.a), bytes, `thumb-${Date.now()}-${i}`);
		const f = r.json?.message?.files?.[0];
		if (r.status !== 201 || !f?.thumb_url || !f.thumb_width) throw new Error(`upload: ${r.status} ${JSON.stringify(r.json)}`);
		if (i >= 2) times.push(performance.now() - t); // the first two warm the workers up
	}
	times.sort((x, y) => x - y);
	const p50 = percentile(times, 0.5);
	row('7. thumbnails', `12-MP JPEG (${r2(mb)} MB) upload to stored view and thumbnail, p50 of ${times.length}`, p50, 'ms',
		null, null, '< 150 ms', p50 < 150);
	row('7. thumbnails', 'the same, slowest', times[times.length - 1], 'ms', null, null, null);
	// throughput: four clients in a closed loop, each into its own chat
	const SECS = 8;
	let done = 0, failed = 0;
	const end = performance.now() + SECS * 1000;
	const w0 = performance.now();
	await Promise.all([0, 1, 2, 3].map(async (k) => {
		for (let n = 0; performance.now() < end; n++) {
			const d = direct[20 + k];
			const r = await uploadPhoto(d.chat, token(d.a), bytes, `thumbl-${Date.now()}-${k}-${n}`);
			if (r.status === 201) done++; else failed++;
		}
	}));
	const rate = done / ((performance.now() - w0) / 1000);
	row('7. thumbnails', `uploads/s of the same photo, 4 clients`, rate, 'uploads/s', null, null, null);
	notes.push(`thumbnails: photo ${r2(mb)} MB, 4000x3000; one at a time p50 ${r1(p50)} ms, fastest ${r1(times[0])} ms; ` +
		`4 clients: ${done} stored, ${failed} refused in ${SECS} s`);
}

/* ------------------------------------------------------------- main */

function table() {
	const head = ['scenario', 'figure', 'value', 'limit', 'ratio', 'target', 'met'];
	const body = rows.map((r) => [r.scenario, r.figure, r.value == null ? '' : `${r.value} ${r.unit}`,
		r.limit ? `${r.limit_value} (${r.limit})` : '', r.ratio == null ? '' : `${Math.round(r.ratio * 100)}%`,
		r.target || '', r.met == null ? '' : r.met ? 'yes' : 'NO']);
	return [head, ...body].map((c) => `| ${c.join(' | ')} |`).join('\n').replace(/\n/, `\n|${head.map(() => '---').join('|')}|\n`);
}

const scenarios = [
	['idle', idle], ['seed', seed], ['connections', connections], ['reading', reading], ['send', sending],
	['latency', () => latency(1000, 6)], ['latency', () => latency(100, 5, false)], ['fanout', fanout], ['login', login],
	['search', search], ['thumbnails', thumbnails],
];
const load0 = os.loadavg();
if (E.BENCH_HOLD) { // development: seed, print the environment, keep the stack up
	await seed();
	console.log(JSON.stringify(Object.fromEntries(Object.entries(E).filter(([k]) => /^(BENCH|MESSLY)_/.test(k) && k !== 'BENCH_HOLD'))));
	await new Promise(() => setInterval(() => {}, 1e6));
}
for (const [name, fn] of scenarios) {
	if (ONLY && !ONLY.has(name) && name !== 'seed') continue;
	log(`-- ${name}`);
	await fn();
}

const result = {
	date: new Date().toISOString(),
	machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30),
		loadavg_start: load0.map(r2), loadavg_end: os.loadavg().map(r2) },
	config: { workers: Number(E.BENCH_WORKERS), scrypt_n: Number(E.MESSLY_SCRYPT_N), synchronous_commit: 'on',
		nginx_worker_processes: 2, nginx_worker_connections: 16384 },
	seconds: Math.round((Date.now() - t0) / 1000),
	rows, notes,
};
writeFileSync(join(ROOT, 'tests/bench/results.json'), JSON.stringify(result, null, 2) + '\n');
console.log(table());
console.log('\nnotes:\n' + notes.map((n) => `- ${n}`).join('\n'));
console.log(`\n${result.seconds} s; load average ${result.machine.loadavg_start.join(' ')} at the start, ${result.machine.loadavg_end.join(' ')} at the end; results in tests/bench/results.json`);
agent.destroy();
process.exit(0);
