// The chat page's reads (cgi/h_chats.c, page_reads): sent together after the session
// lookup, the chat itself taken from its row in the sidebar's list (STMT_CHATS_LIST, the
// viewer's newest 500 chats). A chat older than those 500 is still shown (read on its own,
// STMT_CHAT_GET), and someone who is not a member still gets 404.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, directChat, send, sql, RUN, htmlText } from './lib.mjs';

const page = (u, chat) => api('GET', `/chats/${chat}`, { token: u.token, headers: { Accept: 'text/html' } });

describe('chat page', () => {
	it('shows a chat that is not among the 500 newest of the sidebar; 404 for a stranger', async () => {
		const a = await register('cpa'), b = await register('cpb'), c = await register('cpc');
		const chat = await directChat(a, b);
		const text = `older than the sidebar ${RUN}`;
		await send(b, chat.id, text);
		const shown = await page(a, chat.id);
		assert.equal(shown.status, 200);
		assert.ok(htmlText(shown.text).includes(text), 'the message, while the chat is in the sidebar');
		// 500 newer chats for a (straight into the schema: the API would take minutes)
		sql(`WITH g AS (INSERT INTO chats (kind, title, last_message_at)
			SELECT 'group', 'pad ' || i, now() + interval '1 day' FROM generate_series(1, 500) i RETURNING id)
			INSERT INTO members (chat_id, user_id, role) SELECT id, ${Number(a.user.id)}, 'owner' FROM g`);
		const list = await api('GET', '/api/chats', { token: a.token });
		assert.equal(list.status, 200);
		assert.ok(!list.json.chats.some((x) => x.id === chat.id), 'the chat is beyond the list now');
		const old = await page(a, chat.id);
		assert.equal(old.status, 200, `the page of a chat beyond the list: ${old.status}`);
		assert.ok(htmlText(old.text).includes(text), 'its history is shown');
		assert.ok(htmlText(old.text).includes(b.user.name), 'its peer is named');
		assert.equal((await page(c, chat.id)).status, 404, 'a stranger');
		assert.equal((await page(b, chat.id)).status, 200, 'the other member');
	});
});
