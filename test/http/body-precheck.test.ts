import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request, Response } from 'express';
import fc from 'fast-check';
import { missingText, SendMessageBody } from '../../server/contract/messages.ts';
import { validate, type RequestSchemas } from '../../server/http/validate.ts';

/** What validate() answers for `body`: the 400's code and words, or 'accepted'. */
function answerOf(schemas: RequestSchemas, body: unknown): string {
  const req = { body, query: {}, params: {}, headers: {}, get: () => undefined } as unknown as Request;
  let answer = 'accepted';
  const res = {
    locals: {},
    req: { method: 'POST', headers: {} },
    setHeader: () => undefined,
    end: (json: string) => {
      const { code, error } = JSON.parse(json) as { code: number; error: string };
      answer = `${code} ${error}`;
    },
  };
  validate(schemas)(req, res as unknown as Response, () => undefined);
  return answer;
}

/** Texts near the edges: blank in every way the rule knows, visible, and not strings at all. */
const text = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', '\u200b', '\u200d\ufeff', ' \u2060 ', 'hi', ' x ', '\ud800', 'a\u0000b'),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.stringMatching(/^[\s\u200b-\u200f\u2060\ufeff]{0,6}$/),
  fc.jsonValue({ maxDepth: 1 }),
);
/** Bodies as a client might send them: with or without text, other fields right or wrong, or not an object. */
const body = fc.oneof(
  fc.record(
    {
      text,
      typing_simulation: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 0 })),
      reply_to_message_id: fc.oneof(fc.string({ maxLength: 3 }), fc.integer()),
      send_at: fc.oneof(fc.integer(), fc.string({ maxLength: 3 })),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom(undefined, null, [], [{ text: 'hi' }], 'hi', 42, true),
  fc.jsonValue({ maxDepth: 2 }),
);

test("the send's pre-check answers a body exactly as zod does, or leaves it to zod", () => {
  const withZod: RequestSchemas = { body: SendMessageBody };
  const withPrecheck: RequestSchemas = { body: SendMessageBody, bodyPrecheck: missingText };
  let answered = 0;
  fc.assert(
    fc.property(body, (b) => {
      if (missingText(b) !== undefined) answered++;
      assert.equal(answerOf(withPrecheck, b), answerOf(withZod, b), JSON.stringify(b));
    }),
    { numRuns: 5000, seed: 20261201 },
  );
  // The property is about the bodies it answers: it must meet plenty of them.
  assert.ok(answered > 500, `only ${answered} bodies were pre-checked`);
});
