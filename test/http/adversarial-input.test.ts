import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startSandboxCore, postJson, type TestCore } from '../support/core.ts';
import { waitForState } from '../support/waits.ts';

/**
 * Adversarial input against the real core (sandbox, not paired: a valid send ends in 503, so every answer below 503
 * is the validation speaking). Bad input must get a specific 4xx in the envelope: never a 500, a hang or a crash.
 */
let h: TestCore;
before(async (t) => {
  h = await startSandboxCore(t);
});

const SEND = '/chats/15550001111/messages';

/** A 4xx failure envelope, with the caller's words in it. */
function assertFail(res: { status: number; body: any }, status: number, error?: RegExp, what = ''): void {
  assert.equal(res.status, status, `${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
  assert.equal(typeof res.body, 'object', `${what}: the answer is the JSON envelope`);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'error', 'message', 'status'], what);
  assert.equal(res.body.status, false, what);
  assert.equal(res.body.code, status, what);
  if (error) assert.match(res.body.error, error, what);
  assert.doesNotMatch(JSON.stringify(res.body), /\bat .+\.(ts|js):\d+/, `${what}: no stack trace`);
}

/** One raw HTTP/1.1 exchange, for what fetch will not send; resolves with the whole answer when the server closes. */
function raw(data: string | Buffer, waitMs = 3000): Promise<{ status: number; head: string; body: string }> {
  const { port } = new URL(h.core.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split >= 0 ? text.slice(0, split) : text;
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0),
        head,
        body: split >= 0 ? text.slice(split + 4) : '',
      });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(data);
  });
}

const rawPost = (path: string, headers: string[], body: string | Buffer) =>
  raw(
    Buffer.concat([
      Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${h.key}\r\nConnection: close\r\n${headers.map((x) => `${x}\r\n`).join('')}\r\n`,
      ),
      Buffer.from(body),
    ]),
  );

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

test('deeply nested JSON with an Idempotency-Key is a 4xx, not a 500 (the fingerprint overflows the stack)', async () => {
  const body = `{"text":"hi","extra":${deepArray(100_000)}}`;
  const withoutKey = await h.call(SEND, postJson(body));
  assert.equal(withoutKey.status, 503, 'without a key the extra field is ignored: the send reaches "not connected"');
  const withKey = await h.call(SEND, postJson(body, { 'idempotency-key': 'deep-1' }));
  assert.ok(
    withKey.status >= 400 && withKey.status < 500,
    `Idempotency-Key + deep body → ${withKey.status} ${JSON.stringify(withKey.body)}`,
  );
  assert.equal(withKey.body.status, false);
});

test('deeply nested JSON alone is a 400, and the core keeps answering', async () => {
  assertFail(await h.call(SEND, postJson(deepArray(140_000))), 400, /JSON object/, 'a deep array');
  assertFail(
    await h.call(SEND, postJson(`{"text":${deepArray(50_000)}}`)),
    400,
    /Text field is required/,
    'text as a deep array',
  );
  assert.equal((await h.call('/health')).status, 200);
});

test('prototype-pollution keys are plain data: validated like any other field, nothing polluted', async () => {
  assertFail(
    await h.call(SEND, postJson('{"__proto__":{"text":"x"}}')),
    400,
    /Text field is required/,
    '__proto__ carrying text',
  );
  assertFail(
    await h.call(SEND, postJson('{"constructor":{"prototype":{"text":"x"}}}')),
    400,
    /Text field is required/,
    'constructor.prototype',
  );
  const polluted = await h.call(
    SEND,
    postJson(
      '{"text":"hi","__proto__":{"typing_simulation":"x","polluted":1},"constructor":{"prototype":{"polluted":1}}}',
    ),
  );
  assert.equal(polluted.status, 503, 'the extra keys are ignored, the send goes on to "not connected"');
  const admin = await h.call('/session/pairing-code', postJson('{"__proto__":{"phone_number":"+15550001111"}}'));
  assertFail(admin, 400, /phone_number is required/, 'pairing-code with __proto__');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).typing_simulation, undefined);
});

