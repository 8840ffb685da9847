// Limits: failed logins per account (100 an hour) and per address, registrations
// per address, sends per user (a burst, then 429 with Retry-After; a retry of a
// stored message is never refused), nginx's limit_req on login/register, and open
// sockets per user. deploy/test.sh sets MESSLY_LIMIT_LOGIN_ADDR=10,
// MESSLY_LIMIT_REGISTER_ADDR=5 and a send bucket of 50 (+50/s); the suite's own
// 127.0.0.1 is exempt from per-address limits, so these tests talk from 127.0.0.N.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { register, newUserFields, api, sleep, extractCsrf, BASE, RUN } from './lib.mjs';
import { requestFrom, wsFrom } from './addr.mjs';

const SOCKETS_PER_USER = 16; // nginx/messly.conf.in: limit_conn messly_sockets
const open = [];
after(() => { for (const ws of open) ws.terminate(); });

function expect429(res, what) {
	assert.equal(res.status, 429, `${what}: ${res}`);
	const ra = Number(res.headers['retry-after']);
	assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= 3600, `${what}: Retry-After ${res.headers['retry-after']}`);
	return ra;
}

describe('limits', () => {
	it('at most 100 failed logins an hour on one account, whatever the address', async () => {
		const v = await register('lim');
		const other = await register('limo');
		let n = 0;
		for (let a = 0; a < 20; a++) // 5 failures from each of 20 addresses: under every per-address limit
			for (let i = 0; i < 5; i++) {
				const r = await requestFrom(`127.0.1.${a + 1}`, 'POST', '/api/login', { body: { login: v.user.nickname, password: `wrong-${i}` } });
				assert.equal(r.status, 401, `failure ${++n}: ${r}`);
			}
		// the right password, from a fresh address: refused before hashing
		const blocked = await requestFrom('127.0.1.100', 'POST', '/api/login', { body: { login: v.user.nickname, password: v.password } });
		const ra = expect429(blocked, 'the 101st attempt');
		assert.ok(ra > 3000, `blocked for an hour from the first failure, Retry-After ${ra}`);
		assert.equal(blocked.json?.error?.code, 'rate_limited');
		// by email too (the same account), and as a form
		expect429(await requestFrom('127.0.1.101', 'POST', '/api/login', { body: { login: v.email, password: v.password } }), 'by email');
		const page = await requestFrom('127.0.1.101', 'GET', '/login');
		const pre = (page.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ');
		const form = await requestFrom('127.0.1.101', 'POST', '/login', {
			body: new URLSearchParams({ csrf: extractCsrf(page.text), login: v.user.nickname, password: v.password }),
			headers: { Cookie: pre, Origin: BASE },
		});
		expect429(form, 'form login');
		assert.match(form.headers['content-type'], /text\/html/);
		assert.match(form.text, /Too many failed attempts/);
		// another account is not affected
		const ok = await requestFrom('127.0.1.100', 'POST', '/api/login', { body: { login: other.user.nickname, password: other.password } });
		assert.equal(ok.status, 200, String(ok));
	});

	it('failed logins per address, known and unknown accounts alike', async () => {
		const v = await register('lima');
		const addr = '127.0.2.1';
		for (let i = 0; i < 10; i++) {
			const r = await requestFrom(addr, 'POST', '/api/login', { body: { login: `nobody_${RUN}_${i}`, password: 'wrong-password' } });
			assert.equal(r.status, 401, String(r));
		}
		expect429(await requestFrom(addr, 'POST', '/api/login', { body: { login: v.user.nickname, password: v.password } }), 'the 11th from one address');
		const elsewhere = await requestFrom('127.0.2.2', 'POST', '/api/login', { body: { login: v.user.nickname, password: v.password } });
		assert.equal(elsewhere.status, 200, `another address: ${elsewhere}`);
		// successes are free: many logins from one address never hit the limit
		for (let i = 0; i < 12; i++)
			assert.equal((await requestFrom('127.0.2.3', 'POST', '/api/login', { body: { login: v.user.nickname, password: v.password } })).status, 200);
	});

	it('registrations per address', async () => {
		const addr = '127.0.3.1';
		for (let i = 0; i < 5; i++) {
			const r = await requestFrom(addr, 'POST', '/api/register', { body: newUserFields('limr') });
			assert.equal(r.status, 201, String(r));
		}
		const refused = await requestFrom(addr, 'POST', '/api/register', { body: newUserFields('limr') });
		expect429(refused, 'the 6th registration');
		assert.equal(refused.json?.error?.code, 'rate_limited');
		// invalid forms are answered 422 without using the budget
		const bad = await requestFrom('127.0.3.2', 'POST', '/api/register', { body: { email: 'x' } });
		assert.equal(bad.status, 422);
		assert.equal((await requestFrom('127.0.3.2', 'POST', '/api/register', { body: newUserFields('limr') })).status, 201);
	});

	it('nginx limit_req on login/register: a burst from one address gets 429 with Retry-After', async () => {
		const results = await Promise.all(Array.from({ length: 40 }, () => requestFrom('127.0.4.1', 'GET', '/login')));
		const codes = results.map((r) => r.status);
		assert.ok(codes.includes(200), `some pass: ${codes}`);
		const limited = results.filter((r) => r.status === 429);
		assert.ok(limited.length > 0, `a burst of 40 must be cut (rate 5r/s, burst 20): ${codes}`);
		expect429(limited[0], 'nginx limit_req');
		assert.match(limited[0].headers['content-type'], /text\/html/);
		const api429 = (await Promise.all(Array.from({ length: 30 }, () => requestFrom('127.0.4.2', 'POST', '/api/login', { body: { login: 'x', password: 'y' } })))).find((r) => r.status === 429);
		assert.ok(api429, 'a burst of API logins is cut too');
		assert.equal(api429.json?.error?.code, 'rate_limited');
	});

	it('sending: a burst, then 429 with Retry-After; a retry of a stored message is never refused', async () => {
		const s = await register('lims');
		const peer = await register('limp');
		const chat = (await api('POST', '/api/chats', { token: s.token, body: { kind: 'direct', nickname: peer.user.nickname } })).json.chat.id;
		const send = (cid) => requestFrom('127.0.0.1', 'POST', `/api/chats/${chat}/messages`, { token: s.token, body: { text: `burst ${cid}`, client_id: cid } });
		const results = [];
		for (let batch = 0; batch < 10 && !results.some((r) => r.status === 429); batch++)
			results.push(...await Promise.all(Array.from({ length: 20 }, (_, i) => send(`b-${RUN}-${batch}-${i}`))));
		const created = results.filter((r) => r.status === 201);
		const limited = results.filter((r) => r.status === 429);
		assert.ok(created.length >= 50, `the burst of 50 passes: ${created.length} created`);
		assert.ok(limited.length > 0, `then 429: ${results.map((r) => r.status)}`);
		const ra = expect429(limited[0], 'send');
		assert.ok(ra <= 2, `the bucket refills at 50/s: Retry-After ${ra}`);
		assert.equal(limited[0].json?.error?.code, 'rate_limited');
		// while limited, a retry of a stored message gets its original answer
		const first = created[0].json.message;
		const again = await send(first.client_id);
		assert.equal(again.status, 200, String(again));
		assert.equal(again.json.message.id, first.id);
		assert.equal(again.json.message.seq, first.seq);
		// every accepted message is stored once, with gapless seqs
		// (the whole history, page by page: the refill while the batches run
		// can let more than one page's worth through)
		const messages = [];
		for (let before = '', more = true; more;) {
			const page = await api('GET', `/api/chats/${chat}/messages?limit=100${before}`, { token: s.token });
			messages.unshift(...page.json.messages);
			more = page.json.has_older && page.json.messages.length > 0;
			before = `&before=${page.json.messages[0]?.seq}`;
		}
		const seqs = messages.map((m) => m.seq);
		assert.equal(new Set(seqs).size, seqs.length);
		assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
		assert.equal(messages.filter((m) => m.text.startsWith('burst ')).length, created.length);
		await sleep(ra * 1000);
		assert.equal((await send(`after-${RUN}`)).status, 201, 'sending again after Retry-After');
	});

	it(`at most ${SOCKETS_PER_USER} open sockets per user`, async () => {
		const u = await register('limw');
		const auth = { Authorization: `Bearer ${u.token}` };
		for (let i = 0; i < SOCKETS_PER_USER; i++) {
			const r = await wsFrom('127.0.0.1', auth);
			assert.ok(r.ok, `socket ${i + 1}: ${r.status}`);
			open.push(r.ws);
		}
		const refused = await wsFrom('127.0.0.1', auth);
		assert.equal(refused.ok, false, 'one socket too many was accepted');
		assert.equal(refused.status, 429);
		// another user is not affected; closing one frees a place
		const other = await register('limx');
		const o = await wsFrom('127.0.0.1', { Authorization: `Bearer ${other.token}` });
		assert.ok(o.ok);
		open.push(o.ws);
		const ws = open.shift();
		await new Promise((r) => { ws.once('close', r); ws.close(); });
		await sleep(200);
		const again = await wsFrom('127.0.0.1', auth);
		assert.ok(again.ok, `after a close: ${again.status}`);
		open.push(again.ws);
	});
});
