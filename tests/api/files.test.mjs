// Files, photos and avatars through the real stack: uploads (JSON and the
// no-JavaScript form), every image type and plain files round-tripped,
// orientation honoured and no EXIF/GPS in anything served, who may download
// (member yes; non-member, removed member, visitor 404), hostile files served
// as attachments with nosniff, decompression bombs and frame bombs refused
// without a worker crash, the size cap (413, nothing left on disk), the Files
// view, live delivery, avatars and group pictures.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { BASE, api, register, directChat, clientId, wsConnect, closeAll, browserRegister } from './lib.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const TOOLS = process.env.MESSLY_TOOLS || join(ROOT, 'build/test/tools');
const VAR = process.env.MESSLY_VAR;
const FILES = process.env.MESSLY_FILES_DIR || (VAR && join(VAR, 'files'));
const MAX = Number(process.env.MESSLY_MAX_UPLOAD || 52428800);
const TMP = mkdtempSync(join(tmpdir(), 'messly-files-'));

after(closeAll);

function mkimage(...args) {
	return execFileSync(join(TOOLS, 'mkimage'), args.map(String), { encoding: 'utf8' });
}

function image(name, ...args) {
	const p = join(TMP, name);
	mkimage(args[0], p, ...args.slice(1));
	return readFileSync(p);
}

function probe(bytes) {
	const p = join(TMP, `probe-${Math.random().toString(36).slice(2)}`);
	writeFileSync(p, bytes);
	return JSON.parse(mkimage('probe', p));
}

function sql(query) {
	const dirs = readdirSync('/usr/lib/postgresql').sort();
	const psql = `/usr/lib/postgresql/${dirs[dirs.length - 1]}/bin/psql`;
	return execFileSync(psql, ['-X', '-q', '-t', '-A', '-h', join(VAR, 'pgrun'), '-U', 'postgres', '-d', 'messly',
		'-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8' }).trim();
}

/* POST multipart with fetch. files: [{name, bytes, field?, type?}]. */
async function upload(path, { token, cookie, origin, files = [], fields = {}, headers = {} } = {}) {
	const fd = new FormData();
	for (const [k, v] of Object.entries(fields)) fd.append(k, v);
	for (const f of files) fd.append(f.field || 'file', new Blob([f.bytes], { type: f.type || 'application/octet-stream' }), f.name);
	const h = { Accept: 'application/json', ...headers };
	if (token) h.Authorization = `Bearer ${token}`;
	if (cookie) h.Cookie = cookie;
	if (origin) h.Origin = origin;
	const res = await fetch(BASE + path, { method: path.includes('/avatar') && !cookie ? 'PUT' : 'POST', headers: h, body: fd, redirect: 'manual' });
	const text = await res.text();
	let json = null;
	try { json = JSON.parse(text); } catch { /* html */ }
	return { status: res.status, headers: res.headers, text, json };
}

async function get(path, token) {
	const res = await fetch(BASE + path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, redirect: 'manual' });
	return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

function sendFiles(user, chat, files, fields = {}) {
	return upload(`/api/chats/${chat}/files`, { token: user.token, files, fields: { client_id: clientId('f'), ...fields } });
}

function expectProtected(res, disposition) {
	assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
	assert.match(res.headers.get('content-security-policy') || '', /default-src 'none'; sandbox/);
	assert.match(res.headers.get('content-disposition') || '', new RegExp(`^${disposition};`));
}

function noExif(bytes) {
	assert.ok(!bytes.includes(Buffer.from('Exif\0\0')), 'no EXIF block in the served bytes');
	assert.ok(!bytes.includes(Buffer.from('eXIf')), 'no eXIf chunk');
}

