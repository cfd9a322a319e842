import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { heldDisk } from '../support/held-disk.ts';
import { eventually } from '../support/waits.ts';

/**
 * A 2xx promises what survives a power cut: it leaves only once the fsync covering what its request committed has
 * resolved (server/store/group-commit.ts, server/http/middleware/durable-answers.ts), except facts WhatsApp's server
 * holds (its ack, a receipt), which a power cut that loses them brings back. The store's fsyncs are held here; the
 * answer is checked to still be owed after a later request to the same server was answered.
 */
const send = (h: TestCore, chat: string, text: string, extra: object = {}) =>
  h.call(`/chats/${chat}/messages`, postJson({ text, typing_simulation: false, presence_simulation: false, ...extra }));

/** Tracks whether `promise` has settled. */
function watch<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { promise, settled: () => done };
}

/** A request the server answers at once: once it is back, an answer written before it would be back too. */
async function roundTrip(h: TestCore): Promise<void> {
  assert.equal((await h.call('/health')).status, 200);
}

test("an async send's 202 leaves only once the fsync covering its acceptance resolved", async (t) => {
  const disk = heldDisk();
  t.after(() => disk.release());
  const h = await startPairedCore(t, { fileSync: disk.sync });
  disk.hold();
  const answer = watch(send(h, ALICE, 'accepted, not yet on disk', { async: true }));
  const [job] = await eventually(() => {
    const jobs = h.core.sender.outbox();
    return jobs.length > 0 && disk.waiting > 0 && jobs;
  }, 'the acceptance committed and its fsync held');
  await roundTrip(h);
  assert.equal(answer.settled(), false, 'no answer while the fsync is held');
  disk.release();
  const res = await answer.promise;
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal(res.body.data.message_id, job!.message_id);
});

test("a synchronous send's 200 leaves only once its key write is on disk, WhatsApp's ack and a receipt in", async (t) => {
  const disk = heldDisk();
  t.after(() => disk.release());
  const h = await startPairedCore(t, { fileSync: disk.sync });
  disk.hold();
  const answer = watch(send(h, BOB, 'acked, its ratchet not yet on disk'));
  // The receipt comes after the ack: the message moved on, yet Baileys still waits for its key write's fsync.
  const id = await eventually(() => {
    const sent = h.core.sandbox!.inbox(BOB).at(-1);
    return sent && h.core.messages.get(sent.message_id)?.status === 'delivered' && disk.waiting > 0 && sent.message_id;
  }, 'the message delivered and an fsync held');
  await roundTrip(h);
  assert.equal(answer.settled(), false, 'no 200 while the fsync of its key write is held');
  disk.release();
  const res = await answer.promise;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.message_id, id);
});

test("a synchronous send's 200 does not wait for the fsync of WhatsApp's ack", async (t) => {
  const disk = heldDisk();
  t.after(() => disk.release());
  const h = await startPairedCore(t, { fileSync: disk.sync });
  // The ack comes late: every fsync before it goes through (the acceptance, Baileys' key writes), none after it.
  h.core.sandbox!.fault({ kind: 'hold_acks', delay_ms: 1_500 });
  const text = 'acked, the ack not yet on disk';
  disk.hold();
  const answer = watch(send(h, BOB, text));
  const id = await eventually(() => {
    const sent = h.core.sandbox!.inbox(BOB).find((m) => m.text === text);
    const acked = sent && h.core.messages.get(sent.message_id)?.status === 'sent';
    if (!acked && disk.waiting > 0) {
      disk.release();
      disk.hold();
    }
    return acked && sent.message_id;
  }, 'the ack committed');
  await eventually(() => answer.settled(), "the 200 with the ack's commit not on disk");
  const res = await answer.promise;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.message_id, id);
  assert.equal(h.core.messages.get(id)?.status, 'sent');
});

test('a failed fsync answers 500, never a 2xx', async (t) => {
  const disk = heldDisk();
  t.after(() => disk.release());
  const h = await startPairedCore(t, { fileSync: disk.sync });
  disk.hold();
  const answer = watch(send(h, ALICE, 'the disk fails', { async: true }));
  // Every fsync fails from here on (an earlier commit's may be the first held): the one covering the acceptance too.
  await eventually(() => {
    if (disk.waiting > 0) {
      disk.fail(new Error('EIO'));
      disk.hold();
    }
    return answer.settled();
  }, 'the answer after the failed fsyncs');
  const res = await answer.promise;
  assert.equal(res.status, 500, JSON.stringify(res.body));
  assert.equal(res.body.status, false);
  assert.match(res.body.error, /disk/);
});
