import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../server/api-error.ts';
import { afterEachCommit } from '../../server/store/database.ts';
import { TypingConfigSchema } from '../../server/config.ts';
import type { InboxEntry } from '../../server/sandbox/simulator.ts';
import type { SendRequest } from '../../server/whatsapp/sender.ts';
import { ALICE, BOB, CAROL, jidOf } from '../support/contacts.ts';
import { startPairedWorld, type World } from '../support/session-world.ts';
import { eventually, waitForEvent } from '../support/waits.ts';
import type { MessageProgress, SendResult } from '../../server/contract/messages.ts';

/** Small times so the suite is quick; refresh shorter than the typing so a re-sent "composing" shows. */
const TYPING = TypingConfigSchema.parse({
  chars_per_second: 100,
  min_ms: 150,
  max_ms: 600,
  jitter: 0.1,
  refresh_ms: 250,
});

let world: World;

/** A synchronous send through the world's outbox: the answer once WhatsApp's server has the message. */
const sender = {
  async send(r: SendRequest): Promise<SendResult> {
    const outcome = await world.sender.send(r);
    if (outcome.kind !== 'sent') throw new Error(`answered ${JSON.stringify(outcome)}`);
    return outcome.result;
  },
};

before(async (t) => {
  world = await startPairedWorld(t, { typing: TYPING });
  // Baileys says "unavailable" when it connects (markOnlineOnConnect: false); a first message closes that window,
  // so each test sees only the frames its own send caused.
  const warmUp = await sender.send(request(ALICE, 'warm-up', { typingSimulation: false, presenceSimulation: false }));
  await delivered(ALICE, warmUp.message_id);
});

const request = (chat: string, text: string, over: Partial<SendRequest> = {}): SendRequest => ({
  chatJid: jidOf(chat),
  content: { kind: 'text', text },
  typingSimulation: true,
  presenceSimulation: true,
  async: false,
  sendAt: null,
  ...over,
});

const delivered = (number: string, id: string): Promise<InboxEntry> =>
  eventually(() => world.sim.inbox(number).find((m) => m.message_id === id), `message ${id} at ${number}`);

/** The frames around a message once the next frame after it (if any is expected) has arrived. */
async function framesAround(
  number: string,
  id: string,
  expectAfter: boolean,
): Promise<{ before: string[]; after: string[] }> {
  const entry = await eventually(() => {
    const found = world.sim.inbox(number).find((m) => m.message_id === id);
    return found && (!expectAfter || found.after.length > 0) ? found : undefined;
  }, `frames around ${id}`);
  return { before: entry.before.map((f) => f.value), after: entry.after.map((f) => f.value) };
}

test('with both simulations the contact sees available → composing → paused → the message → unavailable', async () => {
  const result = await sender.send(request(ALICE, 'Hello, World!'));
  assert.equal(result.status, 'sent');
  assert.equal(typeof result.message_id, 'string');
  assert.ok(Number.isInteger(result.timestamp) && Math.abs(result.timestamp - Date.now() / 1000) < 60, 'unix seconds');
  assert.equal((await delivered(ALICE, result.message_id)).text, 'Hello, World!');
  const frames = await framesAround(ALICE, result.message_id, true);
  assert.deepEqual(frames.before, ['available', 'composing', 'paused']);
  assert.deepEqual(frames.after, ['unavailable']);
  assert.equal(world.messages.detail(result.message_id)?.status_times.sent, result.timestamp, 'stored as sent');
});

test('a typed send the worker takes at once is sending from the commit that accepts it: no commit of its own', async () => {
  const newest = world.db.prepare('SELECT message_id, status FROM messages ORDER BY seq DESC LIMIT 1');
  const commits: { message_id: string; status: string }[] = [];
  afterEachCommit(world.db, () => commits.push(newest.get() as { message_id: string; status: string }));
  try {
    const result = await sender.send(request(BOB, 'typed at once', { presenceSimulation: false }));
    const accepted = commits.find((c) => c.message_id === result.message_id);
    assert.equal(accepted?.status, 'sending', 'its acceptance commits it sending: typing starts at once');
  } finally {
    afterEachCommit(world.db, () => undefined);
  }
});

test('a send taken at once leaves as it was accepted: its job is not read back before its first try', async () => {
  const get = world.outbox.get;
  const read: string[] = [];
  world.outbox.get = (id) => (read.push(id), get(id));
  try {
    const quick = await sender.send(
      request(BOB, 'not read back', { typingSimulation: false, presenceSimulation: false }),
    );
    const typed = await sender.send(request(ALICE, 'typed, not read back', { presenceSimulation: false }));
    assert.equal((await delivered(BOB, quick.message_id)).text, 'not read back');
    assert.equal((await delivered(ALICE, typed.message_id)).text, 'typed, not read back');
    assert.deepEqual(read, []);
  } finally {
    world.outbox.get = get;
  }
});

