import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandboxCore, type TestCore } from '../support/core.ts';
import { Validator } from '@seriousme/openapi-schema-validator';
import { TIME_RULE } from '../../server/contract/time.ts';

let h: TestCore;
before(async (t) => {
  h = await startSandboxCore(t);
});

/** The public API as the README and docs/send-message-api.txt describe it; the dashboard's and the sandbox's are not. */
const PUBLIC_API = [
  'post /chats/{chat_jid}/messages',
  'get /chats/{chat_jid}/messages',
  'post /chats/{chat_jid}/media',
  'get /messages/{message_id}/media',
  'get /messages/{message_id}',
  'delete /messages/{message_id}',
  'post /chats/{chat_jid}/locations',
  'post /chats/{chat_jid}/contact-cards',
  'post /chats/{chat_jid}/polls',
  'put /chats/{chat_jid}/messages/{message_id}/reaction',
  'patch /chats/{chat_jid}/messages/{message_id}',
  'delete /chats/{chat_jid}/messages/{message_id}',
  'get /outbox',
  'post /outbox/{message_id}/retry',
  'delete /outbox/{message_id}',
  'get /groups',
  'get /groups/{group_jid}',
  'get /contacts/{phone}',
  'get /session',
  'get /session/qr',
  'post /session/pairing-code',
  'post /session/logout',
  'get /events',
  'get /health',
  'get /openapi.json',
];

test('/openapi.json is OpenAPI 3.1, needs no key, and lists every public operation', async () => {
  const res = await h.call('/openapi.json', { auth: false });
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(res.body);
  assert.equal(validator.version, '3.1');
  assert.ok(result.valid, JSON.stringify(result.errors));
  const documented = Object.entries(res.body.paths as Record<string, object>).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method} ${path}`),
  );
  assert.deepEqual(documented.sort(), [...PUBLIC_API].sort());
});

test('the send operation documents the seed body, its defaults and the envelope', async () => {
  const doc = (await h.call('/openapi.json', { auth: false })).body;
  const send = doc.paths['/chats/{chat_jid}/messages'].post;
  const body = send.requestBody.content['application/json'].schema;
  assert.deepEqual(body.required, ['text']);
  assert.equal(body.properties.typing_simulation.default, true);
  assert.equal(body.properties.presence_simulation.default, true);
  assert.deepEqual(send.requestBody.content['application/json'].example.text, 'Hello, World!');
  assert.equal(send.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/Error');
  assert.deepEqual(send.security, [{ apiKey: [] }]);
});

test('/docs serves the interactive page from the package, no CDN', async () => {
  const page = await h.call('/docs/', { auth: false });
  assert.equal(page.status, 200);
  assert.match(String(page.body), /swagger-ui-bundle\.js/);
  assert.doesNotMatch(String(page.body), /https?:\/\//);
  const init = await h.call('/docs/swagger-initializer.js', { auth: false });
  assert.match(String(init.body), /\/openapi\.json/);
});

test('one time rule: the document states it, and the session says its times in Unix seconds', async () => {
  const doc = (await h.call('/openapi.json', { auth: false })).body;
  assert.ok(doc.info.description.includes(TIME_RULE));
  const before = Math.floor(Date.now() / 1000);
  const { since } = (await h.call('/session')).body.data;
  assert.ok(Number.isInteger(since) && since <= before + 1 && since > before - 3600, `since ${since} is Unix seconds`);
});

test('the media send is documented as JSON and as a multipart upload with its file part', async () => {
  const doc = (await h.call('/openapi.json', { auth: false })).body;
  const op = doc.paths['/chats/{chat_jid}/media'].post;
  const multipart = op.requestBody.content['multipart/form-data'].schema;
  assert.deepEqual([multipart.properties.file.type, multipart.properties.file.format], ['string', 'binary']);
  assert.deepEqual(multipart.required, ['file']);
  const json = op.requestBody.content['application/json'];
  assert.ok(json.schema.properties.url && json.schema.properties.base64 && json.example.url);
  assert.deepEqual(json.schema.properties.kind.enum, ['image', 'video', 'audio', 'voice', 'document', 'sticker']);
  for (const code of ['413', '415', '502']) assert.ok(op.responses[code], code);
});