test('bodies of every odd type get the envelope 400, never a 500', async () => {
  const cases: Array<[string, RegExp]> = [
    ['null', /Text field is required/],
    ['"hi"', /JSON object/],
    ['42', /JSON object/],
    ['true', /JSON object/],
    ['[]', /JSON object/],
    ['[{"text":"hi"}]', /JSON object/],
    ['{"text":["hi"]}', /Text field is required/],
    ['{"text":{"0":"hi"}}', /Text field is required/],
    ['{"text":"hi","typing_simulation":"true"}', /typing_simulation must be true or false/],
    ['{"text":"hi","typing_simulation":null}', /typing_simulation must be true or false/],
    ['{"text":"hi","reply_to_message_id":""}', /must not be empty/],
    [`{"text":"hi","reply_to_message_id":"${'x'.repeat(129)}"}`, /too long/],
    ['{"text":"hi",}', /Malformed JSON/],
    ["{'text':'hi'}", /Malformed JSON/],
    ['{"text":"hi"} trailing', /Malformed JSON/],
    ['{"text":"\\ud83d"', /Malformed JSON/],
    ['', /Text field is required/],
  ];
  for (const [body, error] of cases) assertFail(await h.call(SEND, postJson(body)), 400, error, body.slice(0, 40));
  // A huge field that is not read, under the size limit: accepted and ignored.
  assert.equal((await h.call(SEND, postJson({ text: 'hi', junk: 'j'.repeat(250_000) }))).status, 503);
  assertFail(
    await h.call(SEND, postJson({ text: 'hi', junk: 'j'.repeat(310_000) })),
    413,
    /larger than/,
    'over the limit',
  );
});

test('text that is not well-formed Unicode (a lone surrogate) is refused, not stored altered', async () => {
  // Today it is accepted: WhatsApp gets "\ud800", the store keeps U+FFFD, so the stored message is not the one sent.
  const res = await h.call(SEND, postJson('{"text":"lone \\ud800 surrogate"}'));
  assertFail(res, 400, /text/i, 'a lone surrogate');
});

test('content types other than JSON are a 415; JSON charsets other than UTF-8 too', async () => {
  const json = '{"text":"hi"}';
  const cases: Array<[string[], number, RegExp]> = [
    [['Content-Type: application/json; charset=latin1'], 415, /encoding/],
    [['Content-Type: application/x-www-form-urlencoded'], 415, /application\/json/],
    [['Content-Type: text/plain'], 415, /application\/json/],
    [['Content-Type: multipart/form-data; boundary=x'], 415, /application\/json/],
    [['Content-Type: application/vnd.api+json'], 415, /application\/json/],
    [['Content-Type: ;;;'], 415, /application\/json/],
    [[], 415, /application\/json/],
  ];
  for (const [headers, status, error] of cases) {
    const res = await rawPost(SEND, [...headers, `Content-Length: ${json.length}`], json);
    assertFail({ status: res.status, body: JSON.parse(res.body) }, status, error, headers.join() || 'no content type');
  }
  const chunked = await rawPost(
    SEND,
    ['Transfer-Encoding: chunked'],
    `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`,
  );
  assertFail(
    { status: chunked.status, body: JSON.parse(chunked.body) },
    415,
    /application\/json/,
    'chunked, no content type',
  );
  const utf8 = await rawPost(
    SEND,
    ['Content-Type: application/json; charset=UTF-8', `Content-Length: ${json.length}`],
    json,
  );
  assert.equal(utf8.status, 503, 'JSON in UTF-8 is read');
});

test('invalid UTF-8 and NUL bytes in a body are read, not a crash', async () => {
  const body = Buffer.concat([
    Buffer.from('{"text":"bad '),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from(' \\u0000 end"}'),
  ]);
  const res = await rawPost(SEND, ['Content-Type: application/json', `Content-Length: ${body.length}`], body);
  assert.equal(res.status, 503, res.body);
  const nulRaw = Buffer.from('{"text":"a\u0000b"}');
  const raw0 = await rawPost(SEND, ['Content-Type: application/json', `Content-Length: ${nulRaw.length}`], nulRaw);
  assertFail(
    { status: raw0.status, body: JSON.parse(raw0.body) },
    400,
    /Malformed JSON/,
    'a raw NUL inside a JSON string',
  );
});

