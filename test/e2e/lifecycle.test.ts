import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPairedCore, postJson, pairThroughApi } from '../support/core.ts';
import { ALICE } from '../support/contacts.ts';
import { eventually, waitForSession, waitForState } from '../support/waits.ts';

test('a restart resumes the linked session without a new QR', async (t) => {
  const h = await startPairedCore(t);
  const account = h.core.session.snapshot().account;
  await h.restart();
  let sawQr = false;
  h.core.events.on('session.state', (s) => (sawQr ||= s.state === 'qr'));
  await waitForState(h.core, 'connected');
  assert.equal(sawQr, false);
  assert.deepEqual(h.core.session.snapshot().account, account);
  const res = await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'after restart', typing_simulation: false }));
  assert.equal(res.status, 200, JSON.stringify(res.body));
});

test('the phone unlinking the device: 503 until a new QR is scanned', async (t) => {
  const h = await startPairedCore(t);
  await h.core.sandbox!.unlink();
  await waitForSession(h.core, (s) => s.state === 'logged_out' || s.state === 'qr', 'logged out');
  const refused = await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'anyone?' }));
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error, 'WhatsApp is not connected');
  await pairThroughApi(h);
  const res = await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'back again', typing_simulation: false }));
  assert.equal(res.status, 200, JSON.stringify(res.body));
});

test('logout from the API unlinks, wipes the credentials and offers a fresh QR', async (t) => {
  const h = await startPairedCore(t);
  const res = await h.call('/session/logout', { method: 'POST' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await waitForState(h.core, 'qr');
  assert.equal(h.core.session.snapshot().account, null);
  assert.equal(h.core.sandbox!.phone().linked_devices.length, 0);
});

test('a send made while the connection is dropped waits for it to come back: 200, delivered exactly once', async (t) => {
  const h = await startPairedCore(t);
  h.core.sandbox!.fault({ kind: 'drop' });
  // Whether the session has noticed the drop yet or not, the outbox holds the message until WhatsApp acks it.
  const during = await h.call(
    `/chats/${ALICE}/messages`,
    postJson({ text: 'sent during the drop', typing_simulation: false, presence_simulation: false }),
  );
  assert.equal(during.status, 200, JSON.stringify(during.body));
  await waitForState(h.core, 'connected');
  const after = await h.call(
    `/chats/${ALICE}/messages`,
    postJson({ text: 'after the drop', typing_simulation: false, presence_simulation: false }),
  );
  assert.equal(after.status, 200, JSON.stringify(after.body));
  // One chat's messages leave in order: once this later one is in, any second copy of the first came before it.
  await eventually(() => h.core.sandbox!.inbox(ALICE).some((m) => m.text === 'after the drop'), 'the later message');
  const copies = h.core.sandbox!.inbox(ALICE).filter((m) => m.text === 'sent during the drop');
  assert.deepEqual(
    copies.map((m) => m.message_id),
    [during.body.data.message_id],
    'exactly once, under the id the answer gave',
  );
});

test('another client taking over ("replaced") stops the session instead of fighting it', async (t) => {
  const h = await startPairedCore(t);
  h.core.sandbox!.fault({ kind: 'replaced' });
  await waitForState(h.core, 'replaced');
  const res = await h.call('/session');
  assert.equal(res.body.data.state, 'replaced');
});
