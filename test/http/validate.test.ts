import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request, Response } from 'express';
import fc from 'fast-check';
import { ChatParams, SendHeaders } from '../../server/contract/messages.ts';
import { validate, type RequestSchemas } from '../../server/http/validate.ts';

const SCHEMAS: RequestSchemas = { params: ChatParams, headers: SendHeaders };

/** What one validate() instance answers for a request: the 400's words, or what the handler was given. */
function caller(schemas: RequestSchemas) {
  const handler = validate(schemas);
  return (params: Record<string, string>, headers: Record<string, string>) => {
    const req = { params, query: {}, headers, body: undefined } as unknown as Request;
    let answer: unknown = null;
    const res = {
      locals: {} as Record<string, unknown>,
      req: { method: 'POST', headers: {} },
      setHeader: () => undefined,
      end: (json: string) => (answer = (JSON.parse(json) as { error: string }).error),
    };
    handler(req, res as unknown as Response, () => (answer = res.locals.input));
    return answer as { params: { chat_jid: string }; headers: Record<string, unknown> } | string;
  };
}

/** zod's own answer for the same request, parsed afresh. */
function fresh(params: Record<string, string>, headers: Record<string, string>) {
  const p = ChatParams.safeParse(params);
  if (!p.success) return p.error.issues[0]!.message;
  const h = SendHeaders.safeParse({
    'Idempotency-Key': headers['idempotency-key'] || undefined,
    Prefer: headers.prefer || undefined,
  });
  if (!h.success) return h.error.issues[0]!.message;
  return { params: p.data, headers: h.data };
}

const chat = fc.oneof(
  fc.constantFrom('15550001111', '+1 555 000 1111', '15550001111@s.whatsapp.net', '123@g.us', '9@lid', 'x', ''),
  fc.stringMatching(/^\+?[0-9 ()-]{0,16}$/),
  fc.string({ maxLength: 12 }),
);
const header = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', 'respond-async', 'k-1'),
  fc.string({ maxLength: 4 }),
);

test('parses kept for the next requests (path parameters, absent headers) answer as zod does afresh', () => {
  // One instance for the whole run, as a route has: the same chats and headers come back again and again.
  const call = caller(SCHEMAS);
  fc.assert(
    fc.property(fc.array(fc.tuple(chat, header, header), { minLength: 1, maxLength: 20 }), (requests) => {
      for (const [chatJid, key, prefer] of [...requests, ...requests]) {
        const headers: Record<string, string> = {};
        if (key !== undefined) headers['idempotency-key'] = key;
        if (prefer !== undefined) headers.prefer = prefer;
        assert.deepEqual(call({ chat_jid: chatJid }, headers), fresh({ chat_jid: chatJid }, headers));
      }
    }),
    { numRuns: 300, seed: 20261202 },
  );
});

test('a handler that changes what it was given changes nothing for the next request', () => {
  const call = caller(SCHEMAS);
  const first = call({ chat_jid: '15550001111' }, {});
  assert.ok(typeof first === 'object');
  first.params.chat_jid = 'changed';
  first.headers.Prefer = 'changed';
  assert.deepEqual(call({ chat_jid: '15550001111' }, {}), {
    params: { chat_jid: '15550001111@s.whatsapp.net' },
    headers: { 'Idempotency-Key': undefined, Prefer: undefined },
  });
});
