// The fault test: nothing sent is lost, nothing is shown twice, and the service
// recovers by itself. Several clients send a steady stream of messages with client
// ids (retrying with the same id until they get a 2xx, as a careful client does)
// while faults are injected one after another:
//   - a worker SIGKILLed mid-send before the commit, after the commit and after the
//     publish (test-only fault points: cgi/fault.h, built with MODE=test only);
//   - PostgreSQL restarted (deploy/pg.sh);
//   - the app reloaded (SIGHUP to the messly master);
//   - nginx reloaded (SIGHUP) and restarted (deploy/nginx.sh restart);
//   - a client's socket stalled (it stops reading for a while).
//   - the upload disk filled up (a full tmpfs mounted over the files directory, as
//     root): uploads get a clear 507 and leave nothing behind, text keeps flowing,
//     and uploads work again once there is room.
// Every member has a display that applies live events and catches up from
// /api/chats/ID/events?after= exactly as static/app.js does (drop seq <= last, catch
// up on a gap, catch up after every (re)connect, reconnect with app.js's back-off).
// At the end: every send that got a 2xx is in the database exactly once; every
// member's display holds every message of its chats exactly once, in seq order,
// with no holes; every retry with a client_id returned the original message; and
// after each fault the service delivered a probe message end to end within
// RECOVERY_LIMIT_MS, without the test doing anything but what app.js does.
// Run by deploy/test.sh after the API and browser tests (it disrupts the stack).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { BASE, WS_BASE, RUN, register, directChat, sleep } from '../api/lib.mjs';

const run = promisify(execFile);
const VAR = process.env.MESSLY_VAR;
const ROOT = new URL('../..', import.meta.url).pathname;
const FAULT_FILE = process.env.MESSLY_FAULT_FILE;
const REPORT_DIR = process.env.MESSLY_REPORT_DIR;
const RECOVERY_LIMIT_MS = 15000; // stated bound: back to end-to-end delivery within 15 s
const SENDERS = 4;
const skip = !VAR || !FAULT_FILE || !existsSync(join(VAR, 'run', 'messly.pid'))
	? 'needs the test stack (deploy/test.sh) and a MODE=test build' : false;

/* ------------------------------------------------------------ HTTP */

// One attempt, no automatic retry: every answer is accounted for here.
async function call(method, path, token, body) {
	try {
		const res = await fetch(BASE + path, {
			method,
			headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
			body: body ? JSON.stringify(body) : undefined,
			signal: AbortSignal.timeout(10000),
		});
		const text = await res.text();
		let json = null;
		try { json = JSON.parse(text); } catch { /* an nginx error page */ }
		return { status: res.status, json, retryAfter: Number(res.headers.get('retry-after')) || 0 };
	} catch (e) {
		return { status: 0, json: null, error: e.cause?.code || e.message };
	}
}

/* ------------------------------------------------------------ displays */

// What one member's open chat shows, maintained exactly as static/app.js does.
class Display {
	constructor(name, token, chatIds) {
		this.name = name;
		this.token = token;
		this.chats = new Map(chatIds.map((id) => [id, { lastSeq: 0, list: [], byId: new Map(), inserts: new Map(), catching: null, again: false }]));
		this.ws = null;
		this.attempt = 0;
		this.timer = null;
		this.stableTimer = null;
		this.stopped = false;
		this.opens = 0;
		this.liveDropped = 0;
	}

	start() { this.connect(); }

	connect() {
		this.timer = null;
		if (this.ws || this.stopped) return;
		const ws = new WebSocket(`${WS_BASE}/connect`, { headers: { Authorization: `Bearer ${this.token}` }, perMessageDeflate: false });
		this.ws = ws;
		ws.on('open', () => {
			this.opens++;
			clearTimeout(this.stableTimer);
			this.stableTimer = setTimeout(() => { this.attempt = 0; }, 10000);
			for (const id of this.chats.keys()) this.catchUp(id);
		});
		ws.on('message', (data) => this.onFrame(data.toString('utf8')));
		ws.on('error', () => { /* followed by close */ });
		ws.on('close', () => {
			if (this.ws === ws) this.ws = null;
			clearTimeout(this.stableTimer);
			this.scheduleReconnect();
		});
	}

