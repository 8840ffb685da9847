// Hostile and malformed input: every answer is a clear 4xx, never a 5xx,
// and nothing is half-written.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	BASE, RUN, api, request, register, login, directChat, send, clientId, newUserFields, browserRegister,
	expectStatus, expectError, expectNo5xx, closeAll,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 60000 };

let A, B, chat, path;
before(async () => {
	[A, B] = await Promise.all([register('ba'), register('bb')]);
	chat = await directChat(A, B);
	path = `/api/chats/${chat.id}/messages`;
});

async function lastSeq() {
	const r = await api('GET', `/api/chats/${chat.id}`, { token: A.token });
	expectStatus(r, 200);
	return r.json.chat.last_seq;
}

/* POST raw bytes as JSON to the messages endpoint; expect one of `statuses`
 * and that no message was created. */
async function refusedRaw(body, statuses, note) {
	const before = await lastSeq();
	const res = await api('POST', path, { token: A.token, body });
	expectNo5xx(res, note);
	expectError(res, statuses, { note });
	assert.equal(await lastSeq(), before, `${note}: a message was created`);
	return res;
}

describe('malformed JSON', () => {
	const cid = () => clientId('bj');
	// [what, body, allowed statuses]
	const cases = [
		['truncated', () => '{"text": "hi", ', [400]],
		['trailing garbage', () => `{"text":"hi","client_id":"${cid()}"}garbage`, [400]],
		['two objects', () => `{"text":"hi","client_id":"${cid()}"}{"text":"again"}`, [400]],
		['top-level array', () => `[{"text":"hi","client_id":"${cid()}"}]`, [400]],
		['top-level string', () => '"hi"', [400]],
		['top-level number', () => '42', [400]],
		['top-level null', () => 'null', [400]],
		['single quotes', () => `{'text':'hi','client_id':'${cid()}'}`, [400]],
		['unquoted key', () => `{text:"hi","client_id":"${cid()}"}`, [400]],
		['trailing comma', () => `{"text":"hi","client_id":"${cid()}",}`, [400]],
		['comment', () => `{"text":"hi" /* c */,"client_id":"${cid()}"}`, [400]],
		['NaN', () => `{"text":"hi","client_id":"${cid()}","x":NaN}`, [400]],
		['bad escape', () => `{"text":"hi\\x41","client_id":"${cid()}"}`, [400]],
		['raw control char in string', () => `{"text":"a\u0001b","client_id":"${cid()}"}`, [400, 422]],
		['duplicate keys', () => `{"text":"a","text":"b","client_id":"${cid()}"}`, [400, 422]],
		['empty body', () => '', [400, 422]],
		['only whitespace', () => '   \n', [400, 422]],
	];
	for (const [what, make, statuses] of cases) {
		it(`${what} -> ${statuses.join('/')}`, T, async () => {
			await refusedRaw(make(), statuses, what);
		});
	}

	it('a lone surrogate escape is refused or stored as valid UTF-8', T, async () => {
		const res = await api('POST', path, { token: A.token, body: `{"text":"x\\ud800y","client_id":"${cid()}"}` });
		expectStatus(res, [201, 400, 422]);
		if (res.status === 201) assert.ok(!/[\ud800-\udfff]/.test(res.json.message.text), 'an unpaired surrogate came back');
	});

	it('whitespace around a valid object is fine', T, async () => {
		const res = await api('POST', path, { token: A.token, body: `\n  {"text":"padded","client_id":"${clientId()}"}  \n` });
		expectStatus(res, 201);
	});

	it('malformed JSON to /api/register and /api/login -> 400', T, async () => {
		for (const p of ['/api/register', '/api/login', '/api/chats']) {
			for (const body of ['{"login":', '[]', '{"a":1}x']) {
				const res = await api('POST', p, { body, token: p === '/api/chats' ? A.token : undefined });
				expectError(res, 400, { note: `${p} ${body}` });
			}
		}
	});
});

