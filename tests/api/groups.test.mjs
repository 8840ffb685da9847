// Group chats: the authorization table (every action x {owner, admin,
// member, removed member, never a member}, JSON and HTML), service messages
// for every kind of change in English and Russian, live delivery to every
// member and to none after removal, and invite links (valid, used up,
// revoked, expired).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
	RUN, api, register, login, send, clientId, sleep, wsConnect, closeAll, browserRegister,
	expectStatus, expectError, directChat, htmlText,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 120000 };
const QUIET_MS = 1500;

/* Time travel for expiry: the test stack's own database (MESSLY_DB). */
function psql(sql) {
	assert.ok(process.env.MESSLY_DB, 'MESSLY_DB is set by deploy/test.sh');
	return execFileSync('psql', [process.env.MESSLY_DB, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
}

async function createGroup(owner, members, name = `G ${RUN}`, description = '') {
	const res = await api('POST', '/api/chats', {
		token: owner.token,
		body: { kind: 'group', name, description, members: members.map((u) => u.user.nickname) },
	});
	expectStatus(res, 201, 'create group');
	return res.json.chat;
}

async function info(user, chatId) {
	const res = await api('GET', `/api/chats/${chatId}`, { token: user.token });
	expectStatus(res, 200, 'group info');
	return res.json.chat;
}

async function messages(user, chatId) {
	const res = await api('GET', `/api/chats/${chatId}/messages`, { token: user.token });
	expectStatus(res, 200, 'messages');
	return res.json.messages;
}

/* A person with both a bearer token (JSON) and a browser session (forms). */
async function person(prefix) {
	const w = await browserRegister(prefix);
	const res = await login(w.user.nickname, w.password);
	expectStatus(res, 200, 'login for a token');
	return { user: w.user, token: res.json.token, browser: w.browser };
}

describe('group authorization table', () => {
	let O, A, M, R, N, Tg, X;
	before(async () => {
		// one at a time: registration is rate limited per address
		O = await person('ao');
		A = await person('aa');
		M = await person('am');
		R = await person('ar');
		N = await person('an');
		Tg = await register('at');
		X = await register('ax');
	});

	/* A fresh group: O owner, A admin, M and Tg members, R added then removed,
	 * plus an invite link made by O. */
	async function fresh() {
		const chat = await createGroup(O, [A, M, R, Tg]);
		expectStatus(await api('PUT', `/api/chats/${chat.id}/members/${A.user.nickname}/role`, { token: O.token, body: { role: 'admin' } }), 204, 'promote A');
		expectStatus(await api('DELETE', `/api/chats/${chat.id}/members/${R.user.nickname}`, { token: O.token }), 204, 'remove R');
		const inv = await api('POST', `/api/chats/${chat.id}/invites`, { token: O.token, body: {} });
		expectStatus(inv, 201, 'invite');
		return { id: chat.id, code: inv.json.code };
	}

	const t = () => Tg.user.nickname;
	// [name, json(user, g) -> response, html(user, g) -> response, expected for O, A, M, R, N]
	const actions = [
		['view info', (u, g) => api('GET', `/api/chats/${g.id}`, { token: u.token }),
			(u, g) => u.browser.get(`/chats/${g.id}/info`), [200, 200, 200, 404, 404]],
		['read messages', (u, g) => api('GET', `/api/chats/${g.id}/messages`, { token: u.token }),
			(u, g) => u.browser.get(`/chats/${g.id}`), [200, 200, 200, 404, 404]],
		['send a message', (u, g) => api('POST', `/api/chats/${g.id}/messages`, { token: u.token, body: { text: 'hi', client_id: clientId() } }),
			(u, g) => u.browser.post(`/chats/${g.id}/messages`, { text: 'hi' }), [201, 201, 201, 404, 404]],
		['rename', (u, g) => api('PATCH', `/api/chats/${g.id}`, { token: u.token, body: { name: 'Renamed' } }),
			(u, g) => u.browser.post(`/chats/${g.id}/edit`, { name: 'Renamed' }), [204, 204, 403, 404, 404]],
		['describe', (u, g) => api('PATCH', `/api/chats/${g.id}`, { token: u.token, body: { description: 'About' } }),
			(u, g) => u.browser.post(`/chats/${g.id}/edit`, { description: 'About' }), [204, 403, 403, 404, 404]],
		['add a member', (u, g) => api('POST', `/api/chats/${g.id}/members`, { token: u.token, body: { nickname: X.user.nickname } }),
			(u, g) => u.browser.post(`/chats/${g.id}/members`, { nickname: X.user.nickname }), [204, 204, 403, 404, 404]],
		['remove a member', (u, g) => api('DELETE', `/api/chats/${g.id}/members/${t()}`, { token: u.token }),
			(u, g) => u.browser.post(`/chats/${g.id}/members/${t()}/remove`), [204, 204, 403, 404, 404]],
		['promote', (u, g) => api('PUT', `/api/chats/${g.id}/members/${t()}/role`, { token: u.token, body: { role: 'admin' } }),
			(u, g) => u.browser.post(`/chats/${g.id}/members/${t()}/role`, { role: 'admin' }), [204, 403, 403, 404, 404]],
		['transfer ownership', (u, g) => api('POST', `/api/chats/${g.id}/owner`, { token: u.token, body: { nickname: t() } }),
			(u, g) => u.browser.post(`/chats/${g.id}/owner`, { nickname: t() }), [204, 403, 403, 404, 404]],
		['leave', (u, g) => api('POST', `/api/chats/${g.id}/leave`, { token: u.token }),
			(u, g) => u.browser.post(`/chats/${g.id}/leave`), [204, 204, 204, 404, 404]],
		['delete', (u, g) => api('DELETE', `/api/chats/${g.id}`, { token: u.token }),
			(u, g) => u.browser.post(`/chats/${g.id}/delete`), [204, 403, 403, 404, 404]],
		['create an invite link', (u, g) => api('POST', `/api/chats/${g.id}/invites`, { token: u.token, body: { max_uses: 3 } }),
			(u, g) => u.browser.post(`/chats/${g.id}/invites`, { expires_in: '3600', max_uses: '' }), [201, 201, 403, 404, 404]],
		['list invite links', (u, g) => api('GET', `/api/chats/${g.id}/invites`, { token: u.token }),
			(u, g) => u.browser.get(`/chats/${g.id}/invites`), [200, 200, 403, 404, 404]],
		['revoke an invite link', (u, g) => api('DELETE', `/api/invites/${g.code}`, { token: u.token }),
			(u, g) => u.browser.post(`/invites/${g.code}/revoke`), [204, 204, 403, 404, 404]],
	];
	const who = () => [['owner', O], ['admin', A], ['member', M], ['removed member', R], ['never a member', N]];

	for (const view of ['JSON', 'HTML']) {
		it(`every action x every role (${view})`, T, async () => {
			const cells = [];
			for (const [name, json, html, want] of actions) {
				who().forEach(([role, u], i) => cells.push({ name, run: view === 'JSON' ? json : html, role, u, want: want[i] }));
			}
			const failures = [];
			// a few cells at a time: each gets its own fresh group
			for (let i = 0; i < cells.length; i += 6) {
				await Promise.all(cells.slice(i, i + 6).map(async (c) => {
					const g = await fresh();
					const before = await info(O, g.id);
					const res = await c.run(c.u, g);
					let want = c.want;
					if (view === 'HTML' && (want === 201 || want === 204)) want = 303;
					if (view === 'HTML' && want === 200 && c.name === 'send a message') want = 303;
					if (res.status !== want) {
						failures.push(`${c.name} as ${c.role}: want ${want}, got ${res.status} ${res.text.slice(0, 160)}`);
						return;
					}
					if (view === 'JSON' && want >= 400) expectError(res, want, { note: `${c.name} as ${c.role}` });
					if (view === 'HTML' && want >= 400) assert.match(res.headers.get('content-type') || '', /text\/html/);
					if (want >= 400) {
						// a refusal changes nothing
						const after = await info(O, g.id);
						assert.equal(after.last_seq, before.last_seq, `${c.name} as ${c.role} was refused but the chat changed`);
						assert.equal(after.members.length, before.members.length);
					}
				}));
			}
			assert.deepEqual(failures, [], failures.join('\n'));
		});
	}

	it('admins cannot act on admins or the owner; nobody removes themselves', T, async () => {
		const g = await fresh();
		expectStatus(await api('PUT', `/api/chats/${g.id}/members/${M.user.nickname}/role`, { token: O.token, body: { role: 'admin' } }), 204);
		// A (admin) vs M (now admin) and O (owner)
		expectError(await api('DELETE', `/api/chats/${g.id}/members/${M.user.nickname}`, { token: A.token }), 403);
		expectError(await api('DELETE', `/api/chats/${g.id}/members/${O.user.nickname}`, { token: A.token }), 403);
		expectError(await api('PUT', `/api/chats/${g.id}/members/${M.user.nickname}/role`, { token: A.token, body: { role: 'member' } }), 403);
		expectError(await api('DELETE', `/api/chats/${g.id}/members/${O.user.nickname}`, { token: O.token }), 422, { field: 'nickname' });
		// targets that are not members, not users, bad roles
		expectError(await api('DELETE', `/api/chats/${g.id}/members/${R.user.nickname}`, { token: O.token }), 404);
		expectError(await api('DELETE', `/api/chats/${g.id}/members/nobody_${RUN}`, { token: O.token }), 404);
		expectError(await api('PUT', `/api/chats/${g.id}/members/${t()}/role`, { token: O.token, body: { role: 'owner' } }), 422, { field: 'role' });
		expectError(await api('POST', `/api/chats/${g.id}/members`, { token: O.token, body: { nickname: M.user.nickname } }), 409);
		expectError(await api('POST', `/api/chats/${g.id}/members`, { token: O.token, body: { nickname: `nobody_${RUN}` } }), 422, { field: 'nickname' });
		// the owner removes an admin
		expectStatus(await api('DELETE', `/api/chats/${g.id}/members/${M.user.nickname}`, { token: O.token }), 204);
		const c = await info(O, g.id);
		assert.deepEqual(c.members.map((m) => [m.nickname, m.role]).sort(),
			[[O.user.nickname, 'owner'], [A.user.nickname, 'admin'], [t(), 'member']].sort());
	});

	it('group actions on a direct chat are refused', T, async () => {
		const d = await directChat(O, A);
		expectError(await api('PATCH', `/api/chats/${d.id}`, { token: O.token, body: { name: 'x' } }), 403);
		expectError(await api('DELETE', `/api/chats/${d.id}`, { token: O.token }), 403);
		expectError(await api('GET', `/api/chats/${d.id}`, { token: N.token }), 404);
	});

	it('the info page shows only the actions the role allows', T, async () => {
		const g = await fresh();
		const forms = async (u) => {
			const p = await u.browser.get(`/chats/${g.id}/info`);
			expectStatus(p, 200);
			return [...p.text.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1].replace(String(g.id), 'ID'))
				.filter((a) => a.startsWith('/chats/ID') || a.startsWith('/invites/'));
		};
		const o = await forms(O), a = await forms(A), m = await forms(M);
		for (const f of ['/chats/ID/edit', '/chats/ID/members', '/chats/ID/invites', '/chats/ID/delete', '/chats/ID/leave', '/chats/ID/owner',
			`/chats/ID/members/${t()}/remove`, `/chats/ID/members/${t()}/role`, `/invites/${g.code}/revoke`]) assert.ok(o.includes(f), `owner sees ${f}`);
		for (const f of ['/chats/ID/edit', '/chats/ID/members', '/chats/ID/invites', '/chats/ID/leave', `/chats/ID/members/${t()}/remove`]) assert.ok(a.includes(f), `admin sees ${f}`);
		for (const f of ['/chats/ID/delete', '/chats/ID/owner', `/chats/ID/members/${t()}/role`, `/chats/ID/members/${O.user.nickname}/remove`]) assert.ok(!a.includes(f), `admin does not see ${f}`);
		assert.deepEqual(m, ['/chats/ID/leave'], 'a member sees only "leave"');
		const adminPage = await A.browser.get(`/chats/${g.id}/info`);
		assert.ok(!adminPage.text.includes('id="edit-description"'), 'admins cannot edit the description');
	});
});

describe('creating groups', () => {
	let O, B;
	before(async () => {
		O = await person('co');
		B = await register('cb');
	});

	it('validates name, description and members', T, async () => {
		const bad = async (body, field) => expectError(await api('POST', '/api/chats', { token: O.token, body: { kind: 'group', ...body } }), 422, { field });
		await bad({ name: '' }, 'name');
		await bad({ name: '   ' }, 'name');
		await bad({ name: 'x'.repeat(129) }, 'name');
		await bad({ name: 'ok', description: 'd'.repeat(1001) }, 'description');
		await bad({ name: 'ok', members: ['no such person!'] }, 'members');
		await bad({ name: 'ok', members: [`ghost_${RUN}`] }, 'members');
		await bad({ name: 'ok', members: [1] }, 'members');
		// nothing was created by the refusals
		const list = await api('GET', '/api/chats', { token: O.token });
		assert.ok(!list.json.chats.some((c) => c.kind === 'group'), 'a refused create made a group');
		const g = await createGroup(O, [B], 'y'.repeat(128), 'd'.repeat(1000));
		assert.equal(g.title, 'y'.repeat(128));
		assert.equal(g.kind, 'group');
		assert.equal(g.role, 'owner');
		assert.equal(g.member_count, 2);
		assert.deepEqual(g.members.map((m) => m.role).sort(), ['member', 'owner']);
	});

	it('the HTML form takes nicknames separated by spaces and commas, and keeps typed values on error', T, async () => {
		const page = await O.browser.get('/chats/new');
		expectStatus(page, 200);
		assert.match(page.text, /name="members"/);
		const bad = await O.browser.post('/chats', { kind: 'group', name: 'Form <b>group</b>', description: 'D', members: `@${B.user.nickname}, ghost_${RUN}` });
		expectStatus(bad, 422);
		assert.ok(bad.text.includes('Form &lt;b&gt;group&lt;/b&gt;'), 'the typed name is kept, escaped');
		const ok = await O.browser.post('/chats', { kind: 'group', name: 'Form group', description: 'D', members: `@${B.user.nickname},  ${O.user.nickname}\n` });
		expectStatus(ok, 303);
		const id = Number(/\/chats\/(\d+)/.exec(ok.headers.get('location'))[1]);
		const c = await info(O, id);
		assert.deepEqual(c.members.map((m) => m.nickname).sort(), [O.user.nickname, B.user.nickname].sort());
		// the chat list shows the "New chat" entry leading to the form
		const list = await O.browser.get('/chats');
		assert.match(list.text, /href="\/chats\/new"/);
	});
});

describe('service messages in both languages', () => {
	let O, A, M, J, X;
	before(async () => {
		[O, A, M, J, X] = await Promise.all([register('so'), register('sa'), register('sm'), register('sj'), register('sx')]);
		expectStatus(await api('POST', '/api/lang', { token: M.token, body: { lang: 'ru' } }), [204, 303]);
	});

	it('every kind of change is a service message, rendered for each reader', T, async () => {
		const g = await createGroup(O, [A, M], 'Alpha');
		const id = g.id;
		const ok = async (res) => expectStatus(await res, [200, 201, 204]);
		await ok(api('POST', `/api/chats/${id}/members`, { token: O.token, body: { nickname: X.user.nickname } }));
		await ok(api('PATCH', `/api/chats/${id}`, { token: O.token, body: { name: 'Beta' } }));
		await ok(api('PATCH', `/api/chats/${id}`, { token: O.token, body: { description: 'New words' } }));
		await ok(api('PUT', `/api/chats/${id}/members/${A.user.nickname}/role`, { token: O.token, body: { role: 'admin' } }));
		await ok(api('PUT', `/api/chats/${id}/members/${A.user.nickname}/role`, { token: O.token, body: { role: 'member' } }));
		await ok(api('DELETE', `/api/chats/${id}/members/${X.user.nickname}`, { token: O.token }));
		const inv = await api('POST', `/api/chats/${id}/invites`, { token: O.token, body: {} });
		await ok(api('POST', `/api/invites/${inv.json.code}/join`, { token: J.token }));
		await ok(api('POST', `/api/chats/${id}/owner`, { token: O.token, body: { nickname: A.user.nickname } }));
		await ok(api('POST', `/api/chats/${id}/leave`, { token: A.token })); // the owner leaves: O (admin) inherits
		const n = (u) => u.user.name;
		const expected = [
			['created', { actor: O }, `${n(O)} created the group “Alpha”`, `${n(O)} создал(а) группу «Alpha»`],
			['added', { actor: O, target: X }, `${n(O)} added ${n(X)}`, `${n(O)} добавил(а) в группу: ${n(X)}`],
			['renamed', { actor: O }, `${n(O)} renamed the group from “Alpha” to “Beta”`, `${n(O)} переименовал(а) группу «Alpha» в «Beta»`],
			['description', { actor: O }, `${n(O)} changed the group description`, `${n(O)} изменил(а) описание группы`],
			['promoted', { actor: O, target: A }, `${n(O)} made ${n(A)} an admin`, `${n(O)} назначил(а) администратором: ${n(A)}`],
			['demoted', { actor: O, target: A }, `${n(O)} removed admin rights from ${n(A)}`, `${n(O)} снял(а) права администратора: ${n(A)}`],
			['removed', { actor: O, target: X }, `${n(O)} removed ${n(X)}`, `${n(O)} удалил(а) из группы: ${n(X)}`],
			['joined', { actor: J }, `${n(J)} joined the group via an invite link`, `${n(J)} вступил(а) в группу по ссылке-приглашению`],
			['owner', { actor: O, target: A }, `${n(O)} handed the group ownership to ${n(A)}`, `${n(O)} передал(а) права владельца группы: ${n(A)}`],
			['left', { actor: A, target: O }, `${n(A)} left the group. New owner: ${n(O)}`, `${n(A)} покинул(а) группу. Новый владелец: ${n(O)}`],
		];
		const en = await messages(O, id);
		const ru = await messages(M, id);
		assert.equal(en.length, expected.length, JSON.stringify(en.map((m) => m.text)));
		expected.forEach(([event, who, enText, ruText], i) => {
			const e = en[i], r = ru[i];
			assert.equal(e.kind, 'service');
			assert.equal(e.seq, i + 1, 'each change took the next seq');
			assert.equal(e.service.event, event);
			assert.equal(e.service.actor.id, who.actor.user.id);
			if (who.target) assert.equal(e.service.target.id, who.target.user.id);
			assert.equal(e.text, enText, 'text is the English rendering');
			assert.equal(r.text, enText, 'text is English for every reader');
			assert.equal(htmlText(e.html).replace(/\s+/g, ' ').trim(), enText);
			assert.equal(htmlText(r.html).replace(/\s+/g, ' ').trim(), ruText, `Russian rendering of ${event}`);
		});
		assert.equal(en[2].service.from, 'Alpha');
		assert.equal(en[2].service.to, 'Beta');
		// the pages render them in the reader's language too
		const events = await api('GET', `/api/chats/${id}/events?after=0`, { token: M.token });
		assert.ok(events.json.events.every((ev) => !ev.html.includes('msg-author')), 'service messages show no author line');
		assert.ok(htmlText(events.json.events[1].html).includes('добавил(а) в группу'));
		// the chat list preview is in the reader's language
		const list = await api('GET', '/api/chats', { token: M.token });
		const item = list.json.chats.find((c) => c.id === id);
		assert.equal(item.last_message.preview, expected[9][3]);
		assert.equal(item.title, 'Beta');
	});

	it('names with markup are escaped in service messages', T, async () => {
		const g = await createGroup(O, [A], '<img src=x onerror=alert(1)>');
		const [m] = await messages(O, g.id);
		assert.ok(!m.html.includes('<img'), m.html);
		assert.ok(m.html.includes('&lt;img'), m.html);
	});
});

describe('live delivery in groups', () => {
	let O, A, M, Tg, P;
	before(async () => {
		[O, A, M, Tg, P] = await Promise.all([register('lo'), register('la'), register('lm'), register('lt'), register('lp')]);
		expectStatus(await api('POST', '/api/lang', { token: M.token, body: { lang: 'ru' } }), [204, 303]);
	});

	it('every member gets every message and change, each in their language', T, async () => {
		const g = await createGroup(O, [A, M, Tg]);
		const socks = await Promise.all([O, A, M, Tg].map((u) => wsConnect(u.token)));
		const pw = await wsConnect(P.token);
		try {
			const m = await send(A, g.id, `hello group ${RUN}`);
			for (const s of socks) await s.waitFor((f) => f.type === 'message' && f.id === m.id, 5000, 'group message');
			expectStatus(await api('PATCH', `/api/chats/${g.id}`, { token: O.token, body: { name: 'Live name' } }), 204);
			const en = await socks[0].waitFor((f) => f.message?.service?.event === 'renamed', 5000, 'rename (en)');
			const ru = await socks[2].waitFor((f) => f.message?.service?.event === 'renamed', 5000, 'rename (ru)');
			assert.equal(en.seq, m.seq + 1);
			assert.equal(ru.seq, m.seq + 1);
			assert.match(htmlText(en.html), /renamed the group/);
			assert.match(htmlText(ru.html), /переименовал\(а\) группу/);
			assert.match(en.html, /^<li class="msg service"/);
			await sleep(QUIET_MS);
			assert.equal(pw.frames.filter((f) => f.chat === g.id).length, 0, 'a non-member got group events');
		} finally {
			await Promise.all([...socks, pw].map((s) => s.close()));
		}
	});

	it('a removed member gets "you were removed", then nothing more of that chat on a socket left open', T, async () => {
		const g = await createGroup(O, [A, Tg]);
		expectStatus(await api('PUT', `/api/chats/${g.id}/members/${A.user.nickname}/role`, { token: O.token, body: { role: 'admin' } }), 204);
		const direct = await directChat(P, Tg);
		const tw = await wsConnect(Tg.token);
		const ow = await wsConnect(O.token);
		try {
			const before = await send(O, g.id, 'before removal');
			await tw.waitFor((f) => f.id === before.id, 5000, 'message before removal');
			expectStatus(await api('DELETE', `/api/chats/${g.id}/members/${Tg.user.nickname}`, { token: A.token }), 204);
			const removed = await tw.waitFor((f) => f.message?.service?.event === 'removed', 5000, '"you were removed"');
			assert.equal(removed.chat, g.id);
			assert.equal(removed.message.service.target.id, Tg.user.id);
			await ow.waitFor((f) => f.message?.service?.event === 'removed', 5000, 'the owner sees the removal');
			const seen = tw.frames.length;
			// afterwards: a message, a rename, a new member, an invite join
			const after1 = await send(O, g.id, `after removal ${RUN}`);
			expectStatus(await api('PATCH', `/api/chats/${g.id}`, { token: O.token, body: { name: 'Secret name' } }), 204);
			expectStatus(await api('POST', `/api/chats/${g.id}/members`, { token: O.token, body: { nickname: M.user.nickname } }), 204);
			await ow.waitFor((f) => f.message?.service?.event === 'added', 5000, 'owner got the later change');
			// positive control: the same socket still works for Tg's other chat
			const ctl = await send(P, direct.id, 'still here');
			await tw.waitFor((f) => f.id === ctl.id, 5000, 'control message on the open socket');
			await sleep(QUIET_MS);
			const leaked = tw.frames.slice(seen).filter((f) => f.chat === g.id);
			assert.deepEqual(leaked, [], 'the removed member got events of the group');
			assert.ok(!tw.raw.some((s) => s.includes(`after removal ${RUN}`) || s.includes('Secret name')));
			assert.ok(!tw.closed, 'the socket stayed open');
			assert.ok(after1.id);
			// and the chat is gone for them
			expectError(await api('GET', `/api/chats/${g.id}`, { token: Tg.token }), 404);
			expectError(await api('GET', `/api/chats/${g.id}/messages`, { token: Tg.token }), 404);
			expectError(await api('GET', `/api/chats/${g.id}/events?after=0`, { token: Tg.token }), 404);
			expectError(await api('POST', `/api/chats/${g.id}/messages`, { token: Tg.token, body: { text: 'x', client_id: clientId() } }), 404);
			const list = await api('GET', '/api/chats', { token: Tg.token });
			assert.ok(!list.json.chats.some((c) => c.id === g.id), 'the group is still in the removed member\'s list');
		} finally {
			await Promise.all([tw.close(), ow.close()]);
		}
	});

	it('a group of 300 reaches members in every batch of 255 channels', T, async () => {
		// members straight into the database, each with a bearer session
		const tokens = [], rows = [];
		for (let i = 0; i < 300; i++) {
			const token = randomBytes(32).toString('hex');
			tokens.push(token);
			rows.push(`('big_${RUN}_${i}', '\\x${createHash('sha256').update(token).digest('hex')}')`);
		}
		psql(`WITH v(nick, th) AS (VALUES ${rows.join(',')}),
			u AS (INSERT INTO users (email, nickname, name) SELECT nick || '@big.test', nick, nick FROM v RETURNING id, nickname)
			INSERT INTO sessions (token_hash, user_id, kind, expires_at) SELECT v.th::bytea, u.id, 'bearer', now() + interval '1 hour' FROM v JOIN u ON u.nickname = v.nick`);
		const res = await api('POST', '/api/chats', { token: O.token, body: { kind: 'group', name: 'Big', members: rows.map((_, i) => `big_${RUN}_${i}`) } });
		expectStatus(res, 201);
		assert.equal(res.json.chat.member_count, 301);
		const socks = await Promise.all([0, 150, 254, 255, 299].map((i) => wsConnect(tokens[i])));
		try {
			const m = await send(O, res.json.chat.id, `to everyone ${RUN}`);
			for (const s of socks) await s.waitFor((f) => f.id === m.id, 5000, 'the message in a big group');
		} finally {
			await Promise.all(socks.map((s) => s.close()));
		}
	});

	it('deleting a group tells its members, then the group is gone', T, async () => {
		const g = await createGroup(O, [A]);
		const aw = await wsConnect(A.token);
		try {
			expectStatus(await api('DELETE', `/api/chats/${g.id}`, { token: O.token }), 204);
			const ev = await aw.waitFor((f) => f.type === 'chat_deleted', 5000, 'chat_deleted');
			assert.equal(ev.chat, g.id);
			expectError(await api('GET', `/api/chats/${g.id}`, { token: A.token }), 404);
			expectError(await api('GET', `/api/chats/${g.id}`, { token: O.token }), 404);
		} finally {
			await aw.close();
		}
	});
});

describe('invite links', () => {
	let O, M, J1, J2, J3;
	before(async () => {
		[O, M, J1, J2, J3] = await Promise.all([register('io'), register('im'), register('i1'), register('i2'), register('i3')]);
	});

	const join = (u, code) => api('POST', `/api/invites/${code}/join`, { token: u.token });
	const make = async (g, body = {}) => {
		const res = await api('POST', `/api/chats/${g.id}/invites`, { token: O.token, body });
		expectStatus(res, 201, 'create invite');
		assert.match(res.json.code, /^[0-9a-f]{32}$/);
		assert.ok(res.json.url.endsWith(`/invites/${res.json.code}`));
		return res.json.code;
	};

	it('valid: shows the group and joins once; used up after max_uses', T, async () => {
		const g = await createGroup(O, [M], 'Invited');
		const code = await make(g, { max_uses: 1, expires_in: 3600 });
		const show = await api('GET', `/api/invites/${code}`, { token: J1.token });
		expectStatus(show, 200);
		assert.equal(show.json.invite.state, 'valid');
		assert.equal(show.json.invite.chat.title, 'Invited');
		assert.equal(show.json.invite.chat.member_count, 2);
		const joined = await join(J1, code);
		expectStatus(joined, 200);
		assert.equal(joined.json.chat.id, g.id);
		assert.equal(joined.json.chat.role, 'member');
		// joining again as a member changes nothing
		expectStatus(await join(J1, code), 200);
		const used = await join(J2, code);
		expectError(used, 409, { field: 'code' });
		assert.match(used.json.error.message, /maximum number of times/);
		const shown = await api('GET', `/api/invites/${code}`, { token: J2.token });
		assert.equal(shown.json.invite.state, 'used_up');
		assert.equal(shown.json.invite.chat, undefined, 'a dead link does not reveal the group');
		const msgs = await messages(O, g.id);
		assert.deepEqual(msgs.map((m) => m.service.event), ['created', 'joined']);
		const list = await api('GET', `/api/chats/${g.id}/invites`, { token: O.token });
		assert.equal(list.json.invites.find((i) => i.code === code).uses, 1);
	});

	it('revoked and expired links refuse; unknown codes are 404', T, async () => {
		const g = await createGroup(O, [M]);
		const revoked = await make(g);
		expectStatus(await api('DELETE', `/api/invites/${revoked}`, { token: O.token }), 204);
		const r1 = await join(J1, revoked);
		expectError(r1, 409);
		assert.match(r1.json.error.message, /revoked/);
		const list = await api('GET', `/api/chats/${g.id}/invites`, { token: O.token });
		assert.ok(!list.json.invites.some((i) => i.code === revoked), 'revoked links are not listed');
		const expired = await make(g, { expires_in: 60 });
		psql(`UPDATE invites SET expires_at = now() - interval '1 second' WHERE code = '${expired}'`);
		const r2 = await join(J2, expired);
		expectError(r2, 409);
		assert.match(r2.json.error.message, /expired/);
		expectError(await join(J3, 'f'.repeat(32)), 404);
		expectError(await join(J3, 'not-hex'), 404);
		expectError(await api('POST', `/api/chats/${g.id}/invites`, { token: O.token, body: { expires_in: 10 } }), 422, { field: 'expires_in' });
		expectError(await api('POST', `/api/chats/${g.id}/invites`, { token: O.token, body: { max_uses: 0 } }), 422, { field: 'max_uses' });
		const c = await info(O, g.id);
		assert.equal(c.member_count, 2, 'nobody joined through a dead link');
	});

	it('HTML: the link page shows the group and a Join button; joining lands in the chat', T, async () => {
		const w = await browserRegister('ih');
		const g = await createGroup(O, [M], 'Page group');
		const code = await make(g);
		const page = await w.browser.get(`/invites/${code}`);
		expectStatus(page, 200);
		assert.match(htmlText(page.text), /Page group/);
		assert.match(page.text, new RegExp(`action="/invites/${code}/join"`));
		const res = await w.browser.post(`/invites/${code}/join`);
		expectStatus(res, 303);
		assert.equal(res.headers.get('location'), `/chats/${g.id}`);
		const chat = await w.browser.get(`/chats/${g.id}`);
		expectStatus(chat, 200);
		assert.match(htmlText(chat.text), /joined the group via an invite link/);
		const anon = await api('GET', `/invites/${code}`);
		expectStatus(anon, 303, 'logged out: to the login page');
	});
});
