// The admin panel: every /admin page and /api/admin endpoint hidden (404)
// from members and visitors, the dashboard's figures against the database,
// each action on a user with its effect, its audit row, the password
// re-check and CSRF; `messly admin promote|demote` on the command line.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
	api, register, login, directChat, send, wsConnect, closeAll, Browser, htmlText,
	expectStatus, expectError,
	catalog, sql,
} from './lib.mjs';

after(closeAll);

const T = { timeout: 60000 };

const EN = catalog('en');


/* `messly admin ARGS...` with the stack's environment. */
function cli(...args) {
	assert.ok(process.env.MESSLY_BIN, 'MESSLY_BIN is not set (run through deploy/test.sh)');
	return execFileSync(process.env.MESSLY_BIN, ['admin', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/* A browser session logged in with the form (for the HTML view and CSRF). */
async function browserLogin(u) {
	const b = new Browser();
	expectStatus(await b.get('/login'), 200);
	expectStatus(await b.post('/login', { login: u.user.nickname, password: u.password }), 303, 'form login');
	expectStatus(await b.get('/chats'), 200);
	return b;
}

const lastAudit = (action, userId) => sql(
	`SELECT coalesce(a.nickname, '-') || '|' || l.ip FROM audit_log l LEFT JOIN users a ON a.id = l.actor_id
	 WHERE l.action = '${action}' AND l.target = 'user:${Number(userId)}' ORDER BY l.id DESC LIMIT 1`);

let A; // the admin
let M; // a member
before(async () => {
	A = await register('adm');
	M = await register('mem');
	assert.match(cli('promote', A.user.nickname), /is now an admin/);
});

describe('who sees the admin panel', () => {
	const GETS = ['/admin', '/admin/users', '/admin/users/1', '/admin/audit', '/admin/chats', '/admin/chats/1', '/admin/settings'];
	const POSTS = ['deactivate', 'reactivate', 'promote', 'demote', 'end-sessions', 'password', 'delete']
		.map((a) => `/admin/users/1/${a}`)
		.concat(['rename', 'remove', 'owner', 'delete'].map((a) => `/admin/chats/1/${a}`))
		.concat(['/admin/settings', '/admin/signup-links']);

	it('answers 404 to members and visitors in both views, even to a wrong method', T, async () => {
		const mb = await browserLogin(M);
		const visitor = new Browser();
		expectStatus(await visitor.get('/login'), 200);
		for (const p of GETS) {
			expectError(await api('GET', `/api${p}`, { token: M.token }), 404, { note: 'member JSON' });
			expectError(await api('GET', `/api${p}`), 404, { note: 'visitor JSON' });
			const page = await mb.get(p);
			expectStatus(page, 404, 'member page');
			assert.ok(!page.text.includes('admin-nav'), 'nothing of the panel shows');
			expectStatus(await visitor.get(p), 404, 'visitor page');
			expectError(await api('DELETE', `/api${p}`, { token: M.token }), 404, { note: 'wrong method' });
		}
		for (const p of POSTS) {
			expectError(await api('POST', `/api${p}`, { token: M.token, body: { password: M.password } }), 404);
			expectError(await api('POST', `/api${p}`, { body: { password: 'x' } }), 404);
			expectStatus(await mb.post(p, { password: M.password }), 404, 'member form');
			expectStatus(await visitor.post(p, { password: 'x' }), 404, 'visitor form');
		}
		// the member really was refused: still a member, nothing audited
		assert.equal((await api('GET', '/api/me', { token: M.token })).json.user.is_admin, false);
		const nav = await mb.get('/chats');
		assert.ok(!nav.text.includes('href="/admin"'), 'no admin link for members');
	});

	it('shows the panel to an admin, and the link in the top bar', T, async () => {
		expectStatus(await api('GET', '/api/admin', { token: A.token }), 200);
		const b = await browserLogin(A);
		const page = await b.get('/admin');
		expectStatus(page, 200);
		assert.ok(page.text.includes('href="/admin"'), 'admin link');
		assert.match(page.text, /<svg class="admin-chart"[^>]*>.*<rect class="bar"/s, 'the chart is inline SVG');
		for (const tag of page.text.match(/<script[^>]*>/g) || []) assert.match(tag, /src="\/static\/[a-z_-]+\.js"/, 'only the static scripts, none inline');
		expectStatus(await b.get('/admin/users'), 200);
		expectStatus(await b.get('/admin/audit'), 200);
	});

	it('messly admin demote and promote change who the panel is for, audited', T, async () => {
		const B = await register('adb');
		assert.match(cli('promote', B.user.nickname), /is now an admin/);
		expectStatus(await api('GET', '/api/admin/users', { token: B.token }), 200);
		assert.equal(sql(`SELECT ip || '|' || (actor_id IS NULL) FROM audit_log WHERE action = 'user.promote'
			AND target = 'user:${B.user.id}' ORDER BY id DESC LIMIT 1`), 'cli|true');
		assert.match(cli('demote', B.user.nickname), /no longer an admin/);
		expectError(await api('GET', '/api/admin/users', { token: B.token }), 404);
		assert.throws(() => cli('promote', 'nobody_by_that_name'), /no user/);
		assert.throws(() => cli('promote'), /usage/);
	});
});

describe('dashboard', () => {
	it('its figures match the database on a seeded dataset', T, async () => {
		const X = await register('dsx');
		const Y = await register('dsy');
		const chat = await directChat(X, Y);
		for (let i = 0; i < 3; i++) await send(X, chat.id, `seed ${i}`);
		await send(Y, chat.id, 'seed reply');
		// an old message, 10 days ago: in the chart, not in "this week"
		sql(`UPDATE messages SET created_at = now() - interval '10 days' WHERE chat_id = ${chat.id} AND body = 'seed 0'`);
		const res = await api('GET', '/api/admin', { token: A.token });
		expectStatus(res, 200);
		const s = res.json.stats;
		const people = 'SELECT id FROM users WHERE NOT is_system AND deleted_at IS NULL';
		const human = `FROM messages m JOIN users u ON u.id = m.sender_id WHERE NOT u.is_system AND m.kind <> 'service'`;
		const active = (since) => `SELECT count(*) FROM (SELECT user_id FROM sessions WHERE last_seen_at >= ${since}
			UNION SELECT sender_id FROM messages WHERE created_at >= ${since} AND kind <> 'service') x
			WHERE user_id IN (${people})`;
		const want = {
			users: sql(`SELECT count(*) FROM (${people}) p`),
			active_today: sql(active(`date_trunc('day', now())`)),
			active_week: sql(active(`now() - interval '7 days'`)),
			messages_today: sql(`SELECT count(*) ${human} AND m.created_at >= date_trunc('day', now())`),
			messages_week: sql(`SELECT count(*) ${human} AND m.created_at > now() - interval '7 days'`),
			chats: sql('SELECT count(*) FROM chats'),
			groups: sql(`SELECT count(*) FROM chats WHERE kind = 'group'`),
			files: sql('SELECT count(*) FROM files'),
			files_bytes: sql('SELECT coalesce(sum(size), 0) FROM files'),
			deactivated: sql(`SELECT count(*) FROM users WHERE NOT is_system AND deleted_at IS NULL AND deactivated_at IS NOT NULL`),
		};
		for (const [k, v] of Object.entries(want)) assert.equal(String(s[k]), v, `stats.${k}`);
		assert.ok(s.users >= 4 && s.messages_week >= 3 && s.chats >= 1);
		assert.ok(s.database_bytes > 1000000, 'database size');
		assert.equal(typeof s.online_now, 'number');
		// 30 days, the last one today, each day's messages as counted in SQL
		const days = res.json.activity;
		assert.equal(days.length, 30);
		assert.equal(days[29].day, sql(`SELECT to_char(now(), 'YYYY-MM-DD')`));
		const byDay = Object.fromEntries(sql(`SELECT d || '=' || n || ',' || s FROM (SELECT to_char(m.created_at, 'YYYY-MM-DD') AS d,
			count(*) AS n, count(DISTINCT m.sender_id) AS s
			${human} AND m.created_at >= date_trunc('day', now()) - interval '29 days' GROUP BY 1) x`).split('\n').filter(Boolean)
			.map((l) => l.split('=')));
		for (const d of days) assert.equal(`${d.messages},${d.active_users}`, byDay[d.day] || '0,0', `day ${d.day}`);
		const old = days[19]; // 10 days ago
		assert.ok(old.messages >= 1, 'the back-dated message is in its day');
	});
});

describe('users list and page', () => {
	it('searches, filters, sorts and pages', T, async () => {
		const U = await register('lst', { name: 'Zebedee Listed' });
		let r = await api('GET', `/api/admin/users?q=${U.user.nickname}`, { token: A.token });
		expectStatus(r, 200);
		assert.deepEqual(r.json.users.map((u) => u.nickname), [U.user.nickname]);
		assert.equal(r.json.total, 1);
		r = await api('GET', `/api/admin/users?q=${encodeURIComponent('zebedee listed')}`, { token: A.token });
		assert.ok(r.json.users.some((u) => u.id === U.user.id), 'by name');
		r = await api('GET', `/api/admin/users?q=${encodeURIComponent(U.email.toUpperCase())}`, { token: A.token });
		assert.deepEqual(r.json.users.map((u) => u.id), [U.user.id], 'by email');
		r = await api('GET', '/api/admin/users?filter=admins', { token: A.token });
		assert.ok(r.json.users.every((u) => u.is_admin) && r.json.users.some((u) => u.id === A.user.id));
		r = await api('GET', '/api/admin/users?sort=nickname', { token: A.token });
		const names = r.json.users.map((u) => u.nickname.toLowerCase());
		assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
		r = await api('GET', '/api/admin/users?sort=oldest', { token: A.token });
		const ids = r.json.users.map((u) => u.id);
		assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
		const total = Number(sql('SELECT count(*) FROM users WHERE NOT is_system AND deleted_at IS NULL'));
		assert.equal(r.json.total, total);
		if (total > 50) {
			const p2 = await api('GET', '/api/admin/users?sort=oldest&offset=50', { token: A.token });
			assert.ok(p2.json.users[0].id > ids[ids.length - 1], 'the second page goes on');
		}
		// the user page
		r = await api('GET', `/api/admin/users/${U.user.id}`, { token: A.token });
		expectStatus(r, 200);
		assert.equal(r.json.user.email, U.email);
		assert.equal(r.json.user.chats, 1, 'the welcome chat');
		assert.equal(r.json.sessions.length, 1);
		assert.ok(!JSON.stringify(r.json).includes('password'), 'no secrets');
		expectError(await api('GET', '/api/admin/users/999999999', { token: A.token }), 404);
	});
});

describe('actions on a user', () => {
	it('deactivate: password re-checked, CSRF needed, sessions end, the socket closes, login says why; reactivate', T, async () => {
		const V = await register('vic');
		const ws = await wsConnect(V.token);
		const path = `/api/admin/users/${V.user.id}/deactivate`;
		expectError(await api('POST', path, { token: A.token, body: {} }), 403, { field: 'password' });
		expectError(await api('POST', path, { token: A.token, body: { password: 'wrong-password' } }), 403, { field: 'password' });
		const b = await browserLogin(A);
		expectStatus(await b.get(`/admin/users/${V.user.id}`), 200);
		expectStatus(await b.post(`/admin/users/${V.user.id}/deactivate`, { password: A.password }, { csrf: false }), 403, 'no CSRF token');
		const wrong = await b.post(`/admin/users/${V.user.id}/deactivate`, { password: 'wrong-password' });
		expectStatus(wrong, 403, 'wrong password, form');
		assert.ok(htmlText(wrong.text).includes(EN['err.password.wrong']), 'the page says why');
		expectStatus(await api('GET', '/api/me', { token: V.token }), 200, 'nothing done yet');
		assert.equal(ws.closed, null);

		const done = await b.post(`/admin/users/${V.user.id}/deactivate`, { password: A.password });
		expectStatus(done, 303);
		assert.equal(done.headers.get('location'), `/admin/users/${V.user.id}?done=deactivated`);
		await ws.waitForClose(5000);
		expectError(await api('GET', '/api/me', { token: V.token }), 401);
		const li = await login(V.user.nickname, V.password);
		assert.equal(expectError(li, 403).message, EN['err.login.deactivated']);
		assert.equal(lastAudit('user.deactivate', V.user.id).split('|')[0], A.user.nickname);
		assert.ok(lastAudit('user.deactivate', V.user.id).split('|')[1].length > 0, 'the address is kept');
		const page = await b.get(`/admin/users/${V.user.id}?done=deactivated`);
		assert.ok(htmlText(page.text).includes(EN['admin.done.deactivated']));
		let r = await api('GET', '/api/admin/users?filter=deactivated', { token: A.token });
		assert.ok(r.json.users.some((u) => u.id === V.user.id));
		expectError(await api('POST', path, { token: A.token, body: { password: A.password } }), 409, { note: 'twice' });

		r = await api('POST', `/api/admin/users/${V.user.id}/reactivate`, { token: A.token, body: { password: A.password } });
		expectStatus(r, 204);
		expectStatus(await login(V.user.nickname, V.password), 200, 'can log in again');
		assert.equal(lastAudit('user.reactivate', V.user.id).split('|')[0], A.user.nickname);
	});

	it('an admin cannot deactivate, demote or delete themselves', T, async () => {
		for (const a of ['deactivate', 'demote', 'delete']) {
			expectError(await api('POST', `/api/admin/users/${A.user.id}/${a}`, { token: A.token, body: { password: A.password } }), 409, { note: a });
		}
		assert.equal((await api('GET', '/api/me', { token: A.token })).json.user.is_admin, true);
	});

	it('promote and demote', T, async () => {
		const P = await register('pro');
		expectError(await api('POST', `/api/admin/users/${P.user.id}/promote`, { token: A.token, body: { password: 'nope-nope' } }), 403);
		expectStatus(await api('POST', `/api/admin/users/${P.user.id}/promote`, { token: A.token, body: { password: A.password } }), 204);
		expectStatus(await api('GET', '/api/admin', { token: P.token }), 200, 'the new admin sees the panel');
		assert.equal(lastAudit('user.promote', P.user.id).split('|')[0], A.user.nickname);
		expectStatus(await api('POST', `/api/admin/users/${P.user.id}/demote`, { token: A.token, body: { password: A.password } }), 204);
		expectError(await api('GET', '/api/admin', { token: P.token }), 404);
		assert.equal(lastAudit('user.demote', P.user.id).split('|')[0], A.user.nickname);
	});

	it('end sessions: every session of the user ends and its socket closes', T, async () => {
		const S = await register('ses');
		const ws = await wsConnect(S.token);
		expectError(await api('POST', `/api/admin/users/${S.user.id}/end-sessions`, { token: A.token, body: { password: 'nope-nope' } }), 403);
		expectStatus(await api('GET', '/api/me', { token: S.token }), 200);
		expectStatus(await api('POST', `/api/admin/users/${S.user.id}/end-sessions`, { token: A.token, body: { password: A.password } }), 204);
		await ws.waitForClose(5000);
		expectError(await api('GET', '/api/me', { token: S.token }), 401);
		expectStatus(await login(S.user.nickname, S.password), 200, 'may log in again');
		assert.equal(lastAudit('user.sessions_end', S.user.id).split('|')[0], A.user.nickname);
	});

	it('set a new password: checked, sessions end, the old one stops working', T, async () => {
		const W = await register('npw');
		const path = `/api/admin/users/${W.user.id}/password`;
		expectError(await api('POST', path, { token: A.token, body: { password: A.password, new_password: 'short' } }), 422, { field: 'new_password' });
		expectError(await api('POST', path, { token: A.token, body: { password: 'nope-nope', new_password: 'brand-new-pass' } }), 403);
		expectStatus(await api('POST', path, { token: A.token, body: { password: A.password, new_password: 'brand-new-pass' } }), 204);
		expectError(await api('GET', '/api/me', { token: W.token }), 401);
		expectStatus(await login(W.user.nickname, W.password), 401, 'old password');
		expectStatus(await login(W.user.nickname, 'brand-new-pass'), 200, 'new password');
		assert.equal(lastAudit('user.password', W.user.id).split('|')[0], A.user.nickname);
		assert.ok(!sql(`SELECT detail::text FROM audit_log WHERE action = 'user.password' AND target = 'user:${W.user.id}'`).includes('scrypt'));
	});

	it('delete: as account deletion, the socket closes, messages stay with "Deleted account"', T, async () => {
		const D = await register('del');
		const F = await register('fri');
		const chat = await directChat(D, F);
		await send(D, chat.id, 'before deletion');
		const ws = await wsConnect(D.token);
		const b = await browserLogin(A);
		expectStatus(await b.get(`/admin/users/${D.user.id}`), 200);
		const unconfirmed = await b.post(`/admin/users/${D.user.id}/delete`, { password: A.password });
		expectStatus(unconfirmed, 422, 'the form needs the box ticked');
		expectStatus(await b.post(`/admin/users/${D.user.id}/delete`, { password: 'nope-nope', confirm: '1' }), 403);
		const done = await b.post(`/admin/users/${D.user.id}/delete`, { password: A.password, confirm: '1' });
		expectStatus(done, 303);
		assert.equal(done.headers.get('location'), '/admin/users?done=deleted');
		await ws.waitForClose(5000);
		expectStatus(await login(D.email, D.password), 401);
		const msgs = await api('GET', `/api/chats/${chat.id}/messages`, { token: F.token });
		const m = msgs.json.messages.find((x) => x.text === 'before deletion' || x.body === 'before deletion');
		assert.ok(m, 'the message stays');
		assert.equal(m.sender.name, 'Deleted account');
		assert.equal(lastAudit('user.delete', D.user.id).split('|')[0], A.user.nickname);
		expectError(await api('GET', `/api/admin/users/${D.user.id}`, { token: A.token }), 404, { note: 'gone from the panel' });
	});

	it('delete with "their messages too": every message becomes a placeholder, each a change with its own seq', T, async () => {
		const D = await register('dm');
		const F = await register('dmf');
		const chat = await directChat(D, F);
		await send(F, chat.id, 'from the friend');
		await send(D, chat.id, 'first to go');
		await send(D, chat.id, 'second to go');
		const before = (await api('GET', `/api/chats/${chat.id}/events?after=0`, { token: F.token })).json.last_seq;
		const b = await browserLogin(A);
		expectStatus(await b.get(`/admin/users/${D.user.id}`), 200);
		assert.ok(b.lastPage.includes('name="delete_messages"'), 'the form offers the option');
		const done = await b.post(`/admin/users/${D.user.id}/delete`, { password: A.password, confirm: '1', delete_messages: '1' });
		expectStatus(done, 303);
		const ev = (await api('GET', `/api/chats/${chat.id}/events?after=${before}`, { token: F.token })).json;
		assert.equal(ev.last_seq, before + 2, 'two changes, two seqs');
		assert.deepEqual(ev.events.map((e) => e.seq), [before + 1, before + 2]);
		for (const e of ev.events) {
			assert.equal(e.message.deleted, true);
			assert.equal(e.message.text, '');
		}
		const msgs = (await api('GET', `/api/chats/${chat.id}/messages`, { token: F.token })).json.messages;
		assert.ok(msgs.some((m) => m.text === 'from the friend' && !m.deleted), "others' messages stay");
		assert.ok(!msgs.some((m) => /to go/.test(m.text || '')), 'no text of theirs is left');
		assert.match(sql(`SELECT detail::text FROM audit_log WHERE action = 'user.delete' AND target = 'user:${D.user.id}'`), /"messages_deleted" ?: ?2/);
	});
});

describe('audit log', () => {
	it('lists actions with who, what, target, when and address; filters; offers no way to edit', T, async () => {
		const U = await register('aud');
		expectStatus(await api('POST', `/api/admin/users/${U.user.id}/promote`, { token: A.token, body: { password: A.password } }), 204);
		let r = await api('GET', `/api/admin/audit?admin=${A.user.nickname}&action=user.promote`, { token: A.token });
		expectStatus(r, 200);
		const e = r.json.entries.find((x) => x.target === `user:${U.user.id}`);
		assert.ok(e, 'the row is listed');
		assert.equal(e.admin, A.user.nickname);
		assert.equal(e.detail.nickname, U.user.nickname);
		assert.ok(e.ip && e.at);
		assert.ok(r.json.entries.every((x) => x.action === 'user.promote' && x.admin === A.user.nickname));
		const today = sql(`SELECT to_char(now(), 'YYYY-MM-DD')`);
		r = await api('GET', `/api/admin/audit?from=${today}&to=${today}&action=user.promote`, { token: A.token });
		assert.ok(r.json.entries.some((x) => x.target === `user:${U.user.id}`));
		r = await api('GET', `/api/admin/audit?to=2000-01-01`, { token: A.token });
		assert.equal(r.json.entries.length, 0);
		for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
			expectStatus(await api(m, '/api/admin/audit', { token: A.token, body: {} }), 405, `${m} on the log`);
		}
		const b = await browserLogin(A);
		const page = await b.get('/admin/audit?action=user.promote');
		expectStatus(page, 200);
		assert.ok(htmlText(page.text).includes(`@${U.user.nickname}`));
		assert.ok(!/<form[^>]*method="post"[^>]*action="\/admin\/audit/.test(page.text), 'no form edits the log');
	});
});

describe('chats', () => {
	async function group(owner, others, name) {
		const res = await api('POST', '/api/chats', { token: owner.token, body: { kind: 'group', name, members: others.map((o) => o.user.nickname) } });
		expectStatus(res, 201, 'create group');
		return res.json.chat;
	}

	it('lists chats with counts, filters and search, and a chat page without message content', T, async () => {
		const X = await register('chx');
		const Y = await register('chy');
		const title = `Admin list ${X.user.nickname}`;
		const g = await group(X, [Y], title);
		await send(X, g.id, 'secret words one');
		await send(Y, g.id, 'secret words two');
		let r = await api('GET', `/api/admin/chats?q=${encodeURIComponent(title.toUpperCase())}`, { token: A.token });
		expectStatus(r, 200);
		assert.deepEqual(r.json.chats.map((c) => c.id), [g.id]);
		const c = r.json.chats[0];
		assert.equal(c.kind, 'group');
		assert.equal(c.member_count, 2);
		assert.equal(String(c.message_count), sql(`SELECT count(*) FROM messages WHERE chat_id = ${g.id} AND kind <> 'service' AND deleted_at IS NULL`));
		assert.equal(c.message_count, 2);
		r = await api('GET', `/api/admin/chats?q=${X.user.nickname}&filter=direct`, { token: A.token });
		assert.ok(r.json.chats.length >= 1 && r.json.chats.every((x) => x.kind === 'direct'), 'the welcome chat, by a member nickname');
		r = await api('GET', `/api/admin/chats?q=${X.user.nickname}&filter=group`, { token: A.token });
		assert.deepEqual(r.json.chats.map((x) => x.id), [g.id]);
		r = await api('GET', `/api/admin/chats/${g.id}`, { token: A.token });
		expectStatus(r, 200);
		assert.deepEqual(r.json.chat.members.map((m) => [m.nickname, m.role]).sort(),
			[[X.user.nickname, 'owner'], [Y.user.nickname, 'member']].sort());
		assert.ok(!r.text.includes('secret words'), 'no message content in JSON');
		const b = await browserLogin(A);
		const page = await b.get(`/admin/chats/${g.id}`);
		expectStatus(page, 200);
		assert.ok(!page.text.includes('secret words'), 'no message content on the page');
		assert.ok(htmlText(page.text).includes(EN['admin.chats.privacy']), 'the page says so');
		expectError(await api('GET', '/api/admin/chats/999999999', { token: A.token }), 404);
	});

	it('rename, remove, transfer: service messages from "An administrator", live, audited', T, async () => {
		const X = await register('cax');
		const Y = await register('cay');
		const Z = await register('caz');
		const g = await group(X, [Y, Z], 'Before rename');
		const wy = await wsConnect(Y.token);
		const base = `/api/admin/chats/${g.id}`;
		const audit = (action) => sql(`SELECT a.nickname || '|' || coalesce(l.detail->>'nickname', l.detail->>'to', '') FROM audit_log l
			JOIN users a ON a.id = l.actor_id WHERE l.action = '${action}' AND l.target = 'chat:${g.id}' ORDER BY l.id DESC LIMIT 1`);

		expectError(await api('POST', `${base}/rename`, { token: A.token, body: { name: 'After', password: 'nope-nope' } }), 403, { field: 'password' });
		expectError(await api('POST', `${base}/rename`, { token: A.token, body: { name: '   ', password: A.password } }), 422, { field: 'name' });
		expectStatus(await api('POST', `${base}/rename`, { token: A.token, body: { name: 'After rename', password: A.password } }), 204);
		let ev = await wy.waitFor((f) => f.chat === g.id && typeof f.html === 'string' && f.html.includes(EN['svc.an_admin']), 5000, 'rename event');
		assert.ok(ev.html.includes('After rename'));
		assert.equal((await api('GET', `/api/chats/${g.id}`, { token: Y.token })).json.chat.title, 'After rename');
		assert.equal(audit('chat.rename'), `${A.user.nickname}|After rename`);

		expectError(await api('POST', `${base}/remove`, { token: A.token, body: { user: String(X.user.id), password: A.password } }), 409, { note: 'not the owner' });
		expectError(await api('POST', `${base}/remove`, { token: A.token, body: { user: 'x', password: A.password } }), 422, { field: 'user' });
		expectStatus(await api('POST', `${base}/remove`, { token: A.token, body: { user: String(Z.user.id), password: A.password } }), 204);
		ev = await wy.waitFor((f) => f.chat === g.id && typeof f.html === 'string' && f.html.includes(Z.user.name) && f.html.includes(EN['svc.an_admin']), 5000, 'removed event');
		expectError(await api('GET', `/api/chats/${g.id}`, { token: Z.token }), 404);
		assert.equal(audit('chat.remove_member'), `${A.user.nickname}|${Z.user.nickname}`);

		expectStatus(await api('POST', `${base}/owner`, { token: A.token, body: { user: String(Y.user.id), password: A.password } }), 204);
		await wy.waitFor((f) => f.chat === g.id && typeof f.html === 'string' && f.html.includes(EN['svc.owner']), 5000, 'owner event');
		const roles = (await api('GET', `/api/admin/chats/${g.id}`, { token: A.token })).json.chat.members;
		assert.deepEqual(roles.map((m) => [m.id, m.role]).sort(), [[X.user.id, 'admin'], [Y.user.id, 'owner']].sort());
		assert.equal(audit('chat.transfer'), `${A.user.nickname}|${Y.user.nickname}`);
		// in the chat's history: no sender, an administrator as the actor
		const msgs = (await api('GET', `/api/chats/${g.id}/messages`, { token: Y.token })).json.messages.filter((m) => m.kind === 'service');
		assert.ok(msgs.some((m) => m.sender === null && m.text.startsWith(EN['svc.an_admin'])), 'history says "An administrator"');
		await wy.close();
	});

	it('delete: gone for its members live, audited; the form needs the box and the password', T, async () => {
		const X = await register('cdx');
		const Y = await register('cdy');
		const g = await group(X, [Y], 'To be deleted');
		const wx = await wsConnect(X.token);
		const b = await browserLogin(A);
		expectStatus(await b.get(`/admin/chats/${g.id}`), 200);
		expectStatus(await b.post(`/admin/chats/${g.id}/delete`, { password: A.password }), 422, 'no confirmation');
		expectStatus(await b.post(`/admin/chats/${g.id}/delete`, { password: A.password, confirm: '1' }, { csrf: false }), 403, 'no CSRF');
		expectStatus(await b.post(`/admin/chats/${g.id}/delete`, { password: 'nope-nope', confirm: '1' }), 403, 'wrong password');
		expectStatus(await api('GET', `/api/chats/${g.id}`, { token: Y.token }), 200, 'still there');
		const done = await b.post(`/admin/chats/${g.id}/delete`, { password: A.password, confirm: '1' });
		expectStatus(done, 303);
		assert.equal(done.headers.get('location'), '/admin/chats?done=deleted');
		await wx.waitFor((f) => f.type === 'chat_deleted' && f.chat === g.id, 5000, 'chat_deleted event');
		expectError(await api('GET', `/api/chats/${g.id}`, { token: Y.token }), 404);
		assert.equal(sql(`SELECT a.nickname FROM audit_log l JOIN users a ON a.id = l.actor_id
			WHERE l.action = 'chat.delete' AND l.target = 'chat:${g.id}'`), A.user.nickname);
		await wx.close();
	});
});

describe('server settings', () => {
	const DEFAULTS = { registration_open: true, max_upload: '', welcome_en: '', welcome_ru: '' };
	const put = (body, password = A.password) => api('POST', '/api/admin/settings', { token: A.token, body: { ...body, password } });

	it('registration closed: refused with a clear message, except by an admin-made link; the welcome text; the upload cap', T, async () => {
		try {
			let r = await api('GET', '/api/admin/settings', { token: A.token });
			expectStatus(r, 200);
			assert.equal(r.json.settings.registration_open, true);
			expectError(await put({ registration_open: false }, 'nope-nope'), 403, { field: 'password' });
			expectError(await put({ registration_open: false, max_upload: '10' }), 422, { field: 'max_upload' });
			expectError(await put({ registration_open: false, welcome_en: 'x'.repeat(4001) }), 422, { field: 'welcome_en' });
			assert.equal((await api('GET', '/api/admin/settings', { token: A.token })).json.settings.registration_open, true, 'nothing changed');
			expectStatus(await put({ registration_open: false, max_upload: '2048', welcome_en: 'Hello from the admin **test**', welcome_ru: '' }), 204);
			r = await api('GET', '/api/admin/settings', { token: A.token });
			assert.equal(r.json.settings.registration_open, false);
			assert.equal(r.json.settings.max_upload, 2048);
			assert.equal(r.json.settings.welcome_en, 'Hello from the admin **test**');
			assert.equal(sql(`SELECT a.nickname FROM audit_log l JOIN users a ON a.id = l.actor_id
				WHERE l.action = 'settings.update' ORDER BY l.id DESC LIMIT 1`), A.user.nickname);

			// closed: the API and the form refuse, and say why
			const fields = { email: `closed${Date.now()}@example.test`, password: 'closed-pass-1', nickname: `cl${Date.now().toString(36)}`, name: 'Closed' };
			assert.equal(expectError(await api('POST', '/api/register', { body: fields }), 403).message, EN['err.register.closed']);
			const v = new Browser();
			const form = await v.get('/register');
			assert.ok(htmlText(form.text).includes(EN['err.register.closed']), 'the form says it at once');
			const posted = await v.post('/register', fields);
			expectStatus(posted, 403);
			assert.ok(htmlText(posted.text).includes(EN['err.register.closed']));
			expectError(await api('POST', '/api/register', { body: { ...fields, invite: 'f'.repeat(32) } }), 403, { note: 'an unknown link' });

			// an admin-made link lets one person in, once
			expectError(await api('POST', '/api/admin/signup-links', { token: A.token, body: { password: 'nope-nope' } }), 403);
			r = await api('POST', '/api/admin/signup-links', { token: A.token, body: { password: A.password } });
			expectStatus(r, 201);
			assert.match(r.json.url, /\/register\?invite=[0-9a-f]{32}$/);
			const code = r.json.code;
			const page = await new Browser().get(`/register?invite=${code}`);
			assert.ok(page.text.includes(`name="invite" value="${code}"`), 'the form carries the link');
			r = await api('POST', '/api/register', { body: { ...fields, invite: code } });
			expectStatus(r, 201, 'registered by the link');
			const chats = await api('GET', '/api/chats', { token: r.json.token });
			const welcome = chats.json.chats.find((c) => c.kind === 'direct');
			assert.ok(welcome.last_message.text.includes('Hello from the admin'), 'the admin\'s welcome text');
			const again = { ...fields, email: `again${Date.now()}@example.test`, nickname: `ag${Date.now().toString(36)}`, invite: code };
			expectError(await api('POST', '/api/register', { body: again }), 403, { note: 'a link works once' });

			// the upload cap: a body over 2048 bytes is refused before it is read
			const body = Buffer.alloc(4096, 'a');
			const up = await api('POST', `/api/chats/${welcome.id}/files`, { token: r.json.token, body, contentType: 'multipart/form-data; boundary=xyz' });
			expectError(up, 413);
		} finally {
			expectStatus(await put(DEFAULTS), 204, 'settings restored');
		}
		const back = await api('GET', '/api/admin/settings', { token: A.token });
		assert.equal(back.json.settings.registration_open, true);
		assert.equal(back.json.settings.welcome_en, '');
		await register('open');
	});

	it('the settings page and its form', T, async () => {
		const b = await browserLogin(A);
		const page = await b.get('/admin/settings');
		expectStatus(page, 200);
		assert.ok(page.text.includes('name="registration_open"') && page.text.includes('name="welcome_ru"'));
		const done = await b.post('/admin/settings', { registration_open: '1', max_upload: '', welcome_en: '', welcome_ru: '', password: A.password });
		expectStatus(done, 303);
		assert.equal(done.headers.get('location'), '/admin/settings?done=saved');
		expectStatus(await b.post('/admin/settings', { registration_open: '1', password: A.password }, { csrf: false }), 403, 'CSRF');
	});
});
