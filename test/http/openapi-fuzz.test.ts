import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import fc from 'fast-check';
import { startSandboxCore, type TestCore } from '../support/core.ts';

/**
 * A schema-driven fuzzer: for each operation of /openapi.json, requests made from its parameters and body schema
 * (valid, nearly valid and nonsense values, wrong content types, malformed JSON), each answer checked against what
 * the document promises for that operation: a documented status, and the envelope with the code it was sent with.
 * Bodies go to every operation, those that take none (GET included) as well: node:http, unlike fetch, sends them.
 */

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  example?: unknown;
  schema: { example?: unknown };
}
interface OperationDoc {
  parameters: Parameter[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> }; example?: unknown }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}

let h: TestCore;
let operations: { method: string; path: string; op: OperationDoc }[];
before(async (t) => {
  h = await startSandboxCore(t);
  const doc = (await h.call('/openapi.json', { auth: false })).body;
  operations = Object.entries(doc.paths as Record<string, Record<string, OperationDoc>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method, path, op })),
  );
});

/** Strings a client might send: words, digits, phone numbers and JIDs, unicode, and the edges. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.stringMatching(/^\+?\d{1,18}$/),
  fc.constantFrom('15550001111', '15550001111@s.whatsapp.net', '120363000000000001@g.us', '123@lid', 'x@y', '0', ''),
);
const value = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
/** What fetch can put in a header: printable ASCII, no surrounding blanks. */
const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);

function requestOf(op: OperationDoc) {
  const params = op.parameters ?? [];
  const schemaBody = op.requestBody?.content['application/json'];
  const fields = Object.keys(schemaBody?.schema.properties ?? {});
  const body = fc.oneof(
    fc.constant(undefined),
    fc.constant(schemaBody?.example),
    fc.dictionary(fc.constantFrom(...fields, 'extra'), value, { maxKeys: fields.length + 1 }),
    fc.jsonValue({ maxDepth: 3 }),
  );
  return fc.record({
    path: fc.tuple(
      ...params
        .filter((p) => p.in === 'path')
        .map((p) =>
          fc.oneof(
            fc.constant(String(p.example ?? 'x')),
            text.filter((s) => s !== '' && s !== '.' && s !== '..'),
          ),
        ),
    ),
    query: fc.tuple(
      ...params.filter((p) => p.in === 'query').map((p) => fc.option(fc.tuple(fc.constant(p.name), text))),
    ),
    headers: fc.tuple(
      ...params.filter((p) => p.in === 'header').map((p) => fc.option(fc.tuple(fc.constant(p.name), headerValue))),
    ),
    body,
    encoding: fc.constantFrom('json', 'json', 'json', 'text', 'malformed', 'oversized', 'chunked', 'none'),
  });
}

type Generated = ReturnType<typeof requestOf> extends fc.Arbitrary<infer T> ? T : never;

/** One exchange; an answer that is not JSON (an event stream, a file) is left once its head is read. */
function exchange(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string[] | undefined,
): Promise<{ status: number; type: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const type = res.headers['content-type'] ?? '';
      if (!type.startsWith('application/json')) {
        res.destroy();
        return resolve({ status: res.statusCode!, type, json: null });
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, type, json: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    req.on('error', reject);
    // Several writes without a Content-Length go chunked.
    for (const part of body ?? []) req.write(part);
    req.end();
  });
}

/** The body a generated request carries, in the parts it is written in, and its headers. */
function bodyOf(r: Generated, headers: Record<string, string>): string[] | undefined {
  if (r.encoding === 'none') return undefined;
  headers['content-type'] = r.encoding === 'text' ? 'text/plain' : 'application/json';
  if (r.encoding === 'malformed') return ['{"text": "hi"'];
  if (r.encoding === 'oversized') return [JSON.stringify({ pad: 'x'.repeat(310_000) })];
  const json = JSON.stringify(r.body ?? {});
  if (r.encoding === 'chunked') return [json.slice(0, 1), json.slice(1)];
  const whole = Buffer.from(json);
  headers['content-length'] = String(whole.length);
  return [json];
}

/** Answers as the fuzzer saw them, for the failure message. */
async function send(method: string, path: string, r: Generated, withBody = true) {
  let pathParams = [...r.path];
  const url = path.replace(/\{\w+\}/g, () => encodeURIComponent(String(pathParams.shift())));
  const query = new URLSearchParams(r.query.filter((q): q is [string, string] => q !== null));
  const headers: Record<string, string> = Object.fromEntries(
    r.headers.filter((x): x is [string, string] => x !== null),
  );
  const body = withBody ? bodyOf(r, headers) : undefined;
  pathParams = [];
  const answer = await exchange(
    `${h.core.url}${url}${query.size ? `?${query}` : ''}`,
    method.toUpperCase(),
    { authorization: h.key, ...headers },
    body,
  );
  return {
    ...answer,
    seen: `${method.toUpperCase()} ${url}?${query} ${JSON.stringify(headers)} ${r.encoding} ${body?.join('').slice(0, 200)}`,
  };
}

test('every answer to generated requests is one the document lists for its operation, in the envelope', async () => {
  for (const { method, path, op } of operations) {
    if (path === '/session/logout') continue; // unlinks the sandbox phone; its answers are tested in their own file
    const documented = new Set(Object.keys(op.responses).map(Number));
    await fc.assert(
      fc.asyncProperty(requestOf(op), async (request) => {
        const answer = await send(method, path, request);
        assert.ok(documented.has(answer.status), `${answer.status} is not documented for ${answer.seen}`);
        const content = op.responses[String(answer.status)]?.content ?? {};
        if (answer.type.startsWith('text/event-stream') || answer.type.startsWith('image/png')) {
          assert.ok(content[answer.type.split(';')[0]!], `${answer.type} is not documented for ${answer.seen}`);
          return;
        }
        if (path === '/openapi.json' && answer.status === 200) return;
        assert.ok(answer.json, `${answer.status} without a JSON body for ${answer.seen}`);
        assert.equal(answer.json.code, answer.status, `the envelope's code for ${answer.seen}`);
        assert.equal(answer.json.status, answer.status < 400, `the envelope's status for ${answer.seen}`);
        assert.equal(typeof answer.json.message, 'string');
        if (answer.status >= 400) assert.equal(typeof answer.json.error, 'string', `the error for ${answer.seen}`);
        else assert.ok('data' in answer.json, `data for ${answer.seen}`);
      }),
      { numRuns: 25, seed: 20261201 },
    );
  }
});

test('an operation without a body ignores one: what it refuses, it refuses without the body too', async () => {
  for (const { method, path, op } of operations) {
    if (op.requestBody || path === '/session/logout') continue;
    const documented = new Set(Object.keys(op.responses).map(Number));
    assert.ok(!documented.has(415), `${method} ${path} documents 415 but takes no body`);
    await fc.assert(
      fc.asyncProperty(
        requestOf(op).filter((r) => r.encoding !== 'none'),
        async (request) => {
          const answer = await send(method, path, request);
          assert.ok(documented.has(answer.status), `${answer.status} is not documented for ${answer.seen}`);
          if ([400, 413, 415].includes(answer.status)) {
            const bare = await send(method, path, request, false);
            assert.equal(
              bare.status,
              answer.status,
              `the body was read: ${answer.seen} → ${JSON.stringify(answer.json)}`,
            );
            assert.equal(bare.json.error, answer.json.error, answer.seen);
          }
        },
      ),
      { numRuns: 15, seed: 20261201 },
    );
  }
});
