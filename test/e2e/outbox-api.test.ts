import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startPairedCore, type TestCore } from '../support/core.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { fakeClock } from '../support/fake-clock.ts';
import { eventually, waitForEvent } from '../support/waits.ts';

const send = (h: TestCore, chat: string, body: object, headers: Record<string, string> = {}) =>
  h.call(
    `/chats/${chat}/messages`,
    postJson({ typing_simulation: false, presence_simulation: false, ...body }, headers),
  );

const sentEvent = (h: TestCore, id: () => string | undefined) =>
  waitForEvent(h.core, 'message.status', (c) => c.message_id === id() && c.status === 'sent', 'sent');

const inboxHas = (h: TestCore, chat: string, id: string) =>
  eventually(() => h.core.sandbox!.inbox(chat).find((m) => m.message_id === id), `${id} at ${chat}`);

test('Prefer: respond-async and "async": true answer 202 queued at once; the outbox sends them', async (t) => {
  const h = await startPairedCore(t);
  const byHeader = await send(h, ALICE, { text: 'async by header' }, { prefer: 'respond-async, wait=10' });
  assert.equal(byHeader.status, 202, JSON.stringify(byHeader.body));
  assert.deepEqual(Object.keys(byHeader.body.data).sort(), ['message_id', 'send_at', 'status']);
  assert.equal(byHeader.body.data.status, 'queued');
  assert.equal(byHeader.headers.get('preference-applied'), 'respond-async');
  const byBody = await send(h, ALICE, { text: 'async by body', async: true });
  assert.equal(byBody.status, 202, JSON.stringify(byBody.body));
  assert.equal(byBody.headers.get('preference-applied'), null);
  await inboxHas(h, ALICE, byHeader.body.data.message_id);
  await inboxHas(h, ALICE, byBody.body.data.message_id);
  const order = h.core.sandbox!.inbox(ALICE).map((m) => m.message_id);
  assert.ok(order.indexOf(byHeader.body.data.message_id) < order.indexOf(byBody.body.data.message_id), 'in order');
  await eventually(
    async () => (await h.call(`/messages/${byBody.body.data.message_id}`)).body.data.status_times.sent,
    'stored as sent',
  );
});

test('send_at schedules a message: listed as scheduled, kept across a restart, sent when it is due', async (t) => {
  const clock = fakeClock(Date.now());
  const h = await startPairedCore(t, { clock });
  const at = Math.floor(clock.now() / 1000) + 3600;
  const iso = new Date(at * 1000).toISOString();
  const res = await send(h, BOB, { text: 'in an hour', send_at: iso });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.deepEqual(res.body.data, { message_id: res.body.data.message_id, status: 'queued', send_at: at });
  const id = res.body.data.message_id as string;
  const listed = await h.call('/outbox');
  assert.deepEqual(
    listed.body.data.map((e: { message_id: string; stage: string; send_at: number }) => [
      e.message_id,
      e.stage,
      e.send_at,
    ]),
    [[id, 'scheduled', at]],
  );
  await h.restart();
  await eventually(() => h.core.session.snapshot().state === 'connected', 'connected after the restart');
  assert.equal((await h.call('/outbox')).body.data[0]?.stage, 'scheduled', 'still waiting after the restart');
  const sent = sentEvent(h, () => id);
  clock.advance(3600_000);
  await sent;
  await inboxHas(h, BOB, id);
  assert.deepEqual((await h.call('/outbox')).body.data, []);
});

test('scheduled messages to one chat leave each when due: earliest send_at first, ties in the order accepted', async (t) => {
  const clock = fakeClock(Date.now());
  const h = await startPairedCore(t, { clock });
  const inSeconds = (s: number) => Math.floor(clock.now() / 1000) + s;
  const ids: Record<string, string> = {};
  for (const [name, at] of [
    ['last', inSeconds(120)],
    ['first', inSeconds(30)],
    ['tie-accepted-first', inSeconds(60)],
    ['tie-accepted-second', inSeconds(60)],
  ] as const) {
    const res = await send(h, ALICE, { text: name, send_at: at });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    ids[name] = res.body.data.message_id;
  }
  const inbox = () => h.core.sandbox!.inbox(ALICE).map((m) => m.message_id);
  const firstSent = sentEvent(h, () => ids.first);
  clock.advance(30_000);
  await firstSent;
  assert.deepEqual(
    inbox().filter((id) => Object.values(ids).includes(id)),
    [ids.first],
    'only the one due',
  );
  const lastSent = sentEvent(h, () => ids.last);
  clock.advance(90_000);
  await lastSent;
  await inboxHas(h, ALICE, ids.last!);
  assert.deepEqual(
    inbox().filter((id) => Object.values(ids).includes(id)),
    [ids.first, ids['tie-accepted-first'], ids['tie-accepted-second'], ids.last],
  );
});

