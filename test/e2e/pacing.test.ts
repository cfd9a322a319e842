import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { eventually, waitForEvent } from '../support/waits.ts';
import { fakeClock, type FakeClock } from '../support/fake-clock.ts';
import { loadConfig } from '../../server/config.ts';
import { DEFAULT_PACING, type PacingPolicy } from '../../server/contract/pacing.ts';
import { EXACT_PACING } from '../support/pacing.ts';

const DAY = 24 * 3_600_000;

let h: TestCore;
let clock: FakeClock;
let cookie: string;
let contacts = 0;

before(async (t) => {
  clock = fakeClock(Date.now());
  h = await startPairedCore(t, { config: { pacing: EXACT_PACING }, clock });
  cookie = `wagate_admin=${h.core.admin.createSession()}`;
});

/** The dashboard's call: the admin cookie, the browser's same-origin marker. */
const admin = (path: string, init: RequestInit = {}) =>
  h.call(path, { ...init, auth: false, headers: { cookie, 'sec-fetch-site': 'same-origin', ...init.headers } });

/** A new policy through the dashboard's endpoint, with a day passed so earlier tests' sends no longer count. */
async function usePolicy(change: Partial<PacingPolicy>) {
  clock.advance(DAY + 1);
  const res = await admin('/admin/pacing', { ...postJson({ ...EXACT_PACING, ...change }), method: 'PUT' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

const send = (number: string, text: string) =>
  h.call(`/chats/${number}/messages`, postJson({ text, typing_simulation: false, presence_simulation: false }));
const inboxIds = (number: string) => h.core.sandbox!.inbox(number).map((e) => e.message_id);
/** A contact WaGate has never written to and never heard from. */
const stranger = () =>
  h.core.sandbox!.addContact({
    number: `1555999${String(++contacts).padStart(4, '0')}`,
    name: 'New',
    on_whatsapp: true,
  }).number;

test('a single send is not slowed: its answer is the plain 200, with no paced_ms', async () => {
  const res = await send(ALICE, 'first');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.paced_ms, undefined);
  await eventually(() => inboxIds(ALICE).includes(res.body.data.message_id), 'the message at Alice');
});

test('the next message to that chat waits for the gap, and its answer says how long it waited', async () => {
  const held = waitForEvent(h.core, 'pacing.changed', (s) => s.waiting.length === 1, 'the message held back');
  const answer = send(ALICE, 'second');
  const [state] = await held;
  assert.equal(state.waiting[0]!.limit, 'chat_gap');
  const first = await eventually(() => inboxIds(ALICE).at(-1), 'the first message');
  clock.advance(4999);
  clock.advance(1);
  const res = await answer;
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.paced_ms, 5000);
  await eventually(() => inboxIds(ALICE).includes(res.body.data.message_id), 'the second message');
  assert.deepEqual(inboxIds(ALICE).slice(-2), [first, res.body.data.message_id]);
});

/** A send pacing holds longer than a synchronous request waits: 202 pending once the wait (on the clock) is over. */
async function heldPastTheWait(number: string, text: string) {
  const held = waitForEvent(h.core, 'pacing.changed', (s) => s.waiting.length > 0, 'the message held back');
  const answer = send(number, text);
  const [state] = await held;
  clock.advance(60_000);
  const res = await answer;
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal(res.body.data.status, 'pending');
  return { id: res.body.data.message_id as string, waiting: state.waiting };
}

test('a message cancelled while pacing holds it stops waiting at once: the dashboard lists nothing held', async () => {
  const number = stranger();
  const chat = `${number}@s.whatsapp.net`;
  assert.equal((await send(number, 'first')).status, 200);
  const held = waitForEvent(h.core, 'pacing.changed', (s) => s.waiting.some((w) => w.chat_jid === chat), 'held');
  const answer = send(number, 'second');
  const [state] = await held;
  const id = state.waiting.find((w) => w.chat_jid === chat)!.message_id!;
  const released = waitForEvent(h.core, 'pacing.changed', (s) => s.waiting.length === 0, 'no longer held');
  const cancelled = await h.call(`/messages/${id}`, { method: 'DELETE' });
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  await released;
  assert.deepEqual((await admin('/admin/pacing')).body.data.waiting, []);
  assert.equal((await answer).status, 409);
});

test('a hold longer than a synchronous send waits: 202 pending, the outbox keeps it until pacing lets it go', async () => {
  await usePolicy({ per_hour: 2 });
  assert.equal((await send(ALICE, 'one')).status, 200);
  assert.equal((await send(BOB, 'two')).status, 200);
  const { id, waiting } = await heldPastTheWait(BOB, 'three');
  assert.equal(waiting[0]!.limit, 'per_hour');
  assert.equal(waiting[0]!.message_id, id);
  assert.ok(!inboxIds(BOB).includes(id), 'not sent while held');
  clock.advance(3_600_000);
  await eventually(() => inboxIds(BOB).includes(id), 'the message once the hour is over');
});

test('new chats per day: people who never wrote count once each; someone who wrote first is not held', async () => {
  await usePolicy({ new_chats_per_day: 1, chat_gap_ms: 0 });
  const first = stranger();
  assert.equal((await send(first, 'hello')).status, 200);
  assert.equal((await send(first, 'again, same chat')).status, 200, 'the same new chat does not count twice');
  const second = stranger();
  const { id, waiting } = await heldPastTheWait(second, 'hello');
  assert.equal(waiting[0]!.limit, 'new_chats_per_day');
  assert.deepEqual(inboxIds(second), []);
  const known = stranger();
  await h.core.sandbox!.sendFromContact(known, { text: 'hi, I write first' });
  await waitForEvent(h.core, 'message.received', (m) => m.chat_jid.startsWith(known), 'their message');
  assert.equal((await send(known, 'a reply')).status, 200);
  assert.equal(h.core.pacer.state().usage.new_chats_today, 1);
  void id;
});

test('pacing off holds nothing but still counts each send: turned on again, its limits know them', async () => {
  await usePolicy({ enabled: false });
  // What earlier tests left held leaves now, and counts.
  await eventually(() => (h.core.sender.outbox().length === 0 ? true : undefined), 'the outbox empty');
  const before = h.core.pacer.state().usage;
  const number = stranger();
  for (const text of ['one', 'two']) {
    const res = await send(number, text);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.paced_ms, undefined);
  }
  assert.deepEqual(h.core.pacer.state().usage, {
    last_minute: before.last_minute + 2,
    last_hour: before.last_hour + 2,
    new_chats_today: before.new_chats_today + 1,
  });
  const on = await admin('/admin/pacing', { ...postJson(EXACT_PACING), method: 'PUT' });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  const held = waitForEvent(h.core, 'pacing.changed', (s) => s.waiting.length === 1, 'the third held back');
  const third = send(number, 'three');
  assert.equal((await held)[0].waiting[0]!.limit, 'chat_gap', 'the gap after the second, sent with pacing off');
  clock.advance(5000);
  assert.equal((await third).status, 200);
});