test('compressed bodies: a gzip bomb is a 413, a broken or unknown encoding a 4xx envelope', async () => {
  const bomb = gzipSync(Buffer.from(`{"text":"${'a'.repeat(20_000_000)}"}`));
  const big = await rawPost(
    SEND,
    ['Content-Type: application/json', 'Content-Encoding: gzip', `Content-Length: ${bomb.length}`],
    bomb,
  );
  assertFail({ status: big.status, body: JSON.parse(big.body) }, 413, /larger than/, 'gzip bomb');
  const ok = gzipSync('{"text":"hi"}');
  assert.equal(
    (
      await rawPost(
        SEND,
        ['Content-Type: application/json', 'Content-Encoding: gzip', `Content-Length: ${ok.length}`],
        ok,
      )
    ).status,
    503,
  );
  const broken = await rawPost(
    SEND,
    ['Content-Type: application/json', 'Content-Encoding: gzip', 'Content-Length: 5'],
    'hello',
  );
  assertFail({ status: broken.status, body: JSON.parse(broken.body) }, 400, undefined, 'broken gzip');
  const unknown = await rawPost(
    SEND,
    ['Content-Type: application/json', 'Content-Encoding: xyz', 'Content-Length: 2'],
    '{}',
  );
  assertFail({ status: unknown.status, body: JSON.parse(unknown.body) }, 415, /encoding/, 'unknown encoding');
});

test('absurd query strings on the listing are a 400 or ignored, never a 500', async () => {
  const list = '/chats/15550001111/messages';
  const bad: Array<[string, RegExp]> = [
    ['limit=1e309', /limit/],
    ['limit=', /limit/],
    ['limit=-1', /limit/],
    ['limit=1.5', /limit/],
    ['limit=201', /limit/],
    ['limit=NaN', /limit/],
    ['limit=1&limit=2', /limit/],
    ['before=', /before/],
    ['before=a%2Fb', /before/],
    [`before=${'9'.repeat(129)}`, /before/],
    ['before=%00', /before/],
  ];
  for (const [query, error] of bad) assertFail(await h.call(`${list}?${query}`), 400, error, query);
  for (const query of ['before[]=', 'limit[]=5', '__proto__=1', 'constructor=1', 'x=' + 'y'.repeat(8000), '&&&==&']) {
    const res = await h.call(`${list}?${query}`);
    assert.equal(res.status, 200, `${query.slice(0, 30)} → ${JSON.stringify(res.body).slice(0, 200)}`);
    assert.deepEqual(res.body.data, []);
  }
});

test('a repeated before= names the parameter, not zod\'s "expected string, received array"', async () => {
  assertFail(await h.call('/chats/15550001111/messages?before=1&before=2'), 400, /before/, 'before twice');
});

test('percent-encoding tricks in chat_jid are a 400 that names chat_jid', async () => {
  for (const jid of [
    '..%2F..%2Fetc',
    '6281234567890%00',
    '%20',
    `${'1'.repeat(5000)}`,
    '1555%40s.whatsapp.net%40g.us',
    '%F0%9F%98%80',
    '+1%0A555',
  ]) {
    assertFail(
      await h.call(`/chats/${jid}/messages`, postJson({ text: 'hi' })),
      400,
      /Invalid chat_jid/,
      jid.slice(0, 30),
    );
    assertFail(await h.call(`/chats/${jid}/messages`), 400, /Invalid chat_jid/, `GET ${jid.slice(0, 30)}`);
  }
  // fetch resolves "%2e%2e" as "..": sent raw, it reaches the route as the chat_jid "..".
  for (const jid of ['%2e%2e', '%2E%2E', '.%2e']) {
    const res = await raw(
      `GET /chats/${jid}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${h.key}\r\nConnection: close\r\n\r\n`,
    );
    assertFail({ status: res.status, body: JSON.parse(res.body) }, 400, /Invalid chat_jid/, jid);
  }
  // Percent-encoded forms of a good JID are the JID.
  assert.equal((await h.call('/chats/15550001111%40s.whatsapp.net/messages', postJson({ text: 'hi' }))).status, 503);
});

