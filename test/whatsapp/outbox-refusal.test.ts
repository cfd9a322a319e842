import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOB, jidOf } from '../support/contacts.ts';
import { startPairedWorld } from '../support/session-world.ts';
import { waitForEvent } from '../support/waits.ts';
import type { SendRequest } from '../../server/whatsapp/sender.ts';

const refused: SendRequest = {
  chatJid: jidOf(BOB),
  content: { kind: 'text', text: 'refused by the server' },
  typingSimulation: false,
  presenceSimulation: false,
  async: true,
  sendAt: null,
};

// An error ack reaches two listeners: Baileys' (messages.update ERROR: the receipts mark the message failed) and the
// session's own (the worker fails the outbox job). Which lands first varies with load; here the receipts do.
test('a refusal the receipts record before the worker does still tells the outbox readers it failed', async (t) => {
  let receiptsFailed: Promise<unknown> = Promise.resolve();
  const world = await startPairedWorld(t, {
    workerSession: (session) => ({
      snapshot: session.snapshot,
      sendPresence: session.sendPresence,
      send: (...args) =>
        session.send(...args).catch(async (error: unknown) => {
          await receiptsFailed;
          throw error;
        }),
    }),
  });
  // Right after the first link Baileys holds its events (receipts among them) until the initial sync is over, up to
  // 20 s under load: a delivered receipt shows they flow before the order below is forced.
  const delivered = waitForEvent(world, 'message.status', (c) => c.status === 'delivered', 'a receipt', 30_000);
  await world.sender.send({ ...refused, content: { kind: 'text', text: 'events flow' }, async: false });
  await delivered;
  world.sim.rejectMessages(BOB, 463);
  receiptsFailed = waitForEvent(world, 'message.status', (c) => c.status === 'failed', 'the receipts mark it failed');
  const changed = receiptsFailed.then(() => waitForEvent(world, 'outbox.changed', () => true, 'the outbox to change'));
  const outcome = await world.sender.send(refused);
  assert.equal(outcome.kind, 'accepted', JSON.stringify(outcome));
  const [failed] = (await receiptsFailed) as [{ message_id: string }];
  // A reader that read the outbox at the receipts' event saw the message still queued: it must be told again.
  await changed;
  const entry = world.outbox.list().find((e) => e.message_id === failed.message_id);
  assert.deepEqual(
    { stage: entry?.stage, failure_reason: entry?.failure_reason },
    { stage: 'failed', failure_reason: 'server_rejected:463' },
  );
});