test('send_at in Unix seconds; a bad send_at is a 400 and nothing is queued', async (t) => {
  const clock = fakeClock(Date.now());
  const h = await startPairedCore(t, { clock });
  const at = Math.floor(clock.now() / 1000) + 60;
  const res = await send(h, ALICE, { text: 'in a minute', send_at: at });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal(res.body.data.send_at, at);
  for (const bad of ['tomorrow', '2026-12-01 09:30', 1.5, -3, true]) {
    const refused = await send(h, ALICE, { text: 'never', send_at: bad });
    assert.equal(refused.status, 400, `${JSON.stringify(bad)}: ${JSON.stringify(refused.body)}`);
    assert.match(refused.body.error, /send_at/);
  }
  assert.equal((await h.call('/outbox')).body.data.length, 1);
});

test('DELETE /messages/{id} cancels a scheduled message: it fails as cancelled and never leaves; a sent one is a 409', async (t) => {
  const clock = fakeClock(Date.now());
  const h = await startPairedCore(t, { clock });
  const res = await send(h, ALICE, { text: 'changed my mind', send_at: Math.floor(clock.now() / 1000) + 600 });
  const id = res.body.data.message_id as string;
  const cancelled = waitForEvent(
    h.core,
    'message.status',
    (c) => c.message_id === id && c.status === 'failed',
    'cancelled',
  );
  const del = await h.call(`/messages/${id}`, { method: 'DELETE' });
  assert.equal(del.status, 200, JSON.stringify(del.body));
  const [change] = await cancelled;
  assert.equal(change.reason, 'cancelled');
  const detail = await h.call(`/messages/${id}`);
  assert.equal(detail.body.data.status, 'failed');
  assert.equal(detail.body.data.failure_reason, 'cancelled');
  assert.deepEqual((await h.call('/outbox')).body.data, []);
  clock.advance(3600_000);
  const later = await send(h, ALICE, { text: 'the next one' });
  assert.equal(later.status, 200, JSON.stringify(later.body));
  assert.equal(h.core.sandbox!.inbox(ALICE).filter((m) => m.message_id === id).length, 0, 'never sent');
  assert.equal((await h.call(`/messages/${later.body.data.message_id}`, { method: 'DELETE' })).status, 409);
  assert.equal((await h.call('/messages/NO-SUCH-ID', { method: 'DELETE' })).status, 404);
});

test('a failed message stays in GET /outbox with its reason; retry sends it with the same id, DELETE drops it', async (t) => {
  const h = await startPairedCore(t);
  const refusing = h.core.sandbox!.addContact({ number: '15557770001', name: 'Refuses', on_whatsapp: true }).number;
  h.core.sandbox!.rejectMessages(refusing, 479);
  const refused = await send(h, refusing, { text: 'refused once' });
  assert.equal(refused.status, 500, JSON.stringify(refused.body));
  const failed = (await h.call('/outbox')).body.data as Array<{
    message_id: string;
    stage: string;
    failure_reason: string;
  }>;
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.stage, 'failed');
  assert.equal(failed[0]!.failure_reason, 'server_rejected:479');
  const id = failed[0]!.message_id;

  h.core.sandbox!.rejectMessages(refusing, null);
  const sent = sentEvent(h, () => id);
  const retry = await h.call(`/outbox/${id}/retry`, { method: 'POST' });
  assert.equal(retry.status, 200, JSON.stringify(retry.body));
  assert.equal(retry.body.data.status, 'queued');
  await sent;
  await inboxHas(h, refusing, id);
  assert.equal((await h.call(`/outbox/${id}/retry`, { method: 'POST' })).status, 404, 'only a failed one');

  h.core.sandbox!.rejectMessages(refusing, 479);
  await send(h, refusing, { text: 'refused again' });
  const [again] = (await h.call('/outbox')).body.data as Array<{ message_id: string }>;
  assert.equal((await h.call(`/outbox/${again!.message_id}`, { method: 'DELETE' })).status, 200);
  assert.deepEqual((await h.call('/outbox')).body.data, []);
  assert.equal((await h.call(`/messages/${again!.message_id}`)).body.data.failure_reason, 'server_rejected:479');
  assert.equal((await h.call(`/outbox/${again!.message_id}`, { method: 'DELETE' })).status, 404);
});

test('a message sent again after a drop says so at once: GET /outbox counts its second try while its ack is held', async (t) => {
  const h = await startPairedCore(t);
  h.core.sandbox!.fault({ kind: 'hold_acks', count: 2 });
  const res = await send(h, BOB, { text: 'held, dropped, held again', async: true });
  const id = res.body.data.message_id as string;
  await inboxHas(h, BOB, id); // the server has it and holds its ack
  // Its status stays `sending` across the resend: the outbox's readers (the dashboard) learn of it by this event.
  const changed = waitForEvent(h.core, 'outbox.changed', () => true, 'the outbox to say the resend');
  h.core.sandbox!.fault({ kind: 'drop' });
  await changed;
  const entries = (await h.call('/outbox')).body.data as Array<{ message_id: string; stage: string; attempts: number }>;
  assert.deepEqual(
    entries.map(({ message_id, stage, attempts }) => ({ message_id, stage, attempts })),
    [{ message_id: id, stage: 'sending', attempts: 2 }],
  );
});
