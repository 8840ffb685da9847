// Forwarding a file or photo message: the copy in the target chat carries
// the same files (and caption); the target chat's members may fetch them,
// strangers still may not, and the source chat's files stay the source's;
// both views (JSON and the message page's form); deleting the original does
// not take the files from the copy.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, crc32 } from 'node:zlib';
import { BASE, RUN, api, register, login, clientId, closeAll, browserRegister, directChat, expectStatus } from './lib.mjs';

after(closeAll);

const T = { timeout: 120000 };

/* A small valid grayscale PNG (w x 4). */
function png(w) {
	const chunk = (type, data) => {
		const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type), data]);
		const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
		return Buffer.concat([len, td, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(4, 4);
	ihdr[8] = 8; ihdr[9] = 0;
	const rows = Buffer.alloc((w + 1) * 4, 0x80);
	for (let r = 0; r < 4; r++) rows[r * (w + 1)] = 0; // filter byte
	return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

async function sendFiles(user, chat, files, caption) {
	const fd = new FormData();
	fd.append('client_id', clientId('ff'));
	if (caption) fd.append('caption', caption);
	for (const f of files) fd.append('file', new Blob([f.bytes], { type: 'application/octet-stream' }), f.name);
	const res = await fetch(`${BASE}/api/chats/${chat}/files`, {
		method: 'POST', headers: { Accept: 'application/json', Authorization: `Bearer ${user.token}` }, body: fd,
	});
	assert.equal(res.status, 201, await res.clone().text());
	return (await res.json()).message;
}

async function fetchStatus(path, token) {
	const res = await fetch(BASE + path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, redirect: 'manual' });
	await res.arrayBuffer();
	return res.status;
}

async function person(prefix) {
	const w = await browserRegister(prefix);
	const res = await login(w.user.nickname, w.password);
	expectStatus(res, 200, 'login for a token');
	return { user: w.user, token: res.json.token, browser: w.browser };
}

describe('forwarding files', () => {
	let A, B, C, D, ab, ac;
	before(async () => {
		A = await person('fa');
		B = await register('fb');
		C = await register('fc');
		D = await register('fd'); // a stranger
		ab = await directChat(A, B);
		ac = await directChat(A, C);
	});

	it('copies the files into the target chat; its members fetch them, others do not', T, async () => {
		const orig = await sendFiles(B, ab.id, [{ name: 'pic.png', bytes: png(64) }, { name: `note-${RUN}.txt`, bytes: Buffer.from('hello') }], `see ${RUN}`);
		assert.equal(orig.files.length, 2);
		const res = await api('POST', `/api/messages/${orig.id}/forward`, { token: A.token, body: { chat: ac.id } });
		expectStatus(res, 201, 'forward a file message');
		const m = res.json.message;
		assert.equal(m.kind, 'file');
		assert.equal(m.chat, ac.id);
		assert.equal(m.text, `see ${RUN}`, 'the caption too');
		assert.equal(m.forwarded_from.id, B.user.id);
		assert.deepEqual(m.files.map((f) => f.name), orig.files.map((f) => f.name));
		assert.deepEqual(m.files.map((f) => f.size), orig.files.map((f) => f.size));
		assert.ok(m.files.every((f, i) => f.id !== orig.files[i].id), 'new file rows');
		const [pic, note] = m.files;
		assert.equal(pic.kind, 'image');
		// C (in the target chat) fetches the copies, not the originals
		assert.equal(await fetchStatus(pic.url, C.token), 200);
		assert.equal(await fetchStatus(pic.thumb_url, C.token), 200);
		assert.equal(await fetchStatus(note.url, C.token), 200);
		assert.equal(await fetchStatus(orig.files[1].url, C.token), 404, 'the source chat stays closed to C');
		// B (only in the source chat) does not get the copies; D gets nothing
		assert.equal(await fetchStatus(note.url, B.token), 404);
		assert.equal(await fetchStatus(note.url, D.token), 404);
		assert.equal(await fetchStatus(orig.files[1].url, D.token), 404);
		// deleting the original does not take the files from the copy
		expectStatus(await api('DELETE', `/api/messages/${orig.id}`, { token: B.token }), 200);
		assert.equal(await fetchStatus(orig.files[1].url, A.token), 404, 'the original is gone');
		assert.equal(await fetchStatus(note.url, C.token), 200, 'the copy stays');
		// the target chat's Files view lists them
		const list = await api('GET', `/api/chats/${ac.id}/files`, { token: C.token });
		expectStatus(list, 200);
		assert.ok(list.json.files.some((f) => f.id === note.id));
	});

	it('refused: a deleted file message, a chat of others', T, async () => {
		const orig = await sendFiles(A, ab.id, [{ name: 'x.txt', bytes: Buffer.from('x') }]);
		const bc = await directChat(B, C);
		expectStatus(await api('POST', `/api/messages/${orig.id}/forward`, { token: A.token, body: { chat: bc.id } }), 404, 'into a chat of others');
		expectStatus(await api('POST', `/api/messages/${orig.id}/forward`, { token: D.token, body: { chat: ac.id } }), 404, 'a message of others');
		expectStatus(await api('DELETE', `/api/messages/${orig.id}`, { token: A.token }), 200);
		expectStatus(await api('POST', `/api/messages/${orig.id}/forward`, { token: A.token, body: { chat: ac.id } }), 404, 'deleted');
	});

	it('with the form on the message page (no JavaScript)', T, async () => {
		const orig = await sendFiles(B, ab.id, [{ name: `form-${RUN}.txt`, bytes: Buffer.from('form') }]);
		const page = await A.browser.get(`/messages/${orig.id}`);
		expectStatus(page, 200);
		assert.match(page.text, new RegExp(`<option value="${ac.id}">`), 'a file message offers forwarding');
		const res = await A.browser.post(`/messages/${orig.id}/forward`, { chat: String(ac.id) });
		expectStatus(res, 303, 'form forward');
		const id = res.headers.get('location').match(new RegExp(`^/chats/${ac.id}#m-(\\d+)$`))[1];
		const chat = await A.browser.get(`/chats/${ac.id}`);
		const li = chat.text.match(new RegExp(`<li class="msg[^"]*" id="m-${id}"[\\s\\S]*?</li>`));
		assert.ok(li && li[0].includes(`form-${RUN}.txt`), 'the file shows in the target chat');
		const got = await api('GET', `/api/messages/${id}`, { token: C.token });
		expectStatus(got, 200);
		assert.equal(await fetchStatus(got.json.message.files[0].url, C.token), 200);
	});
});
