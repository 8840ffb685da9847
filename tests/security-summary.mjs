// The one summary of `make check-security` (and the end of `make test`): reads the
// figures the last run left in build/report/ and fails when any promise is broken.
//   fuzz.json      corpus replays per target (Makefile: fuzz-regress)
//   hostile.json   hostile requests tried, 5xx answers (tests/api/hostile.test.mjs)
//   stack.json     sanitizer reports and crashes of the stack (deploy/test.sh)
//   faults.json    sends, faults, lost, duplicated, holes, out of order (tests/faults/)
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] || 'build/report';
const read = (name) => {
	const p = join(dir, name);
	return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null;
};
const fuzz = read('fuzz.json');
const hostile = read('hostile.json');
const stack = read('stack.json');
const faults = read('faults.json');
const broken = [];
const missing = [['fuzz corpus replays', fuzz], ['hostile requests', hostile], ['stack figures', stack], ['fault test', faults]]
	.filter(([, v]) => v === null).map(([k]) => k);

const replays = fuzz ? Object.values(fuzz).reduce((a, b) => a + b, 0) : 0;
const tried = hostile?.tried ?? 0;
const crashes = (stack?.crashes ?? 0) + (hostile?.restarts ?? 0);
const lines = [
	['inputs tried', `${replays + tried} (${replays} fuzz corpus replays over ${fuzz ? Object.keys(fuzz).length : 0} targets + ${tried} hostile requests)`],
	['5xx answers to hostile input', hostile ? hostile.five_hundreds : '-'],
	['crashes', crashes],
	['sanitizer reports', stack ? stack.sanitizer_reports : '-'],
	['faults injected', faults ? `${faults.faults} (worst recovery ${faults.worst_recovery_ms} ms, limit ${faults.recovery_limit_ms} ms)` : '-'],
	['messages sent under faults', faults ? faults.sends : '-'],
	['messages lost', faults ? faults.lost : '-'],
	['messages duplicated', faults ? faults.duplicated : '-'],
	['messages out of order', faults ? faults.out_of_order : '-'],
	['holes in a display', faults ? faults.holes : '-'],
	['retries answered differently', faults ? faults.answer_mismatches : '-'],
];
if (hostile?.five_hundreds) broken.push('5xx answers to hostile input');
if (crashes) broken.push('crashes');
if (stack?.sanitizer_reports) broken.push('sanitizer reports');
for (const k of ['lost', 'duplicated', 'out_of_order', 'holes', 'answer_mismatches', 'unanswered'])
	if (faults?.[k]) broken.push(`messages ${k.replace('_', ' ')}`);
if (faults && faults.worst_recovery_ms > faults.recovery_limit_ms) broken.push('recovery too slow');

console.log('== check-security');
for (const [k, v] of lines) console.log(`${(k + ':').padEnd(32)} ${v}`);
if (faults?.todo?.length) console.log(`${'not covered yet:'.padEnd(32)} ${faults.todo.join('; ')}`);
if (missing.length) console.log(`${'missing (not run or failed):'.padEnd(32)} ${missing.join(', ')}`);
if (broken.length || missing.length) {
	console.log(`FAILED: ${[...broken, ...missing.map((m) => `no ${m}`)].join(', ')}`);
	process.exit(1);
}
console.log('OK: no crash, no sanitizer report, nothing lost, doubled or out of order');
