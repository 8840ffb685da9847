// Several nodes (make test-multinode): two complete nodes -- each its own
// nginx with the production site and its own `messly serve` -- share one
// Redis (deploy/nginx/messly-redis.conf, nchan_redis_pass) and the test
// stack's PostgreSQL. What a user sends through node B reaches, live and
// exactly once, a user connected to node A. With Redis killed, sends still
// succeed (stored; the live path answers 503 to the workers, which log it);
// the messages come back through catch-up, and live delivery across the
// nodes recovers when Redis returns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { closeAll, sleep } from '../api/lib.mjs';
import { freePort, liveOn, registerOn, request, startNode, stopNode } from '../deploy/node.mjs';

let redisPort, redisDir, redis, nodeA, nodeB;

const redisUp = () => new Promise((resolve) => {
	const s = net.connect(redisPort, '127.0.0.1');
	s.once('connect', () => {
		s.write('PING\r\n');
		s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
	});
	s.once('error', () => resolve(false));
});

async function startRedis() {
	redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '',
		'--appendonly', 'no', '--dir', redisDir, '--daemonize', 'no'], { detached: true, stdio: 'ignore' });
	for (let i = 0; i < 100 && !(await redisUp()); i++) await sleep(50);
	assert.ok(await redisUp(), 'redis-server answers PING');
}

async function stopRedis(signal = 'SIGTERM') {
	if (!redis || redis.exitCode !== null || redis.signalCode !== null) return;
	const gone = new Promise((r) => redis.once('exit', r));
	process.kill(-redis.pid, signal);
	await gone;
}

before(async () => {
	assert.equal(spawnSync('sh', ['-c', 'command -v redis-server']).status, 0, 'redis-server is installed (deploy/install-deps.sh --redis)');
	redisPort = await freePort();
	redisDir = mkdtempSync('/tmp/messly-redis-');
	await startRedis();
	nodeA = await startNode({ name: 'a', redisPort });
	nodeB = await startNode({ name: 'b', redisPort });
});
after(async () => {
	await closeAll();
	await stopNode(nodeA);
	await stopNode(nodeB);
	await stopRedis('SIGKILL');
	rmSync(redisDir, { recursive: true, force: true });
});

let sender, reader, chatId;

async function sendVia(node, text) {
	const res = await request(node, 'POST', `/api/chats/${chatId}/messages`, {
		token: sender.token, body: { text, client_id: `mn-${Date.now()}-${Math.random().toString(36).slice(2)}` },
	});
	assert.equal(res.status, 201, `send via ${node.name}: ${res.status} ${res.text.slice(0, 200)}`);
	return res.json.message;
}

test('a message sent through node B reaches a socket on node A live, exactly once', async () => {
	sender = await registerOn(nodeB, 'mns');
	reader = await registerOn(nodeA, 'mnr');
	const chat = await request(nodeB, 'POST', '/api/chats', { token: sender.token, body: { kind: 'direct', nickname: reader.user.nickname } });
	assert.ok([200, 201].includes(chat.status), chat.text);
	chatId = chat.json.chat.id;
	const onA = await liveOn(nodeA, reader.token);
	const ownOnB = await liveOn(nodeB, sender.token);
	const m = await sendVia(nodeB, `across nodes ${Date.now()}`);
	await onA.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'the event on node A');
	await ownOnB.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, "the sender's own event on node B");
	// and the other way round
	const back = await sendVia(nodeA, `and back ${Date.now()}`);
	await ownOnB.waitFor((f) => f.type === 'message' && f.id === back.id, 5000, 'the event on node B');
	await sleep(500);
	assert.equal(onA.events(chatId).filter((f) => f.id === m.id).length, 1, 'exactly once on node A');
	assert.equal(ownOnB.events(chatId).filter((f) => f.id === back.id).length, 1, 'exactly once on node B');
	await onA.close();
	await ownOnB.close();
});

test('with Redis down sends are stored; after it returns the nodes deliver again', async () => {
	const before = await request(nodeA, 'GET', `/api/chats/${chatId}`, { token: reader.token });
	assert.equal(before.status, 200, before.text);
	const lastSeq = before.json.chat.last_seq;

	await stopRedis('SIGKILL');
	const whileDown = [];
	for (let i = 0; i < 3; i++) whileDown.push(await sendVia(nodeB, `while redis is down ${i}`));

	// catch-up from PostgreSQL through the other node finds all of them
	const caught = await request(nodeA, 'GET', `/api/chats/${chatId}/events?after=${lastSeq}`, { token: reader.token });
	assert.equal(caught.status, 200, caught.text);
	assert.deepEqual(caught.json.events.map((e) => e.id), whileDown.map((m) => m.id));

	await startRedis();
	// nchan reconnects with backoff (about 10 s measured here): keep trying a
	// fresh socket on A and a fresh send on B until one arrives.
	const deadline = Date.now() + 45000;
	let delivered = false;
	while (!delivered && Date.now() < deadline) {
		let live;
		try {
			live = await liveOn(nodeA, reader.token, { settle: 200 });
		} catch {
			await sleep(500);
			continue;
		}
		const m = await sendVia(nodeB, `after redis returned ${Date.now()}`);
		try {
			await live.waitFor((f) => f.type === 'message' && f.id === m.id, 2000, 'the event after recovery');
			delivered = true;
		} catch {
			/* not yet */
		}
		await live.close();
	}
	assert.ok(delivered, 'live delivery across nodes recovered after Redis came back');
	const logs = `${nodeA.appLog()}${nodeB.appLog()}`;
	assert.match(logs, /publish POST: nchan answered 5\d\d/, "the failed publishes were logged");
});