describe('invalid UTF-8 and NUL', () => {
	const bytes = (prefix, raw, suffix) => Buffer.concat([Buffer.from(prefix), Buffer.from(raw), Buffer.from(suffix)]);
	const seqs = [
		['0xff 0xfe', [0xff, 0xfe]],
		['lone continuation', [0x80]],
		['overlong /', [0xc0, 0xaf]],
		['encoded surrogate', [0xed, 0xa0, 0x80]],
		['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
		['truncated sequence', [0xe2, 0x82]],
	];
	for (const [what, raw] of seqs) {
		it(`JSON text with ${what} -> 400/422`, T, async () => {
			await refusedRaw(bytes('{"text":"a', raw, `b","client_id":"${clientId()}"}`), [400, 422], what);
		});
	}

	it('invalid UTF-8 in register fields -> 400/422, nobody created', T, async () => {
		const f = newUserFields('bu');
		const body = Buffer.concat([
			Buffer.from(`{"email":"${f.email}","password":"${f.password}","nickname":"${f.nickname}","name":"x`),
			Buffer.from([0xff]),
			Buffer.from('"}'),
		]);
		expectError(await api('POST', '/api/register', { body }), [400, 422]);
		expectStatus(await login(f.nickname, f.password), 401, 'a user was created from invalid UTF-8');
	});

	it('NUL (\\u0000) in message text -> 400/422', T, async () => {
		await refusedRaw(JSON.stringify({ text: 'before\u0000after', client_id: clientId() }), [400, 422], 'NUL text');
		await refusedRaw(JSON.stringify({ text: '\u0000', client_id: clientId() }), [400, 422], 'only NUL');
		await refusedRaw(JSON.stringify({ text: 'ok', client_id: 'id\u0000x' }), [400, 422], 'NUL client_id');
	});

	it('NUL in a password: refused at registration, never a login', T, async () => {
		const f = newUserFields('bn', { password: 'abcdefgh\u0000ijkl' });
		expectError(await api('POST', '/api/register', { body: f }), [400, 422], { note: 'NUL password' });
		const u = await register('bm');
		expectStatus(await login(u.user.nickname, `${u.password}\u0000garbage`), [400, 401, 422], 'password + NUL + garbage');
		const nulLogin = await login(`${u.user.nickname}\u0000x`, u.password);
		expectStatus(nulLogin, [400, 401, 422], 'NUL in login');
	});

	it('a raw NUL byte inside a JSON string -> 400', T, async () => {
		await refusedRaw(Buffer.from(`{"text":"a\u0000b","client_id":"${clientId()}"}`), [400, 422], 'raw NUL byte');
	});

	it('invalid UTF-8 and NUL in a form -> 400/422, nothing created', T, async () => {
		const w = await browserRegister('bf');
		const c = await directChat(A, { user: w.user });
		const seqOf = async () => (await api('GET', `/api/chats/${c.id}`, { token: A.token })).json.chat.last_seq;
		const before = await seqOf();
		await w.browser.get(`/chats/${c.id}`);
		const csrf = encodeURIComponent(w.browser.csrf);
		for (const body of [`csrf=${csrf}&text=%FF%FE`, `csrf=${csrf}&text=a%00b`, `csrf=${csrf}&text=%C0%AF`, `csrf=${csrf}&text=%ZZ`]) {
			const res = await w.browser.post(`/chats/${c.id}/messages`, {}, { body });
			expectStatus(res, [400, 422], `form ${body.replace(csrf, 'CSRF')}`);
		}
		const raw = Buffer.concat([Buffer.from(`csrf=${csrf}&text=a`), Buffer.from([0xff, 0xfe]), Buffer.from('b')]);
		expectStatus(await w.browser.post(`/chats/${c.id}/messages`, {}, { body: raw }), [400, 422], 'form raw 0xff');
		assert.equal(await seqOf(), before, 'a bad form created a message');
		const reg = await w.browser.post('/register', {}, { body: `csrf=${csrf}&email=a%FF%40x.y&password=passwordpassword&nickname=zz${RUN}&name=n` });
		expectNo5xx(reg, 'register form with %FF');
	});
});

describe('size and depth', () => {
	it('JSON nested 20 deep -> 400 (or 413/422)', T, async () => {
		const deep = '['.repeat(19) + ']'.repeat(19);
		await refusedRaw(`{"text":"hi","client_id":"${clientId()}","x":${deep}}`, [400, 413, 422], 'depth 20');
		const obj = '{"a":'.repeat(19) + '1' + '}'.repeat(19);
		await refusedRaw(`{"text":"hi","client_id":"${clientId()}","x":${obj}}`, [400, 413, 422], 'object depth 20');
	});

	it('JSON nested 30000 deep (within 64 KiB) -> 4xx, no crash', T, async () => {
		await refusedRaw(`{"x":${'['.repeat(30000)}`, [400, 413, 422], 'depth 30000 unclosed');
		await refusedRaw(`{"x":${'['.repeat(30000)}${']'.repeat(30000)}}`, [400, 413, 422], 'depth 30000 closed');
	});

	it('a body of exactly 64 KiB is accepted; one byte more -> 413', T, async () => {
		const obj = `{"text":"sixty-four","client_id":"${clientId()}"}`;
		const exact = obj + ' '.repeat(64 * 1024 - obj.length);
		assert.equal(Buffer.byteLength(exact), 65536);
		expectStatus(await api('POST', path, { token: A.token, body: exact }), 201, 'exactly 64 KiB');
		const obj2 = `{"text":"over","client_id":"${clientId()}"}`;
		const over = obj2 + ' '.repeat(64 * 1024 + 1 - obj2.length);
		const before = await lastSeq();
		expectStatus(await api('POST', path, { token: A.token, body: over }), 413, '64 KiB + 1');
		assert.equal(await lastSeq(), before);
	});

	it('huge bodies -> 413 (register, login, messages, forms)', T, async () => {
		const big = JSON.stringify({ text: 'x'.repeat(1024 * 1024), client_id: clientId() });
		for (const p of [path, '/api/register', '/api/login']) {
			const res = await api('POST', p, { token: p === path ? A.token : undefined, body: big });
			expectStatus(res, 413, p);
		}
		const form = await api('POST', '/register', { body: 'name=' + 'x'.repeat(200 * 1024), contentType: 'application/x-www-form-urlencoded', headers: { Origin: BASE } });
		expectStatus(form, 413, 'form');
	});

	it('a chunked body over 64 KiB -> 413', T, async () => {
		const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
		let n = 0;
		const stream = new ReadableStream({
			pull(ctrl) {
				if (n === 0) ctrl.enqueue(new TextEncoder().encode('{"text":"'));
				if (n++ < 6) ctrl.enqueue(chunk);
				else {
					ctrl.enqueue(new TextEncoder().encode(`","client_id":"${clientId()}"}`));
					ctrl.close();
				}
			},
		});
		let res;
		try {
			res = await request('POST', path, { token: A.token, body: undefined, headers: { 'Content-Type': 'application/json' }, fetchOptions: { body: stream, duplex: 'half' } });
		} catch (e) {
			assert.fail(`chunked upload: ${e.message}`);
		}
		expectStatus(res, 413);
	});

	it('more than 256 form/JSON pairs -> 400/413/422, no crash', T, async () => {
		const pairs = Array.from({ length: 300 }, (_, i) => `"k${i}":${i}`).join(',');
		await refusedRaw(`{"text":"hi","client_id":"${clientId()}",${pairs}}`, [400, 413, 422], '300 JSON keys');
		const res = await api('GET', `/api/users?${Array.from({ length: 300 }, (_, i) => `a${i}=1`).join('&')}&q=x`, { token: A.token });
		expectStatus(res, [200, 400, 413, 414, 422], '300 query pairs');
	});

	it('huge headers and URLs -> 4xx', T, async () => {
		expectStatus(await api('GET', '/api/me', { token: A.token, headers: { 'X-Big': 'h'.repeat(20000) } }), [400, 413, 431, 494]);
		expectStatus(await api('GET', `/api/users?q=${'a'.repeat(20000)}`, { token: A.token }), [200, 400, 414, 422]);
		expectStatus(await api('GET', '/api/me', { token: 't'.repeat(5000) }), [400, 401, 431]);
		expectStatus(await api('GET', '/api/me', { headers: { Cookie: 'messly_session=' + 'c'.repeat(5000) } }), [400, 401, 431]);
	});
});

describe('odd values', () => {
	it('text as a number / boolean is 201 as a string or refused; never 5xx', T, async () => {
		for (const text of [12345, true, 1e308]) {
			const res = await api('POST', path, { token: A.token, body: { text, client_id: clientId() } });
			expectStatus(res, [201, 400, 422], `text ${text}`);
			if (res.status === 201) assert.equal(typeof res.json.message.text, 'string');
		}
	});

	it('unicode edge cases round-trip exactly', T, async () => {
		for (const text of ['emoji 😀👍🏽 ' + RUN, 'combining é', 'tab\tinside', '«кириллица» ' + RUN, '\ud83d\ude00'.repeat(10)]) {
			const m = await send(A, chat.id, text);
			assert.equal(m.text, text);
			const back = (await api('GET', `${path}?limit=1`, { token: B.token })).json.messages[0];
			assert.equal(back.text, text);
		}
	});

	it('multi-line text keeps newlines; \\r\\n is normalised', T, async () => {
		const m = await send(A, chat.id, 'line one\r\nline two\nline three');
		assert.equal(m.text, 'line one\nline two\nline three');
	});

	it('garbage query strings and cookies -> 4xx or 200, never 5xx', T, async () => {
		for (const q of ['%', '%zz', '%ff', '%00', 'a%2', '%C0%AF', '&&&&', '=', '%E2%82']) {
			expectNo5xx(await api('GET', `/api/users?q=${q}`, { token: A.token }), `q=${q}`);
			expectNo5xx(await api('GET', `${path}?limit=${q}`, { token: A.token }), `limit=${q}`);
		}
		for (const cookie of ['messly_session', 'messly_session=', '=;=;;', 'messly_session=a; messly_session=b', 'messly_session="quoted"', 'a'.repeat(100)]) {
			expectStatus(await api('GET', '/api/me', { headers: { Cookie: cookie } }), [400, 401], `Cookie: ${cookie}`);
		}
		for (const auth of ['Bearer', 'Bearer ', 'bearer x', 'Bearer \u00ff', 'Token abc', 'Bearer a b']) {
			let res;
			try {
				res = await api('GET', '/api/me', { headers: { Authorization: auth } });
			} catch {
				continue; // fetch itself refuses some header values
			}
			expectStatus(res, [400, 401], `Authorization: ${auth}`);
		}
	});

	it('wrong or missing Content-Type -> 4xx, never 5xx', T, async () => {
		const body = JSON.stringify({ text: 'ct', client_id: clientId() });
		for (const ct of [null, 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1']) {
			const res = await api('POST', path, { token: A.token, body, contentType: ct });
			expectNo5xx(res, `Content-Type ${ct}`);
			if (ct === null || ct === 'text/plain' || ct === 'application/xml') expectStatus(res, [201, 400, 415, 422], `Content-Type ${ct}`);
		}
	});
});

describe('routes and methods', () => {
	it('unknown routes -> 404', T, async () => {
		for (const p of [`/api/nope-${RUN}`, `/api/chats/${chat.id}/nope`, `/api/v2/me`, `/api/me/extra`, `/nope-${RUN}`, '/api/', '/api']) {
			const res = await api('GET', p, { token: A.token });
			expectStatus(res, 404, p);
			if (p.startsWith('/api/') && p.length > 5) expectError(res, 404, { note: p });
		}
	});

	it('path tricks -> 404/400, never another user\'s data or 5xx', T, async () => {
		for (const p of ['/api/../api/me', '/api/%2e%2e/me', '/api//me', '/api/me%00', '/api/me/..', '/api/chats/%2F', '/static/../cgi/main.c', '/api/chats/1;DROP']) {
			expectNo5xx(await api('GET', p, { token: A.token }), p);
		}
	});

	const wrongMethods = () => [
		['POST', '/api/me'], ['PUT', '/api/me'], ['PUT', '/api/me/sessions'], ['POST', '/api/me/blocks'],
		['PUT', '/api/register'], ['DELETE', '/api/register'],
		['PUT', '/api/chats'], ['DELETE', '/api/chats'],
		['DELETE', `/api/chats/${chat.id}/messages`], ['PUT', `/api/chats/${chat.id}/messages`],
		['GET', `/api/chats/${chat.id}/read`], ['POST', `/api/chats/${chat.id}/events`],
		['POST', '/api/users'], ['PATCH', '/api/me/password'], ['GET', '/api/users/x/block'],
	];

	it('wrong method -> 405', T, async () => {
		for (const [m, p] of wrongMethods()) {
			const res = await api(m, p, { token: A.token, body: m === 'GET' ? undefined : {} });
			expectError(res, 405, { note: `${m} ${p}` });
		}
	});

	it('a 405 names the allowed methods, not the refused one (Allow header)', T, async () => {
		const bad = [];
		for (const [m, p] of wrongMethods()) {
			const res = await api(m, p, { token: A.token, body: m === 'GET' ? undefined : {} });
			const allow = res.headers.get('allow');
			if (!allow) bad.push(`${m} ${p}: no Allow header`);
			else if (allow.split(/\s*,\s*/).includes(m)) bad.push(`${m} ${p}: Allow: ${allow}`);
		}
		assert.deepEqual(bad, [], 'Allow header lists the refused method');
	});

	it('HEAD and OPTIONS never 5xx', T, async () => {
		for (const m of ['HEAD', 'OPTIONS']) {
			for (const p of ['/api/me', '/login', path]) expectNo5xx(await api(m, p, { token: A.token }), `${m} ${p}`);
		}
	});

	it('the server still answers after all of this', T, async () => {
		expectStatus(await api('GET', '/api/me', { token: A.token }), 200);
		const m = await send(B, chat.id, `still alive ${RUN}`);
		assert.ok(m.seq > 0);
	});
});
