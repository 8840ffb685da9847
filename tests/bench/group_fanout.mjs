// Measures (does not assert) the send time to a group of 1,000 members.
// Not a test: run by hand against a stack, e.g. the one of `make run` or a
// kept test stack:
//   MESSLY_URL=http://127.0.0.1:PORT MESSLY_DB='host=... dbname=messly user=postgres' \
//     node tests/bench/group_fanout.mjs [members=1000] [sends=40]
// It inserts the members straight into the database (registration is rate
// limited and scrypt is slow on purpose), each with a session token, half
// of them reading Russian; creates the group through the API; opens
// WebSockets for a sample of members spread over every batch of 255
// channels; then times POST /api/chats/ID/messages in the group and, for
// comparison, in a direct chat, and checks the sample got every message.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { api, register, send, wsConnect, closeAll, RUN } from '../api/lib.mjs';

const N = Number(process.argv[2] || 1000);
const SENDS = Number(process.argv[3] || 40);
const psql = (sql) => execFileSync('psql', [process.env.MESSLY_DB, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });

const tokens = [];
const rows = [];
for (let i = 0; i < N; i++) {
	const token = randomBytes(32).toString('hex');
	tokens.push(token);
	const hash = createHash('sha256').update(token).digest('hex');
	rows.push(`('b_${RUN}_${i}', 'Bench ${i}', '${i % 2 ? 'ru' : 'en'}', '\\x${hash}')`);
}
psql(`WITH v(nick, name, lang, th) AS (VALUES ${rows.join(',')}),
  u AS (INSERT INTO users (email, nickname, name, lang) SELECT nick || '@bench.test', nick, name, lang FROM v RETURNING id, nickname)
  INSERT INTO sessions (token_hash, user_id, kind, expires_at) SELECT v.th::bytea, u.id, 'bearer', now() + interval '1 day' FROM v JOIN u ON u.nickname = v.nick`);

const owner = await register('bo');
const peer = await register('bp');
let t0 = performance.now();
const g = await api('POST', '/api/chats', { token: owner.token, body: { kind: 'group', name: `Bench ${N}`, members: rows.map((_, i) => `b_${RUN}_${i}`) } });
const createMs = performance.now() - t0;
if (g.status !== 201) throw new Error(`create: ${g.status} ${g.text.slice(0, 200)}`);
const chat = g.json.chat.id;
const direct = (await api('POST', '/api/chats', { token: owner.token, body: { kind: 'direct', nickname: peer.user.nickname } })).json.chat.id;

// a sample over every batch: the first and last of each 255, and every 25th
const sample = [...new Set([...Array(N).keys()].filter((i) => i % 25 === 0 || i % 255 === 0 || i % 255 === 254 || i === N - 1))];
const socks = [];
for (const i of sample) socks.push(await wsConnect(tokens[i], { settle: 0 }));
await new Promise((r) => setTimeout(r, 500));

async function timeSends(chatId, label) {
	const ms = [];
	for (let i = 0; i < SENDS; i++) {
		const t = performance.now();
		await send(owner, chatId, `${label} ${i}`);
		ms.push(performance.now() - t);
	}
	ms.sort((a, b) => a - b);
	return { median: ms[Math.floor(ms.length / 2)], p95: ms[Math.floor(ms.length * 0.95)], max: ms[ms.length - 1] };
}

await timeSends(direct, 'warm-up');
const d = await timeSends(direct, 'direct');
const gs = await timeSends(chat, 'group');
const last = `group ${SENDS - 1}`;
await Promise.all(socks.map((s) => s.waitFor((f) => f.message?.text === last, 15000, 'last group message')));
const missing = socks.filter((s) => s.frames.filter((f) => f.chat === chat && f.type === 'message' && f.message?.kind === 'text').length < SENDS).length;
const fmt = (x) => x.toFixed(1);
console.log(`members: ${N + 1}; create: ${fmt(createMs)} ms`);
console.log(`send to a direct chat (2 members): median ${fmt(d.median)} ms, p95 ${fmt(d.p95)} ms, max ${fmt(d.max)} ms over ${SENDS}`);
console.log(`send to the group (${N + 1} members, ${Math.ceil((N + 1) / 255)} publishes): median ${fmt(gs.median)} ms, p95 ${fmt(gs.p95)} ms, max ${fmt(gs.max)} ms over ${SENDS}`);
console.log(`sampled sockets: ${socks.length}, missing a message: ${missing}`);
await closeAll();
