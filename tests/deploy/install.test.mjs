// `make install` into a scratch prefix and DESTDIR: every part lands with its
// paths rewritten, a changed configuration is never overwritten, the systemd
// units pass `systemd-analyze verify`, and `messly check-config` accepts a
// good configuration and names what is wrong in a broken one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './node.mjs';

let tmp;
const env = { ...process.env };
delete env.MAKEFLAGS; // not the outer make's jobserver
delete env.MAKELEVEL;
delete env.MFLAGS;

function run(cmd, args, opts = {}) {
	const r = spawnSync(cmd, args, { cwd: ROOT, env: opts.env || env, encoding: 'utf8', timeout: 120000 });
	return { code: r.status, out: r.stdout || '', err: r.stderr || '', all: `${r.stdout || ''}${r.stderr || ''}` };
}

function install(extra) {
	const r = run('make', ['--no-print-directory', 'install', 'MODE=test', ...extra]);
	assert.equal(r.code, 0, `make install failed:\n${r.all.slice(-3000)}`);
}

before(() => {
	tmp = mkdtempSync('/tmp/messly-install-');
	install([`PREFIX=${tmp}/usr`, `SYSCONFDIR=${tmp}/etc`]);
});
after(() => {
	if (process.env.KEEP_VAR !== '1') rmSync(tmp, { recursive: true, force: true });
});

test('make install puts every part in place with its paths rewritten', () => {
	const p = (f) => join(tmp, f);
	assert.ok(statSync(p('usr/bin/messly')).mode & 0o111, 'binary executable');
	for (const f of ['templates/chat.html', 'templates/i18n/ru.txt', 'static/app.js', 'schema/001_core.sql',
		'messly.conf.example', 'nginx/messly.site', 'nginx/nginx.conf', 'nginx/messly-redis.conf'])
		assert.ok(existsSync(p(`usr/share/messly/${f}`)), f);
	for (const f of ['usr/sbin/messly-backup', 'usr/sbin/messly-restore', 'usr/share/doc/messly/DEPLOY.md',
		'usr/lib/tmpfiles.d/messly.conf', 'usr/lib/sysusers.d/messly.conf', 'etc/messly/messly.conf'])
		assert.ok(existsSync(p(f)), f);
	const unit = readFileSync(p('usr/lib/systemd/system/messly.service'), 'utf8');
	assert.match(unit, new RegExp(`^ExecStart=${tmp}/usr/bin/messly serve$`, 'm'));
	assert.match(unit, new RegExp(`MESSLY_CONFIG=${tmp}/etc/messly/messly.conf`));
	const site = readFileSync(p('etc/nginx/sites-available/messly'), 'utf8');
	assert.ok(site.includes(`alias ${tmp}/usr/share/messly/static/;`));
	const conf = readFileSync(p('etc/messly/messly.conf'), 'utf8');
	assert.match(conf, new RegExp(`^home = ${tmp}/usr/share/messly$`, 'm'));
	assert.equal(statSync(p('etc/messly/messly.conf')).mode & 0o007, 0, 'configuration not world-readable');
	const home = run(p('usr/bin/messly'), ['--config', p('etc/messly/messly.conf'), 'config', 'home'], { env: { ...env, MESSLY_HOME: '' } });
	assert.equal(home.out.trim(), `${tmp}/usr/share/messly`, home.all);
});

