import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE } from '../support/contacts.ts';
import { eventually, waitForState } from '../support/waits.ts';
import type { SessionState } from '../../server/contract/session.ts';

/**
 * Sessions that never die quietly: WaGate acknowledges what WhatsApp expects acknowledged, finds a dead stream within
 * the watchdog's bound (here 300 + 700 ms), reconnects without a new QR, and says each time when and why.
 */
const WATCHDOG = { interval_ms: 300, timeout_ms: 700 };
let h: TestCore;
const states: SessionState[] = [];

before(async (t) => {
  h = await startPairedCore(t, { config: { watchdog: WATCHDOG } });
  h.core.events.on('session.state', (s) => states.push(s.state));
});

const session = async () => (await h.call('/session')).body.data;

/** A fault that kills the stream: WaGate leaves "connected" within the bound, then comes back without a QR. */
async function survives(fault: object, expectedCause: RegExp) {
  const before = (await session()).reconnects_today;
  states.length = 0;
  const left = waitForState(h.core, 'reconnecting', 3 * (WATCHDOG.interval_ms + WATCHDOG.timeout_ms) + 2000);
  await h.call('/sandbox/faults', postJson(fault));
  assert.match((await left).last_error ?? '', expectedCause);
  await waitForState(h.core, 'connected');
  assert.ok(!states.includes('qr'), `no new QR: ${states.join(' → ')}`);
  const now = await session();
  assert.equal(now.state, 'connected');
  assert.equal(now.reconnects_today, before + 1);
  assert.match(now.last_reconnect.cause, expectedCause);
  assert.ok(Math.abs(now.last_reconnect.at - Date.now() / 1000) < 60, 'last_reconnect.at is now, in Unix seconds');
}

test('a contact status (<status>) is acknowledged, so WhatsApp does not recycle the stream', async () => {
  const res = await h.call(
    `/sandbox/contacts/${ALICE}/status`,
    postJson({ text: 'at the gym', ack_within_ms: 60_000 }),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await eventually(
    () => (h.core.sandbox!.statusAcknowledged(res.body.data.status_id) ? true : undefined),
    'the ack of the status',
  );
  assert.equal((await session()).reconnects_today, 0);
});

test('a server gone silent (half-open) is found dead by the watchdog and reconnected', async () => {
  await survives({ kind: 'silent' }, /^No answer from WhatsApp for \d+ s$/);
});

test('keep-alive pings left unanswered: found dead and reconnected', async () => {
  await survives({ kind: 'ignore_pings' }, /^No answer from WhatsApp for \d+ s$/);
});

for (const [code, cause] of [
  ['ack', /bad session/],
  ['428', /closed/],
  ['408', /timed out/],
  ['500', /bad session/],
  ['515', /restart/],
] as const) {
  test(`stream error ${code}: reconnected without a QR, and recorded`, async () => {
    const before = (await session()).reconnects_today;
    states.length = 0;
    await h.call('/sandbox/faults', postJson({ kind: 'stream_error', code }));
    await eventually(async () => ((await session()).reconnects_today === before + 1 ? true : undefined), 'recorded');
    await waitForState(h.core, 'connected');
    assert.ok(!states.includes('qr'), states.join(' → '));
    assert.match((await session()).last_reconnect.cause, cause);
  });
}

test('a retry receipt is answered from the store, after a restart too', async () => {
  const quick = { typing_simulation: false, presence_simulation: false };
  const sent = await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'did this arrive?', ...quick }));
  const id = sent.body.data.message_id;
  const reply = await h.call(
    `/chats/${ALICE}/messages`,
    postJson({ text: 'and this reply?', reply_to_message_id: id, ...quick }),
  );
  await eventually(() => h.core.sandbox!.inbox(ALICE).find((m) => m.message_id === reply.body.data.message_id), 'both');
  await h.restart();
  await waitForState(h.core, 'connected');
  for (const [messageId, text] of [
    [id, 'did this arrive?'],
    [reply.body.data.message_id, 'and this reply?'],
  ]) {
    const asked = await h.call(`/sandbox/contacts/${ALICE}/retry`, postJson({ message_id: messageId }));
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const entry = await eventually(
      () => h.core.sandbox!.inbox(ALICE).find((m) => m.message_id === messageId && m.resent_text),
      `the copy of ${messageId}`,
    );
    assert.equal(entry.resent_text, text);
  }
});

test('a conflict stream error: replaced, and WaGate stops instead of fighting', async () => {
  await h.call('/sandbox/faults', postJson({ kind: 'stream_error', code: 'conflict' }));
  const replaced = await waitForState(h.core, 'replaced');
  assert.match(replaced.last_error ?? '', /replaced/);
});
