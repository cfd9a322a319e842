import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendMessageBody } from '../../server/contract/messages.ts';
import { MAX_TEXT_LENGTH } from '../../server/contract/limits.ts';

const problem = (text: string) => SendMessageBody.safeParse({ text }).error?.issues[0]?.message ?? null;

test('text of zero-width characters only is refused like whitespace: nothing would be seen', () => {
  for (const blank of ['', '   ', '\n\t', '\u200b', '\u200b\u200c\u200d', '\u2060\ufeff', ' \u200b '])
    assert.equal(problem(blank), 'Text field is required', JSON.stringify(blank));
  for (const visible of ['hi', '\u200bhi', '👍', 'a\u200db']) assert.equal(problem(visible), null, visible);
});

test('the length limit counts characters, as its error says: an emoji is one', () => {
  assert.equal(
    problem('👍'.repeat(MAX_TEXT_LENGTH)),
    null,
    `${MAX_TEXT_LENGTH} emoji are ${MAX_TEXT_LENGTH} characters`,
  );
  assert.equal(problem('a'.repeat(MAX_TEXT_LENGTH)), null);
  assert.equal(
    problem('a'.repeat(MAX_TEXT_LENGTH + 1)),
    `Text is longer than WhatsApp allows (${MAX_TEXT_LENGTH} characters)`,
  );
  assert.equal(
    problem('👍'.repeat(MAX_TEXT_LENGTH + 1)),
    `Text is longer than WhatsApp allows (${MAX_TEXT_LENGTH} characters)`,
  );
});
