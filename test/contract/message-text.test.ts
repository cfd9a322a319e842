import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { SendMediaBody, SendMessageBody } from '../../server/contract/messages.ts';
import { TextContentSchema } from '../../server/contract/message-content.ts';
import { EditMessageBody, SendPollBody } from '../../server/contract/rich-messages.ts';
import { MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, POLL_QUESTION_MAX } from '../../server/contract/limits.ts';

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

/**
 * Whether the document's JSON Schema for `schema` takes `value`, as a tool reading /openapi.json judges it (Redocly
 * validates the example against the schema with ajv: JSON Schema's lengths count code points).
 */
async function documentTakes(schema: z.ZodType, value: unknown): Promise<boolean> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  const document = {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {},
    components: { schemas: { Checked: { ...json, example: value } } },
  };
  const config = await createConfig({ rules: { 'no-invalid-schema-examples': 'error' } });
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: '/t.json', config });
  return problems.length === 0;
}

test('every text field judges length and blankness as the document says: emoji at the limit pass, one more fails', async () => {
  const cases: [string, z.ZodType, (text: string) => unknown, number][] = [
    ['a stored text', TextContentSchema, (text) => ({ kind: 'text', text }), MAX_TEXT_LENGTH],
    ['an edit', EditMessageBody, (text) => ({ text }), MAX_TEXT_LENGTH],
    ['a caption', SendMediaBody, (caption) => ({ url: 'https://example.org/a.jpg', caption }), MAX_CAPTION_LENGTH],
    ['a poll question', SendPollBody, (question) => ({ question, options: ['a', 'b'] }), POLL_QUESTION_MAX],
  ];
  for (const [what, schema, bodyOf, limit] of cases) {
    // Emoji, a flag (two code points), a skin tone: all past the UTF-16 limit, none past the code-point one.
    const atLimit = [...'😀🇮🇩👋🏽'.repeat(limit)].slice(0, limit).join('');
    assert.ok(atLimit.length > limit, `${what}: the text is longer than the limit in UTF-16 units`);
    const over = `${atLimit}😀`;
    assert.equal(schema.safeParse(bodyOf(atLimit)).success, true, `${what}: ${limit} characters pass`);
    assert.equal(schema.safeParse(bodyOf(over)).success, false, `${what}: ${limit + 1} characters fail`);
    assert.equal(await documentTakes(schema, bodyOf(atLimit)), true, `${what}: the document takes ${limit}`);
    assert.equal(await documentTakes(schema, bodyOf(over)), false, `${what}: the document refuses ${limit + 1}`);
  }
  for (const blank of ['\u200b\u200d', '\ufeff '])
    assert.equal(TextContentSchema.safeParse({ kind: 'text', text: blank }).success, false, JSON.stringify(blank));
});
