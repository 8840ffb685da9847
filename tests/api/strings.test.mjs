// strings.test.mjs: no interface text is hard-coded in the JavaScript.
// Strings come from the catalogs (templates/i18n) through data-t-*
// attributes of the page; a Russian word in a script means one slipped in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../../static/', import.meta.url).pathname;
const DATA = new Set(['emoji-data.js']); // emoji names in both languages: data, not interface text

test('static scripts carry no hard-coded Russian interface text', () => {
	const found = [];
	for (const f of readdirSync(dir).filter((n) => n.endsWith('.js') && !DATA.has(n))) {
		readFileSync(join(dir, f), 'utf8').split('\n').forEach((line, i) => {
			if (/[\u0400-\u04FF]/.test(line.replace(/\/\/.*$|\/\*.*?\*\//g, ''))) found.push(`${f}:${i + 1}: ${line.trim()}`);
		});
	}
	assert.deepEqual(found, []);
});

test('static scripts carry no English fallbacks for missing catalog strings', () => {
	// `attr || 'Sent'` would show English to a Russian reader whenever the
	// page forgot the attribute; the page must carry it (data-t-*).
	const found = [];
	for (const f of readdirSync(dir).filter((n) => n.endsWith('.js') && !DATA.has(n))) {
		readFileSync(join(dir, f), 'utf8').split('\n').forEach((line, i) => {
			if (/\|\|\s*'[A-Z][a-z]+[^']*'|\bt\('[a-z_.]+',\s*'[^']+'\)/.test(line)) found.push(`${f}:${i + 1}: ${line.trim()}`);
		});
	}
	assert.deepEqual(found, []);
});