test('make install with DESTDIR stages under it and keeps a changed configuration', () => {
	const dest = join(tmp, 'stage');
	install([`DESTDIR=${dest}`, 'PREFIX=/usr', 'SYSCONFDIR=/etc']);
	assert.ok(existsSync(join(dest, 'usr/bin/messly')));
	assert.match(readFileSync(join(dest, 'usr/lib/systemd/system/messly.service'), 'utf8'), /^ExecStart=\/usr\/bin\/messly serve$/m);
	const conf = join(dest, 'etc/messly/messly.conf');
	appendFileSync(conf, '\n# changed by the admin\nworkers = 9\n');
	const site = join(dest, 'etc/nginx/sites-available/messly');
	appendFileSync(site, '\n# changed by the admin\n');
	install([`DESTDIR=${dest}`, 'PREFIX=/usr', 'SYSCONFDIR=/etc']);
	assert.match(readFileSync(conf, 'utf8'), /^workers = 9$/m, 'configuration kept');
	assert.match(readFileSync(site, 'utf8'), /# changed by the admin/, 'nginx site kept');
});

test('the installed systemd units pass systemd-analyze verify', (t) => {
	if (run('sh', ['-c', 'command -v systemd-analyze']).code !== 0) return t.skip('no systemd-analyze');
	const dir = join(tmp, 'usr/lib/systemd/system');
	const units = ['messly.service', 'messly-maintenance.service', 'messly-maintenance.timer'].map((u) => join(dir, u));
	const r = run('systemd-analyze', ['verify', ...units]);
	assert.equal(r.code, 0, r.all);
	assert.equal(r.all.trim(), '', `systemd-analyze verify printed:\n${r.all}`);
	// and it does notice a broken unit
	const bad = join(tmp, 'broken.service');
	writeFileSync(bad, readFileSync(units[0], 'utf8').replace('ExecStart=', 'ExecStart=/nonexistent/messly #'));
	const r2 = run('systemd-analyze', ['verify', bad]);
	assert.notEqual(`${r2.code}${r2.all.trim()}`, '0', 'a unit with a missing binary is reported');
});

function checkConfig(conf, extraEnv = {}) {
	return run(join(tmp, 'usr/bin/messly'), ['--config', conf, 'check-config'], { env: { ...env, ...extraEnv } });
}

test('check-config accepts the installed configuration on a migrated database', () => {
	// the stack's environment (MESSLY_DB, MESSLY_SECRET_FILE, ...) overrides the file
	const r = checkConfig(join(tmp, 'etc/messly/messly.conf'), { MESSLY_HOME: '' });
	assert.equal(r.code, 0, r.all);
	assert.match(r.out, /^ok {4}database: connected/m);
	assert.match(r.out, /^ok {4}schema: up to date/m);
	assert.match(r.out, new RegExp(`^ok {4}templates: ${tmp}/usr/share/messly/templates$`, 'm'));
	assert.match(r.out, /^ok {4}imagemagick: the project's policy is in force/m);
	assert.match(r.out, /^configuration OK/m);
});

test('check-config fails when the ImageMagick policy is not in force', () => {
	// Debian's own policy lets SVG, MVG, TEXT and more through: not good enough
	const r = checkConfig(join(tmp, 'etc/messly/messly.conf'), { MESSLY_HOME: '', MAGICK_CONFIGURE_PATH: join(tmp, 'nowhere') });
	assert.equal(r.code, 1, r.all);
	assert.match(r.out, /^FAIL {2}imagemagick: the policy is not in force/m);
});

test('check-config names a broken setting, database, secret and schema', () => {
	const conf = join(tmp, 'broken.conf');
	writeFileSync(conf, 'workers = 4\nsession_days = forever\n');
	let r = checkConfig(conf);
	assert.equal(r.code, 1);
	assert.match(r.out, /^FAIL {2}settings: .*broken\.conf:2: session_days must be a number from 1 to 3650, not 'forever'$/m);

	writeFileSync(conf, 'wrokers = 4\n');
	r = checkConfig(conf);
	assert.equal(r.code, 1);
	assert.match(r.out, /broken\.conf:1: unknown setting 'wrokers'/);

	writeFileSync(conf, '# fine\n');
	r = checkConfig(conf, { MESSLY_DB: `host=${tmp}/nowhere dbname=messly connect_timeout=2` });
	assert.equal(r.code, 1);
	assert.match(r.out, /^FAIL {2}database: cannot connect/m);

	const secret = join(tmp, 'secret');
	writeFileSync(secret, 'not hex\n');
	r = checkConfig(conf, { MESSLY_SECRET_FILE: secret });
	assert.equal(r.code, 1);
	assert.match(r.out, /^FAIL {2}secret: .* must hold 64 hex characters/m);

	const db = `${process.env.MESSLY_DB.replace(/dbname=\S+/, '')} dbname=postgres`;
	r = checkConfig(conf, { MESSLY_DB: db });
	assert.equal(r.code, 1);
	assert.match(r.out, /^FAIL {2}schema: \d+ migration\(s\) pending after \(none\); run `messly migrate`/m);
});
