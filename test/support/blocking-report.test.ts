import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.ts';

const TESTS = 3000;
const PRELOAD = new URL('./blocking-report.ts', import.meta.url).pathname;

test('with the preload npm run test:node uses, a forced exit loses none of a file’s results', (t) => {
  const file = join(tempDir(t), 'many.test.cjs');
  const lines = Array.from({ length: TESTS }, (_, i) => `test('t${i}', () => {});`);
  writeFileSync(file, ["const { test } = require('node:test');", ...lines].join('\n'));
  const out = execFileSync(
    process.execPath,
    ['--test', '--test-force-exit', '--test-concurrency=2', '--import', PRELOAD, file],
    // A runner started inside a test file would take itself for one of its children (and report as they do).
    { encoding: 'utf8', env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
  );
  // Without the preload, on Linux, this read 2913-2926 of 3000 (Node 24.21).
  assert.match(out, new RegExp(`^ℹ tests ${TESTS}$`, 'm'));
  assert.match(out, new RegExp(`^ℹ pass ${TESTS}$`, 'm'));
});
