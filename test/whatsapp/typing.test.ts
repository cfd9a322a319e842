import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypingConfigSchema } from '../../server/config.ts';
import { typingDurationMs } from '../../server/whatsapp/typing.ts';

const cfg = TypingConfigSchema.parse({ chars_per_second: 10, min_ms: 500, max_ms: 5000, jitter: 0.2 });
const middle = () => 0.5;

test('typing time grows with the length of the text', () => {
  assert.equal(typingDurationMs('a'.repeat(10), cfg, middle), 1000);
  assert.equal(typingDurationMs('a'.repeat(20), cfg, middle), 2000);
  assert.ok(typingDurationMs('a'.repeat(30), cfg, middle) > typingDurationMs('a'.repeat(20), cfg, middle));
});

test('characters are counted, not UTF-16 units', () => {
  assert.equal(typingDurationMs('👍'.repeat(10), cfg, middle), 1000);
});

test('jitter moves the time by at most ±jitter', () => {
  assert.equal(
    typingDurationMs('a'.repeat(20), cfg, () => 0),
    1600,
  );
  assert.equal(
    typingDurationMs('a'.repeat(20), cfg, () => 1),
    2400,
  );
  for (let i = 0; i < 200; i++) {
    const ms = typingDurationMs('a'.repeat(20), cfg);
    assert.ok(ms >= 1600 && ms <= 2400, String(ms));
  }
});

test('the time stays within min_ms and max_ms', () => {
  assert.equal(
    typingDurationMs('', cfg, () => 0),
    500,
  );
  assert.equal(
    typingDurationMs('hi', cfg, () => 0),
    500,
  );
  assert.equal(
    typingDurationMs('a'.repeat(10_000), cfg, () => 1),
    5000,
  );
  const inverted = { ...cfg, min_ms: 3000, max_ms: 1000 };
  assert.equal(typingDurationMs('hi', inverted, middle), 1000);
});
