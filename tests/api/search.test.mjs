// Full-text search's three parts of its candidates (STMT_SEARCH in
// cgi/db.c): the matches among the last 50,000 message ids, down to 200,000,
// and below that (the GIN index in the viewer's chats); and the ranking
// window of the newest 400 matches. The matching itself (word forms, prefixes, filters, snippets) is
// tested in readstate.test.mjs on messages that are all recent.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, register, directChat, send, expectStatus, closeAll } from './lib.mjs';

after(closeAll);

const NEAR = 50000, FAR = 200000; /* SEARCH_NEAR, SEARCH_FAR in cgi/db.c */
const CANDIDATES = 400; /* SEARCH_CANDIDATES */

/* The test stack's own database (MESSLY_DB). */
function psql(sql) {
	assert.ok(process.env.MESSLY_DB, 'MESSLY_DB is set by deploy/test.sh');
	return execFileSync('psql', [process.env.MESSLY_DB, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' }).trim();
}

async function find(user, q, extra = '') {
	const r = expectStatus(await api('GET', `/api/search?q=${encodeURIComponent(q)}${extra}`, { token: user.token }), 200);
	return r.json;
}

const ids = (res) => res.results.map((h) => h.id).sort((x, y) => x - y);

test('messages in every part of the id range are found the same way: word forms, prefix, filters, members only', async () => {
	const a = await register('sa');
	const b = await register('sb');
	const c = await register('sc');
	const chat = await directChat(b, a);
	const tag = `w${Date.now().toString(36)}`;
	/* move message ids on by n: what was sent so far is that much older */
	const jump = (n) => psql(`SELECT setval(pg_get_serial_sequence('messages', 'id'),
		(SELECT max(id) FROM messages) + ${n})`);
	const ru = await send(b, chat.id, `Я отправлю сообщение ${tag} завтра`);
	jump(FAR + 10000);
	const en = await send(b, chat.id, `the message ${tag} was sent`);
	jump(NEAR + 10000);
	const now = await send(a, chat.id, `новое сообщение ${tag}`);
	const top = Number(psql('SELECT max(id) FROM messages'));
	assert.ok(ru.id <= top - FAR, 'the first is below the far part');
	assert.ok(en.id <= top - NEAR && en.id > top - FAR, 'the second is in the far part');
	assert.ok(now.id > top - NEAR, 'the third is in the near part');

	assert.deepEqual(ids(await find(a, `сообщения ${tag}`)), [ru.id, now.id], 'Russian forms in the near and the oldest part');
	assert.deepEqual(ids(await find(a, `messages ${tag}`)), [en.id], 'English forms in the far part');
	assert.deepEqual(ids(await find(a, `${tag} сообщ`)), [ru.id, now.id], 'the last word as a prefix');
	assert.deepEqual(ids(await find(a, `${tag} messa`)), [en.id], 'a prefix in the far part');
	assert.deepEqual(ids(await find(a, `${tag} mes`)), [en.id], 'a three-letter prefix');
	const all = await find(b, tag);
	assert.deepEqual(ids(all), [ru.id, en.id, now.id]);
	assert.match(all.results.find((h) => h.id === en.id).snippet_html, new RegExp(`<mark>${tag}</mark>`));
	assert.deepEqual(ids(await find(a, tag, `&from=${b.user.nickname}`)), [ru.id, en.id]);
	assert.deepEqual(ids(await find(a, tag, `&chat=${chat.id}`)), [ru.id, en.id, now.id]);
	assert.equal((await find(a, `${tag} zzzqqq`)).results.length, 0, 'every word must match');
	// someone else finds nothing in any part, even naming the chat
	assert.equal((await find(c, tag)).results.length, 0);
	assert.equal((await find(c, tag, `&chat=${chat.id}`)).results.length, 0);
});

test(`the newest ${CANDIDATES} matches are ranked; an older one however relevant is not`, async () => {
	const a = await register('sr');
	const b = await register('ss');
	const chat = await directChat(a, b);
	const tag = `r${Date.now().toString(36)}`;
	// the most relevant match (the word three times), then 20 plain ones
	const best = await send(b, chat.id, `${tag} ${tag} ${tag}`);
	const plain = [];
	for (let i = 0; i < 20; i++)
		plain.push(await send(a, chat.id, `plain ${tag} ${i}`));
	let first = await find(a, tag);
	assert.equal(first.results[0].id, best.id, 'the most relevant first among 21 matches');
	assert.equal(first.results.length, 20);
	assert.equal(first.more, true);
	// CANDIDATES newer matches, written straight into the chat
	const seq = Number(psql(`SELECT last_seq FROM chats WHERE id = ${chat.id}`));
	psql(`WITH m AS (INSERT INTO messages (chat_id, seq, version_seq, sender_id, kind, body, html)
		SELECT ${chat.id}, ${seq} + s, ${seq} + s, ${a.user.id}, 'text', 'bulk ${tag} ' || s, '<p>bulk ${tag} ' || s || '</p>'
		FROM generate_series(1, ${CANDIDATES}) s RETURNING seq)
		UPDATE chats SET last_seq = (SELECT max(seq) FROM m) WHERE id = ${chat.id}`);
	first = await find(a, tag);
	assert.notEqual(first.results[0].id, best.id);
	const seen = new Set();
	for (let page = 1; page <= CANDIDATES / 20; page++) {
		const res = await find(a, tag, `&page=${page}`);
		assert.equal(res.results.length, 20, `page ${page} is full`);
		assert.equal(res.more, page < CANDIDATES / 20, `more on page ${page}`);
		for (const h of res.results) {
			assert.match(h.snippet_html, new RegExp(`bulk <mark>${tag}</mark>`), 'only the newest matches');
			seen.add(h.id);
		}
	}
	assert.equal(seen.size, CANDIDATES, 'every candidate shown once');
	assert.ok(!seen.has(best.id) && !plain.some((m) => seen.has(m.id)));
});