test('a long wait re-sends "composing" so the indicator does not drop', async () => {
  // 60 characters at 100/s: 600 ms of typing, said again every 250 ms.
  const result = await sender.send(request(ALICE, 'x'.repeat(60), { presenceSimulation: false }));
  const entry = await delivered(ALICE, result.message_id);
  const chatstates = entry.before.filter((f) => f.kind === 'chatstate').map((f) => f.value);
  assert.deepEqual(chatstates, ['composing', 'composing', 'composing', 'paused']);
});

test("a send says what it is doing: typing for how long, then waiting for the server's ack", async () => {
  const steps: MessageProgress[] = [];
  const record = (p: MessageProgress) => steps.push(p);
  world.events.on('message.progress', record);
  try {
    const result = await sender.send(request(ALICE, 'progress, step by step', { presenceSimulation: false }));
    const mine = steps.filter((p) => p.message_id === result.message_id);
    assert.deepEqual(
      mine.map((p) => p.step),
      ['typing', 'awaiting_ack'],
    );
    const typed = mine[0]?.duration_ms ?? -1;
    assert.ok(typed >= TYPING.min_ms && typed <= TYPING.max_ms, `typing for ${typed} ms, within the config's bounds`);
    const quiet = await sender.send(
      request(ALICE, 'no typing', { typingSimulation: false, presenceSimulation: false }),
    );
    assert.deepEqual(
      steps.filter((p) => p.message_id === quiet.message_id).map((p) => p.step),
      ['awaiting_ack'],
    );
  } finally {
    world.events.off('message.progress', record);
  }
});

test('with both simulations off the contact sees only the message', async () => {
  const result = await sender.send(request(ALICE, 'no frills', { typingSimulation: false, presenceSimulation: false }));
  const entry = await delivered(ALICE, result.message_id);
  // A later message closes this one's frames: anything it still caused would be in them by then.
  const later = await sender.send(request(ALICE, 'later', { typingSimulation: false, presenceSimulation: false }));
  await delivered(ALICE, later.message_id);
  assert.deepEqual(entry.before, []);
  assert.deepEqual(world.sim.inbox(ALICE).find((m) => m.message_id === result.message_id)?.after, []);
});

test('a reply quotes the message the contact sent', async () => {
  const received = waitForEvent(world, 'message.received', (m) => m.text === 'what time?', 'the question');
  const { message_id: question } = await world.sim.sendFromContact(BOB, { text: 'what time?' });
  await received;
  const reply = await sender.send(request(BOB, 'at nine', { replyToMessageId: question }));
  const entry = await delivered(BOB, reply.message_id);
  assert.equal(entry.quoted_message_id, question);
  assert.equal(world.messages.get(reply.message_id)?.quoted_message_id, question);
});

test('two concurrent sends to one chat arrive in the order they were asked for', async () => {
  // The first types for longer: without the queue the second would overtake it.
  const first = sender.send(request(ALICE, 'first, and a good deal longer than the second one'));
  const second = sender.send(request(ALICE, 'second'));
  const [a, b] = await Promise.all([first, second]);
  await delivered(ALICE, b.message_id);
  const order = world.sim.inbox(ALICE).map((m) => m.message_id);
  assert.ok(order.indexOf(a.message_id) < order.indexOf(b.message_id), 'first before second');
  const frames = await framesAround(ALICE, b.message_id, true);
  assert.deepEqual(
    frames.before,
    ['composing', 'paused'],
    'still online between the two: one available, one unavailable',
  );
  assert.deepEqual(frames.after, ['unavailable']);
});

test('different chats are sent in parallel: a quick send does not wait behind typing to another chat', async () => {
  const slow = sender.send(request(ALICE, 'y'.repeat(60), { presenceSimulation: false })).then(() => 'alice');
  const quick = sender
    .send(request(BOB, 'quick', { typingSimulation: false, presenceSimulation: false }))
    .then(() => 'bob');
  assert.equal(await Promise.race([slow, quick]), 'bob');
  await slow;
});

test('a number not on WhatsApp is a 404 and nothing is sent or typed', async () => {
  await assert.rejects(sender.send(request(CAROL, 'hello?')), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 404);
    assert.equal(e.message, 'Number is not on WhatsApp');
    return true;
  });
  assert.deepEqual(world.sim.inbox(CAROL), []);
});

test('an unknown reply_to_message_id is a 404 before anything is typed', async () => {
  await assert.rejects(sender.send(request(ALICE, 'hm', { replyToMessageId: 'NOPE' })), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 404);
    assert.equal(e.message, 'Message to reply to was not found');
    return true;
  });
});

test('a send that fails in the queue does not jam the next one to that chat', async () => {
  const first = sender.send(request(CAROL, 'one'));
  const second = sender.send(request(CAROL, 'two'));
  await assert.rejects(first, (e: unknown) => e instanceof ApiError && e.code === 404);
  await assert.rejects(
    second,
    (e: unknown) => e instanceof ApiError && e.code === 404,
    'the second ran and got its own answer',
  );
});

test('without a connection the sender answers 503', async () => {
  await world.session.stop();
  await assert.rejects(sender.send(request(ALICE, 'hi')), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 503);
    assert.equal(e.message, 'WhatsApp is not connected');
    return true;
  });
});
