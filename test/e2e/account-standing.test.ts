import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE } from '../support/contacts.ts';
import { eventually, waitForEvent, waitForSession, waitForState } from '../support/waits.ts';
import { nowSeconds } from '../../server/contract/time.ts';

let h: TestCore;
let contacts = 0;

before(async (t) => {
  h = await startPairedCore(t);
  // Right after linking Baileys holds its events back until something flushes them (pitfall 7); a delivered
  // message to Alice does, so the tests below see statuses as they happen.
  const delivered = waitForEvent(h.core, 'message.status', (c) => c.status === 'delivered', 'a delivered message');
  await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'hello', typing_simulation: false }));
  await delivered;
});
const sandbox = () => h.core.sandbox!;
/** A contact WaGate has never written to and never heard from. */
const newContact = (name: string) =>
  sandbox().addContact({ number: `1555888${String(++contacts).padStart(4, '0')}`, name, on_whatsapp: true }).number;

/** The first 'failed' status event of a message to `number`: a refused send is answered before its id is known. */
const failureTo = (number: string) =>
  waitForEvent(
    h.core,
    'message.status',
    (c) => c.chat_jid === `${number}@s.whatsapp.net` && c.status === 'failed',
    `a failure to ${number}`,
  ).then(([change]) => change);

/** WhatsApp refused it: the answer says so, and nothing was sent. */
function assertRefused(res: { status: number; body: any }, code: number): void {
  assert.equal(res.status, 500, JSON.stringify(res.body));
  assert.equal(res.body.error, `WhatsApp refused the message (error ${code})`);
}

for (const code of [463, 479] as const) {
  test(`a send WhatsApp refuses with ${code} fails with server_rejected:${code}, and is never sent again`, async () => {
    const number = newContact(`Refuses ${code}`);
    sandbox().rejectMessages(number, code);
    const failed = failureTo(number);
    const res = await h.call(
      `/chats/${number}@s.whatsapp.net/messages`,
      postJson({ text: 'hello', typing_simulation: false }),
    );
    assertRefused(res, code);
    const change = await failed;
    const id = change.message_id;
    assert.equal(change.reason, `server_rejected:${code}`);
    const stored = await h.call(`/messages/${id}`);
    assert.equal(stored.body.data.status, 'failed');
    assert.equal(stored.body.data.failure_reason, `server_rejected:${code}`);

    assert.equal(sandbox().inbox(number).length, 0);
  });
}

test('a refused send is not sent again after the connection drops and comes back', async () => {
  const number = newContact('Refuses, then a drop');
  sandbox().rejectMessages(number, 463);
  const failed = failureTo(number);
  const res = await h.call(`/chats/${number}/messages`, postJson({ text: 'once only', typing_simulation: false }));
  assertRefused(res, 463);
  const sent = { id: (await failed).message_id };
  // A reconnect is when an outbox resends what it holds unconfirmed: WhatsApp must see this id exactly once.
  const reconnected = waitForState(h.core, 'reconnecting').then(() => waitForState(h.core, 'connected', 60_000));
  sandbox().fault({ kind: 'drop' });
  await reconnected;
  const next = await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'after the drop', typing_simulation: false }));
  assert.equal(next.status, 200, JSON.stringify(next.body));
  await eventually(
    () =>
      sandbox()
        .inbox(ALICE)
        .find((e) => e.message_id === next.body.data.message_id),
    'Alice’s',
  );
  const refusals = sandbox()
    .standing()
    .refused.filter((r) => r.message_id === sent.id);
  assert.deepEqual(
    refusals.map((r) => r.error),
    [463],
  );
});

test('a reach-out time lock shows in GET /session and as a session.state event, in the event log too', async () => {
  const until = nowSeconds() + 2 * 3600;
  const shown = waitForSession(h.core, (s) => s.reachout_timelock?.until === until, 'the lock');
  sandbox().setReachoutTimelock({ active: true, until });
  await shown;
  const session = await h.call('/session');
  assert.deepEqual(session.body.data.reachout_timelock, { until: until, enforcement_type: 'DEFAULT' });
  // What GET /events and the webhooks replay.
  const logged = h.core.eventLog.since(0, 10_000) as { type: string; data: any }[];
  assert.ok(logged.some((e) => e.type === 'session.state' && e.data.reachout_timelock?.until === until));
});

test('while locked, a new chat is refused with 463; a chat that has history still gets its messages', async () => {
  const number = newContact('Stranger');
  const failed = failureTo(number);
  const res = await h.call(`/chats/${number}/messages`, postJson({ text: 'hi there', typing_simulation: false }));
  assertRefused(res, 463);
  assert.equal((await failed).reason, 'server_rejected:463');
  assert.equal(sandbox().inbox(number).length, 0);
  const known = await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'still fine', typing_simulation: false }));
  await eventually(
    () =>
      sandbox()
        .inbox(ALICE)
        .find((e) => e.message_id === known.body.data.message_id),
    'Alice’s',
  );
});

test('the lock lifted: GET /session says so', async () => {
  const cleared = waitForSession(h.core, (s) => s.reachout_timelock === null, 'the lock lifted');
  sandbox().setReachoutTimelock({ active: false });
  await cleared;
  assert.equal((await h.call('/session')).body.data.reachout_timelock, null);
});

test('a new-chat message cap shows in GET /session, with what is used and when the cycle ends', async () => {
  const cycleEnds = nowSeconds() + 86_400;
  const shown = waitForSession(h.core, (s) => s.message_capping?.status === 'second_warning', 'the cap');
  sandbox().setMessageCapping({ status: 'SECOND_WARNING', used: 45, quota: 50, cycle_ends_at: cycleEnds });
  await shown;
  assert.deepEqual((await h.call('/session')).body.data.message_capping, {
    status: 'second_warning',
    used: 45,
    quota: 50,
    cycle_ends_at: cycleEnds,
  });
});

test('after a restart WaGate asks WhatsApp for the standing: the lock and the cap show again', async () => {
  const until = nowSeconds() + 3600;
  const shown = waitForSession(h.core, (s) => s.reachout_timelock?.until === until, 'the lock');
  sandbox().setReachoutTimelock({ active: true, until, enforcement_type: 'BIZ_QUALITY' });
  await shown;
  // The notification was delivered before the restart: only WaGate's own question can bring it back.
  await h.restart();
  await waitForSession(h.core, (s) => s.reachout_timelock?.until === until, 'the lock after the restart');
  await waitForSession(h.core, (s) => s.message_capping?.status === 'second_warning', 'the cap after the restart');
  assert.equal((await h.call('/session')).body.data.reachout_timelock.enforcement_type, 'BIZ_QUALITY');
});