	// app.js: base = min(15 s, 500 ms * 2^attempt), delay = base/2 + random * base/2
	scheduleReconnect() {
		if (this.stopped || this.timer) return;
		const base = Math.min(15000, 500 * 2 ** this.attempt);
		this.attempt++;
		this.timer = setTimeout(() => this.connect(), base / 2 + Math.random() * base / 2);
	}

	onFrame(text) {
		let ev;
		try { ev = JSON.parse(text); } catch { return; }
		if (!ev || ev.type !== 'message' || ev.chat === undefined || typeof ev.seq !== 'number') return;
		const st = this.chats.get(ev.chat);
		if (st) this.applyLive(ev.chat, st, ev);
	}

	applyLive(chatId, st, ev) {
		if (ev.seq <= st.lastSeq) { this.liveDropped++; return; } // duplicate
		if (ev.seq > st.lastSeq + 1) { this.catchUp(chatId); return; } // gap
		if (this.put(st, ev)) st.lastSeq = ev.seq;
	}

	// app.js putMessage: replace the copy with the same id, else insert in seq order.
	put(st, ev) {
		if (!ev.html) return false;
		const seq = ev.message && typeof ev.message.seq === 'number' ? ev.message.seq : ev.seq;
		if (st.byId.has(ev.id)) return true;
		let at = st.list.length;
		while (at > 0 && st.list[at - 1].seq > seq) at--;
		st.list.splice(at, 0, { id: ev.id, seq });
		st.byId.set(ev.id, seq);
		st.inserts.set(ev.id, (st.inserts.get(ev.id) || 0) + 1);
		return true;
	}

	// app.js catchUp: one at a time per chat; a request while one runs asks for another round.
	catchUp(chatId) {
		const st = this.chats.get(chatId);
		if (st.catching) { st.again = true; return st.catching; }
		st.catching = (async () => {
			do {
				st.again = false;
				for (let round = 0; round < 100; round++) {
					const after = st.lastSeq;
					const r = await call('GET', `/api/chats/${chatId}/events?after=${after}`, this.token);
					if (r.status !== 200 || !r.json) return;
					for (const ev of r.json.events || []) if (ev && ev.id !== undefined && ev.html) this.put(st, ev);
					const last = typeof r.json.last_seq === 'number' ? r.json.last_seq : after;
					if (last > st.lastSeq) st.lastSeq = last;
					if (!r.json.more || st.lastSeq <= after) break;
				}
			} while (st.again);
		})().catch(() => {}).then(() => { st.catching = null; });
		return st.catching;
	}

	stall(ms) {
		const sock = this.ws?._socket;
		if (!sock) return false;
		sock.pause();
		setTimeout(() => sock.resume(), ms);
		return true;
	}

	has(chatId, id) { return this.chats.get(chatId).byId.has(id); }

	stop() {
		this.stopped = true;
		clearTimeout(this.timer);
		clearTimeout(this.stableTimer);
		if (this.ws) this.ws.terminate();
	}
}

/* ------------------------------------------------------------ the stack */

function masterPid() { return Number(readFileSync(join(VAR, 'run', 'messly.pid'), 'utf8').trim()); }
function nginxMasterPid() { return Number(readFileSync(join(VAR, 'run', 'nginx.master'), 'utf8').trim()); }

async function psql(sql) {
	const { stdout } = await run('psql', ['-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', process.env.MESSLY_DB, '-c', sql]);
	return stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

async function until(pred, ms, what) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await pred()) return;
		await sleep(50);
	}
	throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/* ------------------------------------------------------------ the test */

const displays = [];
after(() => { for (const d of displays) d.stop(); });