test('a malformed percent-encoding in chat_jid says so instead of a bare "Bad request"', async () => {
  const res = await h.call('/chats/%E0%A4%A/messages', postJson({ text: 'hi' }));
  assertFail(res, 400, undefined, 'malformed %-encoding');
  assert.notEqual(res.body.error, 'Bad request', 'the error should name the problem (chat_jid / percent-encoding)');
});

test('/session/pairing-code refuses a phone_number that is not an international number', async () => {
  // The schema's regex allows any 8-24 of "+0-9 ().-", then strips non-digits: "((((((((" asks WhatsApp for a code
  // for "" (WhatsApp refuses: a 500), and 24 digits or a national "0812…" are asked for as they are.
  for (const phone_number of ['((((((((', '........', '1'.repeat(24), '0812345678']) {
    assertFail(await h.call('/session/pairing-code', postJson({ phone_number })), 400, /phone_number/, phone_number);
  }
});

test('a pairing code asked for "((((((((" must not leave the session unable to link after a restart', async (t) => {
  // Today: Baileys stores creds.me = "@s.whatsapp.net" for the empty number; after a restart the session loops in
  // "reconnecting" (Connection Failure), never shows a QR again, and POST /session/logout answers 409 "No WhatsApp
  // account is linked": only wiping the data dir by hand recovers.
  const own = await startSandboxCore(t);
  await waitForState(own.core, 'qr');
  await own.call('/session/pairing-code', postJson({ phone_number: '((((((((' }));
  await own.restart();
  await waitForState(own.core, 'qr', 6000);
});

test('/session/pairing-code: missing, mistyped or odd phone numbers are a 400', async () => {
  const cases: unknown[] = [
    {},
    { phone_number: 15550001111 },
    { phone_number: ['+15550001111'] },
    { phone_number: null },
    { phone_number: '+1 555 abc' },
    { phone_number: '+١٥٥٥٠٠٠١١١١' },
    { phone_number: '+1555\u00000001111' },
    [],
  ];
  for (const body of cases)
    assertFail(
      await h.call('/session/pairing-code', postJson(body)),
      400,
      /phone_number|JSON object/,
      JSON.stringify(body),
    );
});

test('/session/qr?format=… takes png or json only', async () => {
  for (const query of ['format=svg', 'format=', 'format=JSON', 'format=json&format=png', 'format=png%00']) {
    assertFail(await h.call(`/session/qr?${query}`), 400, /format must be png or json/, query);
  }
  const png = await fetch(`${h.core.url}/session/qr?format[]=json`, { headers: { authorization: h.key } });
  assert.equal(png.headers.get('content-type'), 'image/png', 'an unknown parameter is ignored: the default PNG');
  await png.arrayBuffer();
});

