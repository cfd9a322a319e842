import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { eventually, waitForState } from '../support/waits.ts';

/**
 * After a message to a contact, WhatsApp Web issues that contact the account's trusted-contact (privacy) token, once a
 * week; Baileys 7.0.0-rc14 loses the record of having done so and issued one with every message.
 */
const quick = { typing_simulation: false, presence_simulation: false };

async function send(h: TestCore, to: string, text: string): Promise<void> {
  const res = await h.call(`/chats/${to}/messages`, postJson({ text, ...quick }));
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

const tokensOf = (h: TestCore, number: string) =>
  h.core.sandbox!.contacts().find((c) => c.number === number)!.privacy_tokens;

/**
 * Frames of one connection reach the simulator in order: once Bob has a message sent after Alice's last (and has
 * been issued his own token), whatever followed Alice's messages has been seen too.
 */
async function afterLaterFrames(h: TestCore, text: string): Promise<void> {
  const before = tokensOf(h, BOB).issued;
  await send(h, BOB, text);
  await eventually(
    () => (h.core.sandbox!.inbox(BOB).some((m) => m.text === text) ? true : undefined),
    `${text} in Bob's inbox`,
  );
  if (before === 0) await eventually(() => (tokensOf(h, BOB).issued === 1 ? true : undefined), "Bob's token");
}

test('a contact written to three times is issued one privacy token, and a restart does not issue another', async (t) => {
  const h = await startPairedCore(t);
  for (const text of ['one', 'two', 'three']) await send(h, ALICE, text);
  await eventually(() => (tokensOf(h, ALICE).issued > 0 ? true : undefined), "Alice's token");
  await afterLaterFrames(h, 'to Bob');
  const issued = tokensOf(h, ALICE);
  assert.equal(issued.issued, 1, JSON.stringify(issued));
  assert.ok(Math.abs(issued.last_issued_at! - Date.now() / 1000) < 60, JSON.stringify(issued));

  await h.restart();
  await waitForState(h.core, 'connected');
  await send(h, ALICE, 'four');
  await afterLaterFrames(h, 'to Bob again');
  assert.deepEqual(tokensOf(h, ALICE), issued);
});
