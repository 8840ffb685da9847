// Backups: deploy/backup.sh (messly-backup) of the running test server --
// database, files, secret -- restored by deploy/restore.sh (messly-restore)
// into a fresh PostgreSQL cluster brings back every row of every table and
// every file; a restore over data, or from a damaged backup, is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeAll, directChat, register, send } from '../api/lib.mjs';
import { BIN, ROOT } from './node.mjs';

const VAR = process.env.MESSLY_VAR;
let tmp, fresh;

function sh(script, env = {}) {
	const r = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MESSLY_BIN: BIN, ...env }, timeout: 120000, maxBuffer: 512 * 1024 * 1024 });
	return { code: r.status, out: r.stdout || '', err: r.stderr || '' };
}

function dump(conninfo) {
	const tables = sh(`psql -X -At -d '${conninfo}' -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"`);
	assert.equal(tables.code, 0, tables.err);
	const out = {};
	for (const t of tables.out.trim().split('\n')) {
		const r = sh(`psql -X -At -d '${conninfo}' -c 'SELECT t::text FROM "${t}" t ORDER BY 1'`);
		assert.equal(r.code, 0, r.err);
		out[t] = r.out;
	}
	return out;
}

function tree(dir) {
	const out = {};
	const walk = (d, rel) => {
		for (const e of readdirSync(d, { withFileTypes: true })) {
			const p = join(d, e.name);
			if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
			else out[`${rel}${e.name}`] = readFileSync(p).toString('base64');
		}
	};
	walk(dir, '');
	return out;
}

before(() => {
	tmp = mkdtempSync('/tmp/messly-backup-');
	fresh = join(tmp, 'v');
});
after(async () => {
	await closeAll();
	sh(`. deploy/stack.sh; stack_stop '${fresh}'`);
	if (process.env.KEEP_VAR !== '1') rmSync(tmp, { recursive: true, force: true });
});

test('backup and restore into a fresh server bring back every chat, message and file', async () => {
	const a = await register('bka');
	const b = await register('bkb');
	const chat = await directChat(a, b);
	const text = `keep me ${Date.now()}`;
	await send(a, chat.id, text);
	const files = process.env.MESSLY_FILES_DIR;
	mkdirSync(join(files, 'ab/cd'), { recursive: true });
	writeFileSync(join(files, 'ab/cd/abcdef'), Buffer.from([0, 1, 2, 255, 254]));
	writeFileSync(join(files, 'top.txt'), 'файл\n');

	const bk = sh(`deploy/backup.sh '${tmp}/backups'`);
	assert.equal(bk.code, 0, bk.err);
	const dir = bk.out.trim();
	assert.match(dir, /\/messly-\d{8}T\d{6}Z$/);
	assert.deepEqual(readdirSync(dir).sort(), ['SHA256SUMS', 'db.dump', 'files.tar', 'secret']);
	const source = dump(process.env.MESSLY_DB);
	assert.ok(source.messages.includes(text));

	// an empty server: a new cluster with an empty database "messly"
	const up = sh(`. deploy/stack.sh; stack_init '${fresh}' 0 >/dev/null && stack_start_pg '${fresh}'`);
	assert.equal(up.code, 0, up.err);
	const env = {
		MESSLY_DB: `host=${fresh}/pgrun dbname=messly user=postgres connect_timeout=5`,
		MESSLY_FILES_DIR: `${fresh}/restored-files`,
		MESSLY_SECRET_FILE: `${fresh}/restored-secret`,
	};
	const rs = sh(`deploy/restore.sh '${dir}'`, env);
	assert.equal(rs.code, 0, `${rs.out}${rs.err}`);
	assert.deepEqual(dump(env.MESSLY_DB), source, 'every row of every table');
	assert.deepEqual(tree(env.MESSLY_FILES_DIR), tree(files), 'every file');
	assert.equal(readFileSync(env.MESSLY_SECRET_FILE, 'utf8'), readFileSync(process.env.MESSLY_SECRET_FILE, 'utf8'));

	// the restored server is consistent for the app: check-config is happy with it
	const cc = sh(`"$MESSLY_BIN" check-config`, env);
	assert.match(cc.out, /^ok {4}schema: up to date/m, cc.out);

	// refused: a second restore over the data, and a damaged backup
	const again = sh(`deploy/restore.sh '${dir}'`, { ...env, MESSLY_FILES_DIR: `${fresh}/other` });
	assert.notEqual(again.code, 0);
	assert.match(again.err, /already has \d+ tables/);
	appendFileSync(join(dir, 'db.dump'), 'x');
	const damaged = sh(`deploy/restore.sh '${dir}'`, env);
	assert.notEqual(damaged.code, 0);
	assert.match(damaged.err, /checksums .* do not match/);
});