test('Idempotency-Key edge cases: anything but 1-255 printable ASCII is a 400; a key freed by a failure is reusable', async () => {
  const cases = ['', ' ', 'a b', 'a'.repeat(256), 'tab\there'];
  for (const key of cases) {
    assertFail(
      await h.call(SEND, postJson({ text: 'hi' }, { 'idempotency-key': key })),
      400,
      /Idempotency-Key/,
      JSON.stringify(key),
    );
  }
  // Two Idempotency-Key headers reach the server joined by ", ": not one printable token.
  const two = await rawPost(
    SEND,
    ['Content-Type: application/json', 'Content-Length: 13', 'Idempotency-Key: a', 'Idempotency-Key: b'],
    '{"text":"hi"}',
  );
  assertFail({ status: two.status, body: JSON.parse(two.body) }, 400, /Idempotency-Key/, 'two keys');
  const key = 'k'.repeat(255);
  assert.equal((await h.call(SEND, postJson({ text: 'hi' }, { 'idempotency-key': key }))).status, 503);
  // 503 sent nothing: the key is free again, with the same or another body.
  assert.equal((await h.call(SEND, postJson({ text: 'hi' }, { 'idempotency-key': key }))).status, 503);
  assert.equal((await h.call(SEND, postJson({ text: 'other' }, { 'idempotency-key': key }))).status, 503);
  // A 400 frees it too.
  assertFail(await h.call(SEND, postJson({ text: '' }, { 'idempotency-key': 'freed' })), 400, /Text field/);
  assert.equal((await h.call(SEND, postJson({ text: 'hi' }, { 'idempotency-key': 'freed' }))).status, 503);
});

test('wrong methods on every endpoint are a 404 envelope, never a 500', async () => {
  const cases: Array<[string, string]> = [
    ['PUT', SEND],
    ['PATCH', SEND],
    ['DELETE', SEND],
    ['POST', '/health'],
    ['DELETE', '/session'],
    ['PUT', '/session/qr'],
    ['GET', '/session/pairing-code'],
    ['GET', '/session/logout'],
    ['POST', '/events'],
    ['POST', '/messages/abc'],
    ['DELETE', '/messages/abc'],
    ['POST', '/openapi.json'],
    ['PUT', '/admin/keys'],
    ['TRACE', '/health'],
  ];
  for (const [method, path] of cases) {
    const res = await raw(
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${h.key}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    assert.ok(res.status === 404 || res.status === 401, `${method} ${path} → ${res.status}`);
    assertFail({ status: res.status, body: JSON.parse(res.body) }, res.status, undefined, `${method} ${path}`);
  }
});

test('Authorization oddities: Bearer without a key, other schemes, case and spacing', async () => {
  for (const auth of [
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    h.key.toUpperCase(),
    h.key.slice(0, -1),
    `${h.key}x`,
    `Bearer ${h.key} ${h.key}`,
    'wg_',
    `Token ${h.key}`,
  ]) {
    assertFail(await h.call('/session', { auth }), 401, /Invalid or missing authentication/, auth.slice(0, 20));
  }
  for (const auth of [
    h.key,
    `Bearer ${h.key}`,
    `bearer ${h.key}`,
    `BEARER ${h.key}`,
    `  ${h.key}   `,
    `Bearer    ${h.key}\t`,
  ]) {
    assert.equal((await h.call('/session', { auth })).status, 200, JSON.stringify(auth.slice(0, 12)));
  }
  // Two Authorization headers: node keeps the first, so a bad first one is refused and a good first one counts.
  const bad = await raw(
    `GET /session HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: nope\r\nAuthorization: ${h.key}\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(bad.status, 401);
  const good = await raw(
    `GET /session HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${h.key}\r\nAuthorization: nope\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(good.status, 200);
});

test('odd message ids on GET /messages/{id} are a 404, never a 500', async () => {
  for (const id of ['x'.repeat(5000), '%00', '.%2E.', "'; DROP TABLE messages; --", '%F0%9F%98%80', '__proto__']) {
    assertFail(await h.call(`/messages/${id}`), 404, /Message not found/, id.slice(0, 20));
  }
});

test('emoji, RTL and control characters in text pass validation; the length counts characters, as the error says', async () => {
  for (const text of [
    'héllo 👋🏽 👨‍👩‍👧',
    'مرحبا ‏RTL‏ עברית',
    '\u202Eevil',
    'tab\tand\nnewline',
    'nul\u0000byte',
    '😀'.repeat(65_536),
  ]) {
    assert.equal((await h.call(SEND, postJson({ text }))).status, 503, JSON.stringify(text.slice(0, 10)));
  }
  assertFail(
    await h.call(SEND, postJson({ text: '😀'.repeat(65_537) })),
    400,
    /longer than WhatsApp allows \(65536 characters\)/,
  );
});
