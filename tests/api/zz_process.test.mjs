// The process model: a worker that dies is restarted, SIGHUP reloads without
// dropping requests, and while PostgreSQL is down requests get a clear 503
// (JSON and HTML) and the workers reconnect when it is back.
// Named zz_ so it runs last: it stops the database for a moment.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { api, register, sleep, closeAll, BASE, directChat, send, request } from './lib.mjs';

const VAR = process.env.MESSLY_VAR;
const ROOT = new URL('../..', import.meta.url).pathname;
after(closeAll);

function masterPid() {
	return Number(readFileSync(join(VAR, 'run', 'messly.pid'), 'utf8').trim());
}

function workerPids(master) {
	const pids = [];
	for (const d of readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[1]) === master) pids.push(Number(d));
		} catch { /* gone */ }
	}
	return pids;
}

async function until(pred, ms = 10000, what = 'condition') {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await pred()) return;
		await sleep(100);
	}
	assert.fail(`timed out waiting for ${what}`);
}

const skip = !VAR || !existsSync(join(VAR, 'run', 'messly.pid'));

test('a killed worker is restarted and requests keep working', { skip }, async () => {
	const user = await register('proc');
	const master = masterPid();
	const before = workerPids(master);
	assert.ok(before.length >= 1, 'the master has workers');
	process.kill(before[0], 'SIGKILL');
	await until(() => {
		const now = workerPids(master);
		return now.length === before.length && !now.includes(before[0]);
	}, 10000, 'a replacement worker');
	for (let i = 0; i < 10; i++) {
		const res = await api('GET', '/api/me', { token: user.token });
		assert.equal(res.status, 200);
	}
	const log = readFileSync(join(VAR, 'log', 'messly.log'), 'utf8');
	assert.match(log, /worker \d+ died of signal 9/);
	assert.match(log, /restarting worker/);
});

test('SIGHUP replaces the workers without failing requests', { skip }, async () => {
	const user = await register('hup');
	const master = masterPid();
	const before = workerPids(master);
	const requests = [];
	let stop = false;
	const load = (async () => {
		while (!stop) requests.push((await api('GET', '/api/me', { token: user.token })).status);
	})();
	process.kill(master, 'SIGHUP');
	await until(() => workerPids(master).every((p) => !before.includes(p)), 10000, 'new workers');
	await sleep(300);
	stop = true;
	await load;
	assert.ok(requests.length > 0);
	assert.deepEqual([...new Set(requests)], [200], 'every request during the reload succeeded');
});

test('database down: 503 with a clear error, then recovery', { skip }, async () => {
	const user = await register('dbdown');
	execFileSync(join(ROOT, 'deploy', 'pg.sh'), [VAR, 'stop'], { stdio: 'ignore' });
	try {
		const res = await api('GET', '/api/me', { token: user.token });
		assert.equal(res.status, 503);
		assert.equal(res.json.error.code, 'unavailable');
		assert.ok(res.json.error.message.length > 0);
		const page = await fetch(BASE + '/login', { headers: { Cookie: 'messly_session=' + 'a'.repeat(64) } });
		assert.equal(page.status, 503);
		assert.match(page.headers.get('content-type'), /text\/html/);
	} finally {
		execFileSync(join(ROOT, 'deploy', 'pg.sh'), [VAR, 'start'], { stdio: 'ignore' });
	}
	await until(async () => (await api('GET', '/api/me', { token: user.token })).status === 200,
		15000, 'the app to reconnect');
	// every worker has reconnected: a burst of requests all succeed
	for (let i = 0; i < 10; i++)
		assert.equal((await api('GET', '/api/me', { token: user.token })).status, 200);
});

/* The chat page sends its reads after the session lookup together, in one
 * pipeline (cgi/db.c, db_batch_run). A test-only hold (cgi/fault.h,
 * "page.reads") keeps a page request between the two while the database
 * restarts or stops: a restart is survived on a new connection (the reads
 * are sent again), a database that stays down gives the 503 page, and the
 * worker reconnects when it is back. */
const FAULT = process.env.MESSLY_FAULT_FILE;
const heldPage = async (token, chat, whileHeld) => {
	const held = `${FAULT}.held`;
	rmSync(held, { force: true });
	writeFileSync(FAULT, 'hold:page.reads\n');
	try {
		const page = request('GET', `/chats/${chat}`, { token, headers: { Accept: 'text/html' }, timeout: 30000 });
		await until(() => existsSync(held), 10000, 'a page request to reach its reads');
		await whileHeld();
		rmSync(FAULT, { force: true });
		return await page;
	} finally {
		rmSync(FAULT, { force: true });
		rmSync(held, { force: true });
	}
};
const pg = (what) => execFileSync(join(ROOT, 'deploy', 'pg.sh'), [VAR, what], { stdio: 'ignore' });

test('the chat page\'s batched reads survive a database restart and give 503 while it is down', { skip: skip || (!FAULT && 'needs MESSLY_FAULT_FILE') }, async () => {
	const a = await register('pipea'), b = await register('pipeb');
	const chat = await directChat(a, b);
	const text = `pipelined ${Date.now()}`;
	await send(b, chat.id, text);
	const logged = () => readFileSync(join(VAR, 'log', 'messly.log'), 'utf8').split('database connection lost in a batch').length - 1;
	const lost = logged();
	const again = await heldPage(a.token, chat.id, async () => { pg('stop'); pg('start'); });
	assert.equal(again.status, 200, `the page after a restart under it: ${again.status}`);
	assert.ok(again.text.includes(text), 'the page shows the history');
	assert.equal(logged(), lost + 1, 'the reads met the lost connection once and were sent again');
	let down;
	try {
		down = await heldPage(a.token, chat.id, async () => pg('stop'));
	} finally {
		pg('start');
	}
	assert.equal(down.status, 503, `the page while the database is down: ${down.status}`);
	assert.match(down.headers.get('content-type'), /text\/html/);
	await until(async () => (await request('GET', `/chats/${chat.id}`, { token: a.token, headers: { Accept: 'text/html' } })).status === 200,
		15000, 'the chat page once the database is back');
});
