import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import type { Core } from '../../server/core.ts';
import { REDACT } from '../../server/logger.ts';
import { ALICE, BOB, CAROL } from '../support/contacts.ts';
import { postJson, startSandboxCore, type TestCore } from '../support/core.ts';
import { tempDir } from '../support/temp-dir.ts';
import { eventually, waitForState } from '../support/waits.ts';

/**
 * The paired core (sandbox) with a real pino logger writing every line to a file: odd texts must arrive and be
 * stored exactly, an accepted send must survive its client hanging up, and no secret may reach the log.
 */
let logFile: string;
let core: Core;
let key: string;
let call: TestCore['call'];
/** Every secret the run handed out, checked against the log at the end. */
const secrets: Record<string, string> = {};

before(async (t) => {
  logFile = join(tempDir(t, 'wagate-adversarial-log-'), 'core.log');
  // As `wagate serve` would log (its redaction included), one level more talkative: what debug shows must be safe too.
  const logger = pino(
    { level: 'debug', redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination({ dest: logFile, sync: true }),
  );
  const h = await startSandboxCore(t, { logger });
  ({ core, key, call } = h);
  secrets.api_key = key;
  secrets.api_key_secret_part = key.split('_').slice(2).join('_');
  await waitForState(core, 'qr');
  const qr = await call('/session/qr?format=json');
  // ref, noise public key, identity public key, adv secret: the last one is a secret.
  secrets.qr_adv_secret = String(qr.body.data.qr).split(',')[3]!;
  const scan = await call('/sandbox/phone/scan', postJson({ qr: qr.body.data.qr }));
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  await waitForState(core, 'connected');
});

const sendTo = (chat: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`/chats/${chat}/messages`, postJson(body, headers));
const inboxEntry = (number: string, id: string) =>
  eventually(() => core.sandbox!.inbox(number).find((m) => m.message_id === id), `message ${id} in ${number}'s inbox`);

test('emoji, RTL, bidi controls, NUL and a maximal text arrive and are stored exactly', async () => {
  const texts = [
    'héllo 👋🏽 👨‍👩‍👧 🏳️‍🌈',
    'مرحبا بالعالم ‏RTL‏ עברית',
    '\u202Eevil.exe\u202C',
    'nul\u0000byte and \u0007bell',
    'line\r\nbreaks\n\ttabs',
    '{"text":"json inside"}',
    '😀'.repeat(32_768),
  ];
  for (const text of texts) {
    const res = await sendTo(ALICE, { text, typing_simulation: false, presence_simulation: false });
    assert.equal(res.status, 200, `${JSON.stringify(text.slice(0, 12))}: ${JSON.stringify(res.body).slice(0, 200)}`);
    const id = res.body.data.message_id as string;
    assert.equal((await inboxEntry(ALICE, id)).text, text, 'what the contact received');
    const stored = await call(`/messages/${id}`);
    assert.equal(stored.body.data.text, text, 'GET /messages/{id}');
    const listed = await call(`/chats/${ALICE}/messages?before=${id}&limit=1`);
    assert.equal(listed.status, 200);
  }
  const listing = await call(`/chats/${ALICE}/messages?limit=${texts.length}`);
  assert.deepEqual(
    listing.body.data.map((m: { text: string }) => m.text).reverse(),
    texts,
    'the listing, newest first',
  );
});

test('a client that hangs up while its message is typed does not lose it, and its retry does not send it twice', async () => {
  const text = `hung up ${Date.now()} 🙈 ${'long enough to be typed for the whole max_ms '.repeat(3)}`;
  const controller = new AbortController();
  // Hang up only once the request is in the sender, however slow the machine: not a fixed delay.
  const original = core.sender.send;
  const inSender = new Promise<void>((resolve) => {
    core.sender.send = (request) => {
      core.sender.send = original;
      resolve();
      return original(request);
    };
  });
  const first = fetch(`${core.url}/chats/${BOB}/messages`, {
    ...postJson({ text }, { authorization: key, 'idempotency-key': 'hang-up-1' }),
    signal: controller.signal,
  }).catch((error: Error) => error);
  await inSender;
  controller.abort();
  assert.ok((await first) instanceof Error, 'the client gave up before the answer');
  const entry = await eventually(
    () => core.sandbox!.inbox(BOB).find((m) => m.text === text),
    'the message in the inbox',
  );
  const retry = await sendTo(BOB, { text }, { 'idempotency-key': 'hang-up-1' });
  assert.equal(retry.status, 200, JSON.stringify(retry.body));
  assert.equal(retry.body.data.message_id, entry.message_id, 'the retry answers the first send');
  assert.equal(retry.headers.get('idempotent-replayed'), 'true');
  // One chat's messages leave in order: a second copy would reach Bob before this later message does.
  const later = await sendTo(BOB, { text: `after ${text}`, typing_simulation: false, presence_simulation: false });
  await inboxEntry(BOB, later.body.data.message_id);
  assert.equal(core.sandbox!.inbox(BOB).filter((m) => m.text === text).length, 1, 'one message, not two');
});

test('the same Idempotency-Key from two callers are two sends; from one caller with another body a 422', async () => {
  const other = core.keys.create({ name: 'other-app', expiresAt: null }).key;
  secrets.other_api_key = other;
  const body = { text: `scoped ${Date.now()}`, typing_simulation: false, presence_simulation: false };
  const [a, b] = await Promise.all([
    sendTo(ALICE, body, { 'idempotency-key': 'shared' }),
    call(`/chats/${ALICE}/messages`, { ...postJson(body, { 'idempotency-key': 'shared' }), auth: other }),
  ]);
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.notEqual(a.body.data.message_id, b.body.data.message_id, 'keys are per caller');
  const mismatch = await sendTo(ALICE, { ...body, text: 'something else' }, { 'idempotency-key': 'shared' });
  assert.equal(mismatch.status, 422);
  assert.equal(mismatch.body.status, false);
});

test("reply_to_message_id: unknown, another chat's, or odd ids are a 404, never a 500", async () => {
  const sent = await sendTo(ALICE, { text: 'to be quoted', typing_simulation: false, presence_simulation: false });
  for (const reply_to_message_id of ['NOPE', '%00', "' OR 1=1 --", '__proto__', 'x'.repeat(128)]) {
    const res = await sendTo(ALICE, {
      text: 'reply',
      reply_to_message_id,
      typing_simulation: false,
      presence_simulation: false,
    });
    assert.equal(res.status, 404, `${reply_to_message_id.slice(0, 20)} → ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error, 'Message to reply to was not found');
  }
  const elsewhere = await sendTo(BOB, {
    text: 'reply',
    reply_to_message_id: sent.body.data.message_id,
    typing_simulation: false,
    presence_simulation: false,
  });
  assert.equal(elsewhere.status, 404, 'a message of another chat is not quoted');
  const quoted = await sendTo(ALICE, {
    text: 'reply',
    reply_to_message_id: sent.body.data.message_id,
    typing_simulation: false,
    presence_simulation: false,
  });
  assert.equal(quoted.status, 200);
});

test('a number that is not on WhatsApp is a 404, in any writing, without a hang', async () => {
  for (const chat of [
    CAROL,
    '+1 555 000 3333',
    '999999999999999',
    '999999999999999@s.whatsapp.net',
    '999999999999999:3@s.whatsapp.net',
  ]) {
    const res = await sendTo(chat, { text: 'hi', typing_simulation: false, presence_simulation: false });
    assert.equal(res.status, 404, `${chat} → ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error, 'Number is not on WhatsApp');
  }
});

test('a group or LID that does not exist is a specific 404, not a 500 or a send into the void', async () => {
  for (const [chat, error] of [
    ['123456789012345@g.us', 'Group not found'],
    ['99999999999@lid', 'LID is not known to WhatsApp'],
  ]) {
    const res = await sendTo(chat!, { text: 'hi', typing_simulation: false, presence_simulation: false });
    assert.equal(res.status, 404, `${chat} → ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error, error);
  }
});

test("no secret reaches the log: API keys, the admin cookie, the login token, webhook secrets, the QR's secret", async () => {
  // The dashboard's way in, and its writes.
  const token = core.admin.issueLoginToken();
  secrets.login_token = token;
  const login = await fetch(`${core.url}/admin/login?token=${token}`, { redirect: 'manual' });
  const cookieValue = /wagate_admin=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '';
  assert.ok(cookieValue, 'a session cookie');
  secrets.admin_cookie = cookieValue;
  const admin = { cookie: `wagate_admin=${cookieValue}`, 'sec-fetch-site': 'same-origin' };
  const made = await call('/admin/keys', { ...postJson({ name: 'from-dashboard' }, admin), auth: false });
  secrets.dashboard_key = made.body.data.key;

  // A webhook whose receiver fails once (its error body echoes what it got), then accepts.
  let calls = 0;
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      calls++;
      if (calls === 1) res.writeHead(500).end(`refused: ${JSON.stringify(req.headers)}`);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    const { port } = receiver.address() as { port: number };
    const hook = await call('/admin/webhooks', {
      ...postJson({ url: `http://127.0.0.1:${port}/hook?token=receiver-query-secret` }, admin),
      auth: false,
    });
    assert.equal(hook.status, 201);
    secrets.webhook_secret = hook.body.data.secret;
    secrets.webhook_url_token = 'receiver-query-secret';
    await call(`/sandbox/contacts/${ALICE}/messages`, postJson({ text: 'a reply for the webhook' }));
    await eventually(() => (calls >= 1 ? true : undefined), 'the webhook was called', 10_000);
  } finally {
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  }

  // Failures that carry secrets in their requests: a revoked and an unknown key, a 500 with the cookie attached.
  const revoked = core.keys.create({ name: 'revoked', expiresAt: null });
  secrets.revoked_key = revoked.key;
  core.keys.revoke(revoked.record.id);
  await call('/session', { auth: revoked.key });
  await call('/session', { auth: `Bearer ${key}x` });
  await call('/session', { auth: false, headers: { cookie: `wagate_admin=${cookieValue}%` } });
  await call(
    `/chats/${ALICE}/messages`,
    postJson(`{"text":"x","y":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, {
      'idempotency-key': key,
      cookie: `wagate_admin=${cookieValue}`,
    }),
  );
  await call('/admin/login?token=' + token);

  const log = readFileSync(logFile, 'utf8');
  assert.ok(log.split('\n').length > 20, 'the run was logged');
  for (const [name, secret] of Object.entries(secrets)) {
    assert.ok(secret && secret.length >= 10, `${name} was captured`);
    assert.ok(!log.includes(secret), `${name} appears in the log`);
  }
});
