import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandboxCore, postJson, type TestCore } from '../support/core.ts';

let h: TestCore;
before(async (t) => {
  h = await startSandboxCore(t);
});

const send = '/chats/6281234567890@s.whatsapp.net/messages';

test('a missing key gets the seed 401, in the envelope', async () => {
  const res = await h.call(send, { ...postJson({ text: 'hi' }), auth: false });
  assert.equal(res.status, 401);
  assert.deepEqual(res.body, {
    status: false,
    code: 401,
    message: 'Unauthorized',
    error: 'Invalid or missing authentication',
  });
});

test('an unknown key is refused; Bearer and raw keys both work', async () => {
  assert.equal((await h.call(send, { ...postJson({ text: '' }), auth: 'wg_00000000_nope' })).status, 401);
  assert.equal((await h.call(send, { ...postJson({ text: '' }), auth: `Bearer ${h.key}` })).status, 400);
  assert.equal((await h.call(send, postJson({ text: '' }))).status, 400);
});

test('API answers carry no ETag: they change with every call, so a SHA-1 of each would never be reused', async () => {
  for (const res of [await h.call('/session'), await h.call(send, postJson({ text: '' }))])
    assert.equal(res.headers.get('etag'), null);
});

test('an expired and a revoked key say so', async () => {
  const expired = h.core.keys.create({ name: 'old', expiresAt: Date.now() - 1 });
  assert.equal((await h.call('/session', { auth: expired.key })).body.error, 'API key expired');
  const revoked = h.core.keys.create({ name: 'gone', expiresAt: null });
  h.core.keys.revoke(revoked.record.id);
  const res = await h.call('/session', { auth: revoked.key });
  assert.equal(res.status, 401);
  assert.equal(res.body.error, 'API key revoked');
});

test('a missing, empty or non-string text gets the seed 400', async () => {
  for (const body of [{}, { text: '' }, { text: '   ' }, { text: 42 }, { text: null }]) {
    const res = await h.call(send, postJson(body));
    assert.deepEqual(
      res.body,
      { status: false, code: 400, message: 'Bad request', error: 'Text field is required' },
      JSON.stringify(body),
    );
  }
});

test('bad input of every other kind gets its own 4xx, never a 500', async () => {
  const cases: Array<[RequestInit, number, RegExp]> = [
    [postJson('{"text": "hi"'), 400, /Malformed JSON/],
    [postJson('[1,2]'), 400, /JSON object/],
    [postJson({ text: 'hi', typing_simulation: 'yes' }), 400, /typing_simulation must be true or false/],
    [postJson({ text: 'hi', presence_simulation: 1 }), 400, /presence_simulation/],
    [postJson({ text: 'hi', reply_to_message_id: 7 }), 400, /reply_to_message_id/],
    [postJson({ text: 'x'.repeat(65_537) }), 400, /longer than WhatsApp allows/],
    [postJson({ text: 'x'.repeat(400_000) }), 413, /larger than/],
    [{ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }, 415, /application\/json/],
  ];
  for (const [init, status, error] of cases) {
    const res = await h.call(send, init);
    assert.equal(res.status, status, `${init.body?.toString().slice(0, 40)} → ${JSON.stringify(res.body)}`);
    assert.equal(res.body.status, false);
    assert.match(res.body.error, error);
  }
});

test('a malformed chat_jid is a 400 that says what to use', async () => {
  for (const jid of ['hello', '12', 'abc@s.whatsapp.net', '123@example.com']) {
    const res = await h.call(`/chats/${encodeURIComponent(jid)}/messages`, postJson({ text: 'hi' }));
    assert.equal(res.status, 400, jid);
    assert.match(res.body.error, /Invalid chat_jid/);
  }
});

test('a valid send while WhatsApp is not linked answers 503', async () => {
  const res = await h.call('/chats/+62 812-3456-7890/messages', postJson({ text: 'Hello, World!' }));
  assert.deepEqual(res.body, {
    status: false,
    code: 503,
    message: 'Service unavailable',
    error: 'WhatsApp is not connected',
  });
});

test('health needs no key and says where WhatsApp is', async () => {
  const res = await h.call('/health', { auth: false });
  assert.equal(res.status, 200);
  assert.equal(res.body.status, true);
  assert.equal(res.body.data.whatsapp_server, 'sandbox');
  assert.ok(['starting', 'qr', 'connecting'].includes(res.body.data.whatsapp));
});

test('a foreign Host header is refused (DNS rebinding) and no CORS header is ever sent', async () => {
  const { request } = await import('node:http');
  const status = await new Promise<number>((resolve) => {
    request(`${h.core.url}/health`, { headers: { host: 'evil.example:7001' } }, (res) =>
      resolve(res.statusCode!),
    ).end();
  });
  assert.equal(status, 403);
  const res = await h.call('/session', { headers: { origin: 'http://evil.example' } });
  assert.equal(res.headers.get('access-control-allow-origin'), null);
});

test('an unknown endpoint is a 404 envelope', async () => {
  const res = await h.call('/nope');
  assert.equal(res.status, 404);
  assert.equal(res.body.status, false);
});

test('an API key never opens the dashboard endpoints', async () => {
  const res = await h.call('/admin/keys');
  assert.equal(res.status, 401);
});
