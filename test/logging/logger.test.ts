import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { logFormatFor } from '../../server/logger.ts';

const LOGGER = fileURLToPath(new URL('../../server/logger.ts', import.meta.url));

/** Logs one warning with a secret through a real logger in a child process, as `wagate serve` would. */
function logOnce(env: Record<string, string>): string {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};
createLogger('info', 2).child({ part: 'whatsapp' }).warn({ code: 408, apiKey: 'wg_1234_secret' }, 'WhatsApp connection closed');`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stderr;
}

test('a pipe gets JSON lines; WAGATE_LOG_FORMAT chooses either way', () => {
  assert.equal(logFormatFor(2, {}), process.stderr.isTTY ? 'pretty' : 'json');
  assert.equal(logFormatFor(2, { WAGATE_LOG_FORMAT: 'json' }), 'json');
  assert.equal(logFormatFor(2, { WAGATE_LOG_FORMAT: 'pretty' }), 'pretty');
});

test('JSON output: one parseable line, the secret redacted', () => {
  const line = JSON.parse(logOnce({ WAGATE_LOG_FORMAT: 'json' }).trim());
  assert.equal(line.msg, 'WhatsApp connection closed');
  assert.equal(line.part, 'whatsapp');
  assert.equal(line.apiKey, '[redacted]');
});

test('readable output: one line with the level, the part and the message, the secret redacted', () => {
  const out = logOnce({ WAGATE_LOG_FORMAT: 'pretty', NO_COLOR: '1' });
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 1, out);
  assert.match(lines[0]!, /^\[\d\d:\d\d:\d\d\] WARN: \[whatsapp\] WhatsApp connection closed /);
  assert.doesNotMatch(out, /wg_1234_secret/);
  assert.doesNotMatch(out, /^\{/);
});
