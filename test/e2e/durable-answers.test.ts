import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { heldDisk } from '../support/held-disk.ts';
import { eventually } from '../support/waits.ts';

/**
 * A 2xx promises what survives a power cut: it leaves only once the fsync covering what its request committed has
 * resolved (server/store/group-commit.ts, server/http/middleware/durable-answers.ts). The store's fsyncs are held
 * here; the answer is checked to still be owed after a later request to the same server was answered.
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

test("a synchronous send's 200 leaves only once WhatsApp's ack is on disk", async (t) => {
  const disk = heldDisk();
  t.after(() => disk.release());
  const h = await startPairedCore(t, { fileSync: disk.sync });
  disk.hold();
  const answer = watch(send(h, BOB, 'acked, not yet on disk'));
  const id = await eventually(() => {
    const sent = h.core.sandbox!.inbox(BOB).at(-1);
    return sent && disk.waiting > 0 && sent.message_id;
  }, 'the frame out and an fsync held');
  // The fsyncs go through one round at a time until the message has moved on (acked, or a receipt came first, as
  // can happen while the key write's fsync is held): the next fsync stays held. Baileys' own wait for its key write
  // is tested in test/store/group-commit.test.ts.
  await eventually(() => {
    const acked = h.core.messages.get(id)?.status !== 'sending';
    if (!acked && disk.waiting > 0) {
      disk.release();
      disk.hold();
    }
    return acked && disk.waiting > 0;
  }, 'the message moved on and an fsync held');
  await roundTrip(h);
  assert.equal(answer.settled(), false, 'no 200 while its fsync is held');
  disk.release();
  const res = await answer.promise;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.message_id, id);
});

test('a failed fsync answers 500, never a 2xx', async (t) => {
  const disk = heldDisk();
  t.after(() => disk.release());
  const h = await startPairedCore(t, { fileSync: disk.sync });
  disk.hold();
  const answer = send(h, ALICE, 'the disk fails', { async: true });
  await eventually(() => disk.waiting > 0 && h.core.sender.outbox().length > 0, 'the held fsync');
  disk.fail(new Error('EIO'));
  const res = await answer;
  assert.equal(res.status, 500, JSON.stringify(res.body));
  assert.equal(res.body.status, false);
  assert.match(res.body.error, /disk/);
});
