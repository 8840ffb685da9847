// hold.mjs: one process of the connections scenario (bench.mjs starts two: one process may
// hold only as many sockets as its file limit allows). Opens COUNT WebSockets through
// /connect for bench users FROM.., each with its own bearer token, answers nchan's pings
// (ws does), holds them HOLD seconds, reports, and closes them when told on stdin.
//   node hold.mjs URL FROM COUNT HOLD      lines on stdout: {"event":"open"|"held", ...}
import { createHash } from 'node:crypto';
import WebSocket from 'ws';

const [url, from, count, hold] = [process.argv[2], ...process.argv.slice(3).map(Number)];
const token = (k) => createHash('sha256').update(`messly-bench-${k}`).digest('hex');
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const socks = [];
let closed = 0, failed = 0, next = 0;
const t0 = Date.now();

function open(i) {
	return new Promise((resolve) => {
		const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/connect`,
			{ headers: { Authorization: `Bearer ${token(from + i)}` }, perMessageDeflate: false, handshakeTimeout: 30000 });
		let up = false;
		ws.on('open', () => { up = true; socks.push(ws); resolve(); });
		ws.on('error', () => { if (!up) { failed++; resolve(); } });
		ws.on('close', () => { if (up) closed++; });
	});
}

await Promise.all(Array.from({ length: 150 }, async () => {
	while (next < count) await open(next++);
}));
say({ event: 'open', open: socks.length, failed, seconds: (Date.now() - t0) / 1000 });
await new Promise((r) => setTimeout(r, hold * 1000));
say({ event: 'held', open: socks.filter((s) => s.readyState === WebSocket.OPEN).length, closed, failed,
	rss_mb: Math.round(process.memoryUsage().rss / 1048576) });
process.stdin.once('data', () => {
	for (const s of socks) s.terminate();
	process.exit(0);
});