test('the policy: on by default, edited on the dashboard, kept in config.json, and refused when it makes no sense', async () => {
  assert.deepEqual(loadConfig({ dataDir: join(h.dataDir, 'nowhere') }).pacing, DEFAULT_PACING);
  assert.equal(DEFAULT_PACING.enabled, true);
  const shown = await admin('/admin/pacing');
  assert.equal(shown.status, 200);
  assert.deepEqual(shown.body.data.defaults, DEFAULT_PACING);
  const wanted = { ...DEFAULT_PACING, per_minute: 6, new_chats_per_day: 5 };
  const changed = waitForEvent(h.core, 'pacing.changed', (s) => s.policy.per_minute === 6, 'the new policy');
  const saved = await admin('/admin/pacing', { ...postJson(wanted), method: 'PUT' });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  await changed;
  assert.deepEqual(saved.body.data.policy, wanted);
  const file = join(h.dataDir, 'config.json');
  assert.ok(existsSync(file));
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).pacing, wanted);
  assert.deepEqual(loadConfig({ dataDir: h.dataDir }).pacing, wanted, 'the next start reads it');
  for (const bad of [{ ...wanted, per_minute: 0 }, { ...wanted, chat_gap_ms: -1 }, { ...wanted, extra: 1 }, 'x']) {
    const res = await admin('/admin/pacing', { ...postJson(bad), method: 'PUT' });
    assert.equal(res.status, 400, JSON.stringify(bad));
  }
  assert.equal((await h.call('/admin/pacing', { auth: true })).status, 401, 'an API key is not the dashboard');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).pacing, wanted, 'a refused edit changes nothing');
});