/* A PNG that declares w x h and holds almost no data. */
function pngBomb(w, h) {
	const chunk = (type, data) => {
		const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type), data]);
		const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
		return Buffer.concat([len, td, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8; ihdr[9] = 0;
	const rows = Buffer.alloc((w + 1) * 4); // four rows of zeros
	return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

function blobCount() {
	let n = 0;
	for (const d of readdirSync(FILES)) if (d !== 'tmp') n += readdirSync(join(FILES, d)).length;
	return n;
}

const workerDeaths = () => (readFileSync(join(VAR, 'log/messly.log'), 'utf8').match(/worker \d+ (died|exited)/g) || []).length;

const people = {};
async function setup() {
	if (people.a) return people;
	people.a = await register('fa');
	people.b = await register('fb');
	people.c = await register('fc');
	people.chat = (await directChat(people.a, people.b)).id;
	return people;
}

test('photos of every type round-trip: oriented, stripped, thumbnails, inline', async () => {
	const { a, b, chat } = await setup();
	const deaths = workerDeaths();
	const jpg = image('o.jpg', 'jpeg', 1600, 1200, '--orient', '6', '--gps');
	assert.ok(jpg.includes(Buffer.from('Exif\0\0')), 'the test photo carries EXIF with GPS');
	const res = await sendFiles(a, chat, [
		{ name: 'holiday.jpg', bytes: jpg, type: 'image/jpeg' },
		{ name: 'shot.png', bytes: image('a.png', 'png', 640, 480, '--alpha') },
		{ name: 'anim.gif', bytes: image('a.gif', 'gif', 200, 100, '--frames', '5') },
		{ name: 'pic.webp', bytes: image('a.webp', 'webp', 300, 300) },
	], { caption: 'Trip **photos**' });
	assert.equal(res.status, 201, res.text);
	const m = res.json.message;
	assert.equal(m.kind, 'file');
	assert.equal(m.text, 'Trip **photos**');
	assert.equal(m.files.length, 4);
	const [photo, png, gif, webp] = m.files;
	assert.deepEqual([photo.width, photo.height, photo.thumb_width, photo.thumb_height], [1200, 1600, 240, 320]);
	for (const f of m.files) {
		assert.equal(f.kind, 'image');
		assert.match(f.thumb_url, /^\/files\/\d+\/thumb$/);
		for (const url of [f.url, f.thumb_url, f.view_url]) {
			const r = await get(url, b.token);
			assert.equal(r.status, 200, url);
			expectProtected(r, 'inline');
			noExif(r.bytes);
			const p = probe(r.bytes);
			assert.equal(p.exif, 0, `${url}: ${JSON.stringify(p)}`);
			assert.equal(p.profiles, 0);
			if (f === photo) // turned as EXIF says: blue top-left, red top-right
				assert.deepEqual([p.tl, p.tr, p.bl, p.br], ['blue', 'red', 'yellow', 'lime'], url);
		}
	}
	assert.equal((await get(photo.url, b.token)).headers.get('content-type'), 'image/jpeg');
	assert.equal(probe((await get(gif.url, b.token)).bytes).frames, 5, 'the animation is kept');
	assert.equal(probe((await get(gif.thumb_url, b.token)).bytes).frames, 1, 'a still thumbnail');
	assert.equal((await get(png.thumb_url, b.token)).headers.get('content-type'), 'image/webp');
	assert.equal(probe((await get(webp.url, b.token)).bytes).format, 'WEBP');
	assert.equal(workerDeaths(), deaths);
});

test('"send as file" keeps the original bytes, served as they are', async () => {
	const { a, b, chat } = await setup();
	const jpg = image('k.jpg', 'jpeg', 800, 600, '--gps');
	const res = await sendFiles(a, chat, [{ name: 'raw.jpg', bytes: jpg }], { as_file: '1' });
	assert.equal(res.status, 201, res.text);
	const f = res.json.message.files[0];
	const r = await get(f.url, b.token);
	assert.ok(r.bytes.equals(jpg), 'the original bytes, as sent');
	noExif((await get(f.thumb_url, b.token)).bytes);
});

test('plain files: PDF and zip round-trip as attachments', async () => {
	const { a, b, chat } = await setup();
	const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
	const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(60, 1)]);
	const res = await sendFiles(a, chat, [{ name: 'report.pdf', bytes: pdf }, { name: 'архив.zip', bytes: zip }]);
	assert.equal(res.status, 201, res.text);
	const [p, z] = res.json.message.files;
	assert.equal(p.type, 'application/pdf');
	assert.equal(p.thumb_url, null);
	assert.equal(z.name, 'архив.zip');
	const rp = await get(p.url, b.token);
	assert.equal(rp.headers.get('content-type'), 'application/pdf');
	expectProtected(rp, 'attachment');
	assert.ok(rp.bytes.equals(pdf));
	const rz = await get(z.url, b.token);
	assert.match(rz.headers.get('content-disposition'), /filename\*=UTF-8''%D0%B0%D1%80%D1%85%D0%B8%D0%B2\.zip/);
	assert.ok(rz.bytes.equals(zip));
	assert.equal((await get(`/files/${p.id}/thumb`, b.token)).status, 404, 'no thumbnail for a PDF');
	// the same bytes twice are stored once
	const before = blobCount();
	const again = await sendFiles(a, chat, [{ name: 'copy.pdf', bytes: pdf }]);
	assert.equal(again.status, 201);
	assert.equal(blobCount(), before);
});

