// Browser test where features meet: in a shared group, messages from
// someone the viewer blocked are collapsed behind a "Show" toggle, on load
// without JavaScript and live with it; others see them open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, RUN, LIVE as LIVE_TIMEOUT, useBrowser, person, open as openPage, login } from './lib.mjs';

const browser = useBrowser();

async function api(method, path, token, body) {
	const res = await fetch(BASE + path, {
		method,
		headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
		body: body ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
	return text ? JSON.parse(text) : null;
}

// A page that records script errors, logged in as u.
async function open(javaScriptEnabled, u) {
	const opened = await openPage(browser(), { javaScriptEnabled, watch: 'pageerror' });
	await login(opened.page, u);
	return opened;
}

test('a blocked person\'s group messages are collapsed for the blocker, with and without JavaScript', async () => {
	const [a, b, c] = [person('ca'), person('cb'), person('cc')];
	const tok = {};
	for (const u of [a, b, c]) tok[u.nickname] = (await api('POST', '/api/register', null, u)).token;
	const g = (await api('POST', '/api/chats', tok[a.nickname], { kind: 'group', name: `Blocked ${RUN}`, members: [b.nickname, c.nickname] })).chat;
	await api('POST', `/api/chats/${g.id}/messages`, tok[a.nickname], { text: `before ${RUN}`, client_id: `x1${RUN}` });
	await api('POST', `/api/users/${a.nickname}/block`, tok[b.nickname]);

	// without JavaScript: a <details> toggle opens it
	const plain = await open(false, b);
	await plain.page.goto(`${BASE}/chats/${g.id}`);
	const li = plain.page.locator('#messages li.msg', { hasText: `before ${RUN}` });
	const details = li.locator('details.msg-collapsed');
	assert.equal(await details.count(), 1);
	assert.equal(await li.locator('.msg-body').isVisible(), false, 'collapsed');
	await details.locator('summary').click();
	assert.equal(await li.locator('.msg-body').isVisible(), true, 'shown after the toggle');
	await plain.context.close();

	// with JavaScript: a live message is collapsed too; c sees it open
	const live = await open(true, b);
	const other = await open(true, c);
	for (const p of [live.page, other.page]) {
		await p.goto(`${BASE}/chats/${g.id}`);
		await p.waitForFunction(() => window.messly && window.messly.state && window.messly.state.connected === true, null, { timeout: LIVE_TIMEOUT });
	}
	await api('POST', `/api/chats/${g.id}/messages`, tok[a.nickname], { text: `live ${RUN}`, client_id: `x2${RUN}` });
	const mine = live.page.locator('#messages li.msg', { hasText: `live ${RUN}` });
	await mine.waitFor({ state: 'attached', timeout: LIVE_TIMEOUT });
	await live.page.locator('#messages li.msg details.msg-collapsed', { hasText: `live ${RUN}` }).waitFor({ state: 'attached', timeout: LIVE_TIMEOUT });
	assert.equal(await mine.locator('.msg-body').isVisible(), false, 'live message collapsed');
	const theirs = other.page.locator('#messages li.msg', { hasText: `live ${RUN}` });
	await theirs.waitFor({ timeout: LIVE_TIMEOUT });
	assert.equal(await theirs.locator('details').count(), 0, 'open for someone who blocked nobody');
	assert.equal(await theirs.locator('.msg-body').isVisible(), true);
	assert.deepEqual([...live.page.problems, ...other.page.problems], []);
	await live.context.close();
	await other.context.close();
});