test('faults: nothing lost, nothing doubled, no holes, recovery by itself', { skip, timeout: 240000 }, async (t) => {
	// Senders in a ring of direct chats (each in two chats, each chat with two
	// members), plus a probe pair that measures end-to-end recovery.
	const users = [];
	for (let i = 0; i < SENDERS; i++) users.push(await register(`fs${i}`));
	const chats = [];
	for (let i = 0; i < SENDERS; i++) chats.push((await directChat(users[i], users[(i + 1) % SENDERS])).id);
	const chatsOf = users.map((_, i) => [chats[i], chats[(i + SENDERS - 1) % SENDERS]]);
	const [p0, p1] = [await register('fp0'), await register('fp1')];
	const probeChat = (await directChat(p0, p1)).id;
	for (let i = 0; i < SENDERS; i++) displays.push(new Display(`u${i}`, users[i].token, chatsOf[i]));
	const probeDisplays = [new Display('p0', p0.token, [probeChat]), new Display('p1', p1.token, [probeChat])];
	displays.push(...probeDisplays);
	for (const d of displays) d.start();
	await until(() => displays.every((d) => d.opens > 0), 10000, 'every display to connect');

	// ---- the senders
	const sent = new Map(); // client_id -> {chat, sender, answers: [{status, id, seq, created_at}], failures}
	const stats = { attempts: 0, failures: 0, retried: 0, rechecked: 0, mismatched: [] };
	let sending = true;
	const sendOne = async (user, chat, cid, text) => {
		const rec = { chat, sender: user.user.id, answers: [], failures: 0, text };
		sent.set(cid, rec);
		const giveUp = Date.now() + 60000;
		let delay = 100;
		while (Date.now() < giveUp) {
			stats.attempts++;
			const r = await call('POST', `/api/chats/${chat}/messages`, user.token, { text, client_id: cid });
			if ((r.status === 200 || r.status === 201) && r.json?.message) {
				const m = r.json.message;
				rec.answers.push({ status: r.status, id: m.id, seq: m.seq, created_at: m.created_at, text: m.text });
				return rec;
			}
			rec.failures++;
			stats.failures++;
			await sleep(r.status === 429 ? Math.max(delay, r.retryAfter * 1000) : delay);
			delay = Math.min(delay * 2, 1000);
		}
		return rec;
	};
	const senderLoop = async (i) => {
		let n = 0;
		while (sending) {
			n++;
			const chat = chatsOf[i][n % 2];
			const cid = `f-${RUN}-${i}-${n}`;
			const rec = await sendOne(users[i], chat, cid, `fault stream ${i}.${n} ${RUN}`);
			if (rec.failures > 0 && rec.answers.length) stats.retried++;
			// now and then, the same client_id again: the original message must come back
			if (rec.answers.length && n % 5 === 0) {
				const again = await call('POST', `/api/chats/${chat}/messages`, users[i].token, { text: rec.text, client_id: cid });
				if (again.status === 200 && again.json?.message) {
					const m = again.json.message;
					rec.answers.push({ status: 200, id: m.id, seq: m.seq, created_at: m.created_at, text: m.text });
					stats.rechecked++;
				}
			}
			await sleep(40);
		}
	};
	const loops = users.map((_, i) => senderLoop(i));

	// ---- the faults
	const faults = [];
	let probeN = 0;
	// Time from `since` until a new probe message is shown by both probe displays.
	const recovery = async (name, since) => {
		probeN++;
		const cid = `probe-${RUN}-${probeN}`;
		const rec = await sendOne(p0, probeChat, cid, `probe ${probeN} after ${name}`);
		assert.ok(rec.answers.length, `probe after ${name} never got a 2xx`);
		const id = rec.answers[0].id;
		await until(() => probeDisplays.every((d) => d.has(probeChat, id)), RECOVERY_LIMIT_MS, `the probe after ${name} to be displayed`);
		const ms = Date.now() - since;
		faults.push({ name, recovery_ms: ms });
		t.diagnostic(`fault ${name}: recovered in ${ms} ms`);
	};
	const armKill = async (point) => {
		writeFileSync(FAULT_FILE, point);
		await until(() => !existsSync(FAULT_FILE), 10000, `a send to reach ${point}`);
		const since = Date.now();
		// the master notices and starts a replacement
		await until(() => readFileSync(join(VAR, 'log', 'messly.log'), 'utf8').includes(`killing this worker at ${point}`), 5000, 'the fault log line');
		await recovery(`kill@${point}`, since);
	};

	await sleep(1500); // a steady stream first
	for (const round of [1, 2])
		for (const point of ['send.before-commit', 'send.after-commit', 'send.after-publish']) {
			await armKill(point);
			await sleep(round === 1 ? 300 : 600);
		}

	await run(join(ROOT, 'deploy', 'pg.sh'), [VAR, 'stop']);
	await sleep(1000);
	await run(join(ROOT, 'deploy', 'pg.sh'), [VAR, 'start']);
	await recovery('postgresql restart', Date.now());
	await sleep(500);

	process.kill(masterPid(), 'SIGHUP');
	await recovery('app reload (SIGHUP)', Date.now());
	await sleep(500);

	process.kill(nginxMasterPid(), 'SIGHUP');
	await recovery('nginx reload (SIGHUP)', Date.now());
	await sleep(500);

	await run(join(ROOT, 'deploy', 'nginx.sh'), [VAR, 'restart']);
	await recovery('nginx restart', Date.now());
	await sleep(500);

	// a member whose socket stops reading: the others must not wait for it
	const stalled = displays[2];
	const stallMs = 3000;
	assert.ok(stalled.stall(stallMs), 'a display to stall');
	await recovery('stalled socket (others)', Date.now());
	await sleep(stallMs);
	faults.at(-1).name = 'stalled socket';

	// the upload disk fills up
	const filesDir = process.env.MESSLY_FILES_DIR;
	if (filesDir && process.getuid && process.getuid() === 0) {
		const upload = async (name) => {
			const form = new FormData();
			form.append('file', new Blob([`${name} ${RUN} `.repeat(200)], { type: 'text/plain' }), name);
			const res = await fetch(`${BASE}/api/chats/${probeChat}/files`, {
				method: 'POST', headers: { Authorization: `Bearer ${p0.token}` }, body: form });
			return { status: res.status, json: await res.json().catch(() => null) };
		};
		const filesBefore = (await psql(`SELECT count(*) FROM files WHERE chat_id = ${probeChat}`))[0][0];
		await run('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', filesDir]);
		const since = Date.now();
		try {
			mkdirSync(join(filesDir, 'tmp'), { mode: 0o700 });
			try { writeFileSync(join(filesDir, 'filler'), Buffer.alloc(128 * 1024)); } catch { /* ENOSPC: full */ }
			const refused = await upload('during-full-disk.txt');
			assert.equal(refused.status, 507, `an upload to a full disk: ${JSON.stringify(refused)}`);
			assert.equal(refused.json?.error?.code, 'storage_full');
			assert.ok(refused.json.error.message.length > 0);
			await recovery('upload disk full (text still flows)', since);
		} finally {
			await run('umount', [filesDir]);
		}
		const filesDuring = (await psql(`SELECT count(*) FROM files WHERE chat_id = ${probeChat}`))[0][0];
		assert.equal(filesDuring, filesBefore, 'a refused upload left a files row behind');
		const again = await upload('after-full-disk.txt');
		assert.equal(again.status, 201, `an upload once there is room: ${JSON.stringify(again)}`);
		faults.at(-1).name = 'upload disk full';
	} else {
		t.diagnostic('upload disk fault skipped: needs root to mount a tmpfs');
	}

	await sleep(1500); // a steady stream after the last fault
	sending = false;
	await Promise.all(loops);

	// ---- convergence: displays only do what app.js does (live events + catch-up)
	const rows = await psql(`SELECT m.chat_id, m.seq, m.id, m.client_id, m.sender_id FROM messages m WHERE m.chat_id IN (${[...chats, probeChat].join(',')}) ORDER BY m.chat_id, m.seq`);
	const dbByChat = new Map();
	for (const [chat, seq, id, cid, sender] of rows) {
		if (!dbByChat.has(Number(chat))) dbByChat.set(Number(chat), []);
		dbByChat.get(Number(chat)).push({ seq: Number(seq), id: Number(id), cid, sender: Number(sender) });
	}
	const complete = (d) => [...d.chats].every(([chat, st]) => st.list.length === (dbByChat.get(chat) || []).length);
	const convergeStart = Date.now();
	let converged = true;
	try {
		await until(() => displays.every(complete), RECOVERY_LIMIT_MS, 'every display to show every message');
	} catch {
		converged = false;
	}
	const convergeMs = Date.now() - convergeStart;

	// ---- the figures
	let lost = 0, duplicated = 0, holes = 0, outOfOrder = 0, sends = 0, answerMismatch = 0;
	const problems = [];
	const byCid = new Map();
	for (const rowsOfChat of dbByChat.values()) for (const r of rowsOfChat) {
		if (r.cid) byCid.set(`${r.sender}:${r.cid}`, (byCid.get(`${r.sender}:${r.cid}`) || []).concat([r]));
	}
	for (const [cid, rec] of sent) {
		if (!rec.answers.length) continue; // never got a 2xx (none should remain; counted below)
		sends++;
		const inDb = byCid.get(`${rec.sender}:${cid}`) || [];
		if (inDb.length === 0) { lost++; problems.push(`lost: ${cid}`); continue; }
		if (inDb.length > 1) { duplicated += inDb.length - 1; problems.push(`duplicated in the database: ${cid}`); }
		for (const a of rec.answers) {
			const first = rec.answers[0];
			if (a.id !== inDb[0].id || a.seq !== inDb[0].seq || a.created_at !== first.created_at || a.text !== rec.text) {
				answerMismatch++;
				problems.push(`retry of ${cid} answered ${JSON.stringify(a)}, stored id ${inDb[0].id} seq ${inDb[0].seq}`);
			}
		}
	}
	const unanswered = [...sent.values()].filter((r) => !r.answers.length).length;
	for (const d of displays) {
		for (const [chat, st] of d.chats) {
			const db = dbByChat.get(chat) || [];
			const shown = new Set(st.list.map((x) => x.id));
			for (const r of db) if (!shown.has(r.id)) { lost++; problems.push(`${d.name} never displayed message ${r.id} (seq ${r.seq}) of chat ${chat}`); }
			for (const [id, n] of st.inserts) if (n > 1) { duplicated += n - 1; problems.push(`${d.name} displayed ${id} ${n} times`); }
			for (let i = 0; i < st.list.length; i++) {
				if (i > 0 && st.list[i].seq <= st.list[i - 1].seq) { outOfOrder++; problems.push(`${d.name} chat ${chat}: seq ${st.list[i].seq} after ${st.list[i - 1].seq}`); }
				if (st.list[i].seq !== i + 1) { holes++; problems.push(`${d.name} chat ${chat}: position ${i + 1} holds seq ${st.list[i].seq}`); break; }
			}
		}
	}
	const worst = Math.max(...faults.map((f) => f.recovery_ms), converged ? convergeMs : Infinity);
	const figures = {
		sends, attempts: stats.attempts, failed_attempts: stats.failures, retried_after_failure: stats.retried,
		retries_checked: stats.rechecked, faults: faults.length, lost, duplicated, holes, out_of_order: outOfOrder,
		answer_mismatches: answerMismatch, unanswered, worst_recovery_ms: worst, convergence_ms: convergeMs,
		recovery_limit_ms: RECOVERY_LIMIT_MS, fault_list: faults,
		live_duplicates_dropped: displays.reduce((n, d) => n + d.liveDropped, 0),
	};
	console.log(`# faults: sends ${sends}, faults ${faults.length}, lost ${lost}, duplicated ${duplicated}, holes ${holes}, ` +
		`out of order ${outOfOrder}, worst recovery ${worst} ms (limit ${RECOVERY_LIMIT_MS} ms); ` +
		`${stats.attempts} attempts, ${stats.failures} failed and retried, ${stats.rechecked} deliberate retries checked, ` +
		`${figures.live_duplicates_dropped} live duplicates dropped by seq`);
	if (REPORT_DIR) {
		mkdirSync(REPORT_DIR, { recursive: true });
		writeFileSync(join(REPORT_DIR, 'faults.json'), JSON.stringify(figures, null, 2) + '\n');
	}
	assert.deepEqual(problems.slice(0, 20), [], 'lost, duplicated, out-of-order or mismatched messages');
	assert.equal(unanswered, 0, 'sends that never got a 2xx within 60 s of retrying');
	assert.ok(converged, `displays did not converge within ${RECOVERY_LIMIT_MS} ms`);
	assert.ok(sends > 100, `only ${sends} sends`);
	assert.ok(stats.retried > 0, 'no send needed a retry: the faults did not hit the stream');
	assert.ok(worst <= RECOVERY_LIMIT_MS, `recovery took ${worst} ms`);
});