test('only members download: non-member, removed member, visitor get 404', async () => {
	const { a, b, c, chat } = await setup();
	const res = await sendFiles(a, chat, [{ name: 'secret.jpg', bytes: image('s.jpg', 'jpeg', 64, 64) }]);
	const f = res.json.message.files[0];
	for (const url of [f.url, f.thumb_url, f.view_url, f.page_url, `/api/files/${f.id}`]) {
		assert.equal((await get(url, b.token)).status, 200, `member ${url}`);
		assert.equal((await get(url, c.token)).status, 404, `non-member ${url}`);
		assert.equal((await get(url)).status, 404, `visitor ${url}`);
	}
	assert.equal((await get(`/_files/${'0'.repeat(2)}/x`)).status, 404, 'the store is internal');
	assert.equal((await api('GET', `/api/chats/${chat}/files`, { token: c.token })).status, 404);
	// b leaves (removed from the chat): nothing is served any more
	const d = await register('fd');
	const chat2 = (await directChat(a, d)).id;
	const r2 = await sendFiles(a, chat2, [{ name: 'later.pdf', bytes: Buffer.from('%PDF-1.4 x') }]);
	const f2 = r2.json.message.files[0];
	assert.equal((await get(f2.url, d.token)).status, 200);
	sql(`DELETE FROM members WHERE chat_id = ${chat2} AND user_id = ${d.user.id}`);
	assert.equal((await get(f2.url, d.token)).status, 404);
	assert.equal((await upload(`/api/chats/${chat2}/files`, { token: d.token, files: [{ name: 'x.txt', bytes: Buffer.from('hi') }] })).status, 404);
});

test('hostile files are attachments with nosniff; names sanitized', async () => {
	const { a, b, chat } = await setup();
	const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');
	const html = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');
	const res = await sendFiles(a, chat, [
		{ name: 'cute.svg', bytes: svg, type: 'image/svg+xml' },
		{ name: 'page.html', bytes: html, type: 'text/html' },
		{ name: '../../x.html', bytes: html, type: 'image/png' },
		{ name: 'photo.jpg', bytes: svg, type: 'image/jpeg' },
	]);
	assert.equal(res.status, 201, res.text);
	const files = res.json.message.files;
	assert.deepEqual(files.map((f) => f.name), ['cute.svg', 'page.html', 'x.html', 'photo.jpg']);
	assert.deepEqual(files.map((f) => f.type), ['image/svg+xml', 'text/html', 'text/html', 'image/svg+xml']);
	for (const f of files) {
		assert.equal(f.kind, 'file', `${f.name} has no preview`);
		const r = await get(f.url, b.token);
		assert.equal(r.status, 200);
		expectProtected(r, 'attachment');
		assert.equal(r.headers.get('content-type'), 'application/octet-stream');
	}
	// the HTML view escapes the names
	const page = await fetch(`${BASE}/chats/${chat}/files`, { headers: { Authorization: `Bearer ${b.token}` } });
	assert.equal(page.status, 200);
	const text = await page.text();
	assert.ok(!text.includes('<script>alert'), 'no markup from file contents or names');
});

