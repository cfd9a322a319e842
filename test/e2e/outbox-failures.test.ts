import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairThroughApi, postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB, CAROL } from '../support/contacts.ts';
import { fakeClock } from '../support/fake-clock.ts';
import { eventually, waitForEvent, waitForSession, waitForState } from '../support/waits.ts';
import { OutboxConfigSchema } from '../../server/config.ts';

/**
 * The outbox's failure reasons a message reaches after it was accepted (answered 202): each is said in GET /outbox,
 * GET /messages/{id} and a `message.status` event, and the message never reaches the contact. `cancelled` and
 * `server_rejected:N` are in outbox-api.test.ts and account-standing.test.ts.
 */

const EXPIRE_AFTER_S = 60;

const sendAsync = (h: TestCore, chat: string, text: string, extra: object = {}) =>
  h.call(
    `/chats/${chat}/messages`,
    postJson({ text, typing_simulation: false, presence_simulation: false, async: true, ...extra }),
  );

const failedEvent = (h: TestCore, id: () => string) =>
  waitForEvent(h.core, 'message.status', (c) => c.message_id === id() && c.status === 'failed', 'failed');

/** WhatsApp refuses connections until `reconnect()`: what is accepted meanwhile waits in the outbox. */
async function goOffline(h: TestCore): Promise<{ reconnect: () => void }> {
  const reconnecting = waitForState(h.core, 'reconnecting');
  h.core.sandbox!.fault({ kind: 'refuse', duration_ms: 600_000 });
  await reconnecting;
  return { reconnect: () => h.core.sandbox!.fault({ kind: 'refuse', duration_ms: 0 }) };
}

/** What every side says of a failed message: its outbox entry, its detail. */
async function assertFailed(h: TestCore, id: string, reason: string): Promise<void> {
  const entry = (await h.call('/outbox')).body.data.find((e: { message_id: string }) => e.message_id === id);
  assert.deepEqual([entry?.stage, entry?.failure_reason], ['failed', reason], JSON.stringify(entry));
  const detail = await h.call(`/messages/${id}`);
  assert.deepEqual([detail.body.data.status, detail.body.data.failure_reason], ['failed', reason]);
}

/** A later message to the chat is answered 200 and is in the inbox: the failed one, accepted before it, is not. */
async function assertNeverSent(h: TestCore, chat: string, id: string): Promise<void> {
  const later = await h.call(
    `/chats/${chat}/messages`,
    postJson({ text: 'a later one', typing_simulation: false, presence_simulation: false }),
  );
  assert.equal(later.status, 200, JSON.stringify(later.body));
  const inbox = h.core.sandbox!.inbox(chat);
  assert.ok(inbox.some((m) => m.message_id === later.body.data.message_id));
  assert.equal(inbox.filter((m) => m.message_id === id).length, 0, 'the failed message never reached the contact');
}

test('expired: a message that cannot leave within outbox.expire_after_s fails as expired and is never sent', async (t) => {
  const clock = fakeClock(Date.now());
  const outbox = OutboxConfigSchema.parse({ expire_after_s: EXPIRE_AFTER_S });
  const h = await startPairedCore(t, { clock, config: { outbox } });
  const offline = await goOffline(h);
  const res = await sendAsync(h, ALICE, 'too late to matter');
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const id = res.body.data.message_id as string;
  const failed = failedEvent(h, () => id);
  clock.advance((EXPIRE_AFTER_S + 1) * 1000);
  offline.reconnect();
  const [change] = await failed;
  assert.equal(change.reason, 'expired');
  await assertFailed(h, id, 'expired');
  await assertNeverSent(h, ALICE, id);
});

test('a scheduled message counts its lifetime from send_at: due long after it was accepted, it is sent', async (t) => {
  const clock = fakeClock(Date.now());
  const outbox = OutboxConfigSchema.parse({ expire_after_s: EXPIRE_AFTER_S });
  const h = await startPairedCore(t, { clock, config: { outbox } });
  const at = Math.floor(clock.now() / 1000) + 2 * EXPIRE_AFTER_S;
  const res = await sendAsync(h, BOB, 'in two minutes', { send_at: at });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const id = res.body.data.message_id as string;
  const outcome = waitForEvent(
    h.core,
    'message.status',
    (c) => c.message_id === id && (c.status === 'sent' || c.status === 'failed'),
    'sent or failed',
  );
  clock.advance(2 * EXPIRE_AFTER_S * 1000);
  const [change] = await outcome;
  assert.equal(change.status, 'sent', JSON.stringify(change));
  await eventually(() => h.core.sandbox!.inbox(BOB).some((m) => m.message_id === id), 'at the contact');
});

test('logged_out: the phone unlinks the device while a message waits; it fails and no later link sends it', async (t) => {
  const clock = fakeClock(Date.now());
  const h = await startPairedCore(t, { clock });
  const at = Math.floor(clock.now() / 1000) + 600;
  const res = await sendAsync(h, ALICE, 'from the old link', { send_at: at });
  const id = res.body.data.message_id as string;
  const failed = failedEvent(h, () => id);
  await h.core.sandbox!.unlink();
  const [change] = await failed;
  assert.equal(change.reason, 'logged_out');
  await assertFailed(h, id, 'logged_out');
  await waitForSession(h.core, (s) => s.state === 'qr', 'a new QR');
  await pairThroughApi(h);
  clock.advance(600_000);
  await assertNeverSent(h, ALICE, id);
});

test('not_on_whatsapp: accepted while offline for a number WhatsApp does not know; it fails when the outbox asks', async (t) => {
  const h = await startPairedCore(t);
  const offline = await goOffline(h);
  const res = await sendAsync(h, CAROL, 'nobody there');
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const id = res.body.data.message_id as string;
  const failed = failedEvent(h, () => id);
  offline.reconnect();
  const [change] = await failed;
  assert.equal(change.reason, 'not_on_whatsapp');
  await assertFailed(h, id, 'not_on_whatsapp');
});