test('bombs and impostors: refused, or stored as plain files, never decoded past the limits', async () => {
	const { a, b, chat } = await setup();
	const deaths = workerDeaths();
	const bomb = pngBomb(30000, 30000);
	assert.ok(bomb.length < 2000);
	let t0 = Date.now();
	let r = await sendFiles(a, chat, [{ name: 'bomb.png', bytes: bomb }]);
	assert.equal(r.status, 422, r.text);
	assert.equal(r.json.error.field, 'file');
	assert.ok(Date.now() - t0 < 5000);
	r = await sendFiles(a, chat, [{ name: 'bomb.png', bytes: bomb }], { as_file: '1' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.message.files[0].kind, 'file');
	assert.equal((await get(r.json.message.files[0].url, b.token)).headers.get('content-disposition').split(';')[0], 'attachment');

	const frames = join(TMP, 'frames.gif');
	mkimage('gifbomb', frames, 5000);
	t0 = Date.now();
	r = await sendFiles(a, chat, [{ name: 'frames.gif', bytes: readFileSync(frames) }]);
	assert.equal(r.status, 422, r.text);
	assert.ok(Date.now() - t0 < 5000);

	const mvg = Buffer.from('push graphic-context\nviewbox 0 0 640 480\nimage over 0,0 0,0 \'/etc/passwd\'\npop graphic-context\n');
	r = await sendFiles(a, chat, [{ name: 'x.mvg', bytes: mvg }, { name: 'evil.jpg', bytes: Buffer.from('<svg width="90000" height="90000"/>') }]);
	assert.equal(r.status, 201, r.text);
	assert.deepEqual(r.json.message.files.map((f) => [f.kind, f.type]), [['file', 'text/plain'], ['file', 'image/svg+xml']]);
	// a truncated JPEG: the decoder fails cleanly
	const jpg = image('t.jpg', 'jpeg', 400, 300);
	r = await sendFiles(a, chat, [{ name: 'cut.jpg', bytes: jpg.subarray(0, 200) }]);
	assert.ok([201, 422].includes(r.status), r.text);
	assert.equal(workerDeaths(), deaths, 'no worker crashed');
	assert.equal((await api('GET', '/api/me', { token: a.token })).status, 200);
});

test('over the size cap: 413 in the user\'s language, nothing left on disk', async () => {
	const { a, chat } = await setup();
	const before = blobCount();
	const big = Buffer.alloc(MAX + 1000, 7);
	assert.equal((await api('POST', '/api/lang', { token: a.token, body: { lang: 'ru' } })).status, 204);
	const r = await upload(`/api/chats/${chat}/files`, { token: a.token, files: [{ name: 'big.bin', bytes: big }] });
	await api('POST', '/api/lang', { token: a.token, body: { lang: 'en' } });
	assert.equal(r.status, 413, r.text);
	assert.equal(r.json.error.code, 'too_large');
	assert.match(r.json.error.message, /не больше 5\u00a0МБ/);
	const huge = Buffer.alloc(MAX + 2 * 1048576, 7); // over nginx's own cap too
	const r2 = await upload(`/api/chats/${chat}/files`, { token: a.token, files: [{ name: 'huge.bin', bytes: huge }] });
	assert.equal(r2.status, 413);
	assert.equal(blobCount(), before, 'no blob stored');
	assert.deepEqual(readdirSync(join(FILES, 'tmp')), [], 'no temp file left');
});

test('bad uploads: no file, wrong type, CSRF for cookie sessions', async () => {
	const { a, chat } = await setup();
	let r = await sendFiles(a, chat, []);
	assert.equal(r.status, 422);
	r = await fetch(`${BASE}/api/chats/${chat}/files`, { method: 'POST', headers: { Authorization: `Bearer ${a.token}`, 'Content-Type': 'application/json' }, body: '{}' });
	assert.equal(r.status, 415);
	const w = await browserRegister('fw');
	const peer = await register('fx');
	const wchat = (await w.browser.api('POST', '/api/chats', { body: { kind: 'direct', nickname: peer.user.nickname }, headers: { 'X-CSRF-Token': w.browser.csrf, Origin: BASE } })).json.chat.id;
	const page = await w.browser.get(`/chats/${wchat}`);
	assert.match(page.text, /enctype="multipart\/form-data"/);
	// no csrf field before the file: refused before anything is stored
	r = await upload(`/chats/${wchat}/files`, { cookie: w.browser.cookieHeader, origin: BASE, files: [{ name: 'a.txt', bytes: Buffer.from('hi') }] });
	assert.equal(r.status, 403);
	// the no-JavaScript form: csrf first, then 303 back to the chat
	r = await upload(`/chats/${wchat}/files`, { cookie: w.browser.cookieHeader, origin: BASE, fields: { csrf: w.browser.csrf, client_id: clientId('h'), caption: 'from a form' }, files: [{ name: 'note.txt', bytes: Buffer.from('hello') }], headers: { Accept: 'text/html' } });
	assert.equal(r.status, 303, r.text);
	assert.match(r.headers.get('location'), new RegExp(`^/chats/${wchat}#m-\\d+$`));
	const chatPage = await w.browser.get(`/chats/${wchat}`);
	assert.match(chatPage.text, /note\.txt/);
	assert.match(chatPage.text, /from a form/);
	// a foreign Origin is refused too
	r = await upload(`/chats/${wchat}/files`, { cookie: w.browser.cookieHeader, origin: 'https://evil.example', fields: { csrf: w.browser.csrf }, files: [{ name: 'a.txt', bytes: Buffer.from('hi') }] });
	assert.equal(r.status, 403);
});

test('the Files view lists newest first, filters by type, pages', async () => {
	const { a, b } = await setup();
	const e = await register('fe');
	const chat = (await directChat(a, e)).id;
	await sendFiles(a, chat, [{ name: 'one.jpg', bytes: image('1.jpg', 'jpeg', 100, 80) }]);
	await sendFiles(e, chat, [{ name: 'two.txt', bytes: Buffer.from('two') }]);
	await sendFiles(a, chat, [{ name: 'three.png', bytes: image('3.png', 'png', 90, 90) }]);
	let r = await api('GET', `/api/chats/${chat}/files`, { token: e.token });
	assert.equal(r.status, 200);
	assert.deepEqual(r.json.files.map((f) => f.name), ['three.png', 'two.txt', 'one.jpg']);
	assert.equal(r.json.files[1].sender.id, e.user.id);
	r = await api('GET', `/api/chats/${chat}/files?type=image`, { token: e.token });
	assert.deepEqual(r.json.files.map((f) => f.name), ['three.png', 'one.jpg']);
	r = await api('GET', `/api/chats/${chat}/files?type=file&before=${r.json.files[0].id}`, { token: e.token });
	assert.deepEqual(r.json.files.map((f) => f.name), ['two.txt']);
	assert.equal((await api('GET', `/api/chats/${chat}/files?type=pdf`, { token: e.token })).status, 400);
	assert.equal((await api('GET', `/api/chats/${chat}/files`, { token: b.token })).status, 404);
	const page = await fetch(`${BASE}/chats/${chat}/files`, { headers: { Authorization: `Bearer ${e.token}` } });
	const html = await page.text();
	assert.match(html, /class="photo-grid"/);
	assert.match(html, /<img src="\/files\/\d+\/thumb" width="90" height="90"/);
	// the file page: the lightbox without JavaScript
	const fp = await fetch(`${BASE}/files/${r.json.files[0].id}`, { headers: { Authorization: `Bearer ${e.token}` } });
	assert.equal(fp.status, 200);
	assert.match(await fp.text(), /two\.txt/);
});

test('a file message is delivered live with the thumbnail in its html, and caught up', async () => {
	const { a, b, chat } = await setup();
	const live = await wsConnect(b.token);
	const res = await sendFiles(a, chat, [{ name: 'live.jpg', bytes: image('l.jpg', 'jpeg', 500, 400) }]);
	assert.equal(res.status, 201);
	const m = res.json.message;
	const ev = await live.waitFor((f) => f.type === 'message' && f.id === m.id, 8000, 'the file message');
	assert.equal(ev.seq, m.seq);
	assert.match(ev.html, new RegExp(`<img src="/files/${m.files[0].id}/thumb" width="320" height="256"`));
	const ca = await api('GET', `/api/chats/${chat}/events?after=${m.seq - 1}`, { token: b.token });
	assert.equal(ca.json.events[0].message.files[0].name, 'live.jpg');
	const list = await api('GET', '/api/chats', { token: b.token });
	assert.match(list.json.chats.find((c) => c.id === chat).last_message.preview, /live\.jpg/);
	// the same client_id again: the first message, nothing new
	const cid = clientId('dup');
	const one = await sendFiles(a, chat, [{ name: 'd.txt', bytes: Buffer.from('d') }], { client_id: cid });
	const two = await sendFiles(a, chat, [{ name: 'd.txt', bytes: Buffer.from('d') }], { client_id: cid });
	assert.equal(one.status, 201);
	assert.equal(two.status, 200);
	assert.equal(two.json.message.id, one.json.message.id);
	assert.equal(two.json.message.files[0].id, one.json.message.files[0].id);
});

test('avatars: set, seen by others, live, removed; group pictures for owners only', async () => {
	const { a, b, c, chat } = await setup();
	const live = await wsConnect(b.token);
	let r = await upload('/api/me/avatar', { token: a.token, files: [{ field: 'avatar', name: 'me.jpg', bytes: image('av.jpg', 'jpeg', 300, 200, '--gps') }] });
	assert.equal(r.status, 200, r.text);
	const av = r.json.avatar;
	for (const [url, n] of [[av.url48, 48], [av.url96, 96], [av.url256, 256]]) {
		const g = await get(url, c.token); // any logged-in user
		assert.equal(g.status, 200);
		const p = probe(g.bytes);
		assert.deepEqual([p.width, p.height, p.exif], [n, n, 0]);
	}
	assert.equal((await get(av.url96)).status, 404, 'visitors see no avatars');
	const ev = await live.waitFor((f) => f.type === 'avatar' && f.key === `u${a.user.id}`, 8000, 'the avatar event');
	assert.equal(ev.avatar.id, av.id);
	const chats = await api('GET', '/api/chats', { token: b.token });
	assert.equal(chats.json.chats.find((x) => x.id === chat).avatar.id, av.id);
	assert.equal((await api('GET', '/api/me', { token: a.token })).json.user.avatar.id, av.id);
	const page = await fetch(`${BASE}/chats/${chat}`, { headers: { Authorization: `Bearer ${b.token}` } });
	assert.match(await page.text(), new RegExp(`<img class="avatar-img" src="/avatars/${av.id}/96"`));
	r = await upload('/api/me/avatar', { token: a.token, files: [{ field: 'avatar', name: 'x.pdf', bytes: Buffer.from('%PDF-1.4') }] });
	assert.equal(r.status, 422);
	r = await api('DELETE', '/api/me/avatar', { token: a.token });
	assert.equal(r.status, 204);
	assert.equal((await get(av.url96, b.token)).status, 404, 'an old avatar stops answering');
	assert.equal((await api('GET', '/api/me', { token: a.token })).json.user.avatar, null);

	// a group made in SQL (groups are built elsewhere): owner a, member b
	const gid = sql(`WITH g AS (INSERT INTO chats (kind, title) VALUES ('group', 'Pics') RETURNING id),
		m AS (INSERT INTO members (chat_id, user_id, role) SELECT g.id, ${a.user.id}, 'owner' FROM g UNION ALL SELECT g.id, ${b.user.id}, 'member' FROM g)
		SELECT id FROM g`);
	const pic = image('g.png', 'png', 200, 300);
	r = await upload(`/api/chats/${gid}/avatar`, { token: b.token, files: [{ field: 'avatar', name: 'g.png', bytes: pic }] });
	assert.equal(r.status, 403);
	r = await upload(`/api/chats/${gid}/avatar`, { token: c.token, files: [{ field: 'avatar', name: 'g.png', bytes: pic }] });
	assert.equal(r.status, 404);
	r = await upload(`/api/chats/${chat}/avatar`, { token: a.token, files: [{ field: 'avatar', name: 'g.png', bytes: pic }] });
	assert.equal(r.status, 403, 'a direct chat has no picture');
	r = await upload(`/api/chats/${gid}/avatar`, { token: a.token, files: [{ field: 'avatar', name: 'g.png', bytes: pic }] });
	assert.equal(r.status, 200, r.text);
	const gev = await live.waitFor((f) => f.type === 'avatar' && f.key === `c${gid}`, 8000, 'the group picture event');
	assert.equal(gev.avatar.id, r.json.avatar.id);
	assert.equal((await get(r.json.avatar.url48, b.token)).status, 200);
	assert.equal((await get(r.json.avatar.url48, c.token)).status, 404, 'a group picture is for members');
});

test('the avatar settings page works without JavaScript', async () => {
	const w = await browserRegister('fs');
	const page = await w.browser.get('/settings/avatar');
	assert.equal(page.status, 200);
	assert.match(page.text, /action="\/settings\/avatar" enctype="multipart\/form-data"/);
	let r = await upload('/settings/avatar', { cookie: w.browser.cookieHeader, origin: BASE, fields: { csrf: w.browser.csrf }, files: [{ field: 'avatar', name: 'a.webp', bytes: image('s.webp', 'webp', 120, 120) }], headers: { Accept: 'text/html' } });
	assert.equal(r.status, 303, r.text);
	const after1 = await w.browser.get('/settings/avatar');
	assert.match(after1.text, /<img class="avatar-img" src="\/avatars\/\d+\/256"/);
	r = await w.browser.post('/settings/avatar/delete', {});
	assert.equal(r.status, 303);
	assert.ok(!(await w.browser.get('/settings/avatar')).text.includes('class="avatar-img"'));
	assert.ok(existsSync(FILES) && statSync(FILES).isDirectory());
});
