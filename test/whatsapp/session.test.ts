import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../server/api-error.ts';
import { ALICE, BOB, CAROL, DANA, jidOf } from '../support/contacts.ts';
import { pair, startPairedWorld, startWorld } from '../support/session-world.ts';
import { eventually, waitForEvent, waitForSession, waitForState } from '../support/waits.ts';
import type { SessionState } from '../../server/contract/session.ts';

const OWNER = '15559990000';

test('pairing: a QR to scan, then connected with the linked account', async (t) => {
  const world = await startWorld(t);
  await world.session.start();
  const shown = await waitForSession(world, (s) => s.state === 'qr', 'a QR');
  assert.match(shown.qr ?? '', /^https:\/\/wa\.me\/settings\/linked_devices#/);
  assert.ok((shown.qr_expires_at ?? 0) >= Math.floor(Date.now() / 1000), 'the QR says when it expires (Unix seconds)');
  assert.equal(world.auth.hasCreds(), false);
  await world.sim.scan(shown.qr!);
  const connected = await waitForState(world, 'connected');
  assert.deepEqual(connected.account, { jid: jidOf(OWNER), number: OWNER, name: world.sim.phone().name });
  assert.equal(connected.qr, null);
  assert.equal(connected.last_error, null);
  assert.equal(world.auth.hasCreds(), true);
});

test('a restart on the same database resumes the session without a QR', async (t) => {
  const world = await startPairedWorld(t);
  const account = world.session.snapshot().account;
  await world.restart();
  const states: SessionState[] = [];
  world.events.on('session.state', (s) => states.push(s.state));
  await world.session.start();
  await waitForState(world, 'connected');
  assert.equal(states.includes('qr'), false, `states: ${states.join(' → ')}`);
  assert.deepEqual(world.session.snapshot().account, account);
  const sent = await world.send(jidOf(ALICE), 'after the restart');
  await eventually(
    () => world.sim.inbox(ALICE).find((m) => m.message_id === sent.message_id),
    'the message in the inbox',
  );
});

test('a message sent while WaGate was stopped is stored and announced at the next start', async (t) => {
  const world = await startPairedWorld(t);
  await world.session.stop();
  const { message_id } = await world.sim.sendFromContact(ALICE, { text: 'while you were away' });
  const received = waitForEvent(world, 'message.received', (m) => m.message_id === message_id, 'the offline message');
  await world.session.start();
  const [inbound] = await received;
  assert.equal(inbound.text, 'while you were away');
  assert.equal(world.messages.get(message_id)?.direction, 'inbound');
});

test('sending, receiving, receipts and quotes on one linked session', async (t) => {
  const world = await startPairedWorld(t);

  await t.test('a sent message is stored from what WhatsApp accepted and reaches the contact', async () => {
    const sent = await world.send(jidOf(ALICE), 'Hello, World!');
    assert.equal(sent.direction, 'outbound');
    assert.equal(sent.status, 'sent');
    assert.equal(sent.sender, jidOf(OWNER));
    assert.deepEqual(world.messages.get(sent.message_id), sent, 'stored at once, not when Baileys echoes it');
    const got = await eventually(
      () => world.sim.inbox(ALICE).find((m) => m.message_id === sent.message_id),
      'the inbox',
    );
    assert.equal(got.text, 'Hello, World!');
  });

  await t.test('delivered and read receipts become status events', async () => {
    const sent = await world.send(jidOf(ALICE), 'receipt me');
    await eventually(() => world.sim.inbox(ALICE).find((m) => m.message_id === sent.message_id), 'the inbox');
    const delivered = waitForEvent(
      world,
      'message.status',
      (c) => c.message_id === sent.message_id && c.status === 'delivered',
      'delivered',
    );
    await world.sim.sendReceipt(ALICE, { message_id: sent.message_id, type: 'delivered' });
    await delivered;
    const read = waitForEvent(
      world,
      'message.status',
      (c) => c.message_id === sent.message_id && c.status === 'read',
      'read',
    );
    await world.sim.sendReceipt(ALICE, { message_id: sent.message_id, type: 'read' });
    const [change] = await read;
    assert.equal(change.chat_jid, jidOf(ALICE));
    assert.equal(world.messages.get(sent.message_id)?.status, 'read');
  });

  await t.test('a message from a contact is stored and announced, and a reply quotes it', async () => {
    const received = waitForEvent(world, 'message.received', (m) => m.text === 'are you there?', 'the inbound message');
    const { message_id } = await world.sim.sendFromContact(ALICE, { text: 'are you there?' });
    const [inbound] = await received;
    assert.equal(inbound.message_id, message_id);
    assert.equal(inbound.chat_jid, jidOf(ALICE));
    assert.equal(inbound.sender, jidOf(ALICE));
    assert.equal(inbound.direction, 'inbound');
    assert.equal(inbound.status, 'received');
    assert.deepEqual(world.messages.get(message_id), inbound);
    const reply = await world.send(jidOf(ALICE), 'yes!', message_id);
    assert.equal(reply.quoted_message_id, message_id);
    const got = await eventually(
      () => world.sim.inbox(ALICE).find((m) => m.message_id === reply.message_id),
      'the reply',
    );
    assert.equal(got.quoted_message_id, message_id);
    assert.deepEqual(
      world.messages.listChat([jidOf(ALICE)], { limit: 2 }).map((m) => m.message_id),
      [reply.message_id, message_id],
    );
  });

  await t.test('who is on WhatsApp is asked once and remembered, with the LID WhatsApp knows them by', async () => {
    const alice = await world.directory.lookup(jidOf(ALICE));
    assert.equal(alice.on_whatsapp, true);
    assert.equal(alice.jid, jidOf(ALICE));
    assert.equal(alice.lid, world.sim.contacts().find((c) => c.number === ALICE)!.lid);
    assert.equal((await world.directory.lookup(jidOf(CAROL))).on_whatsapp, false);
    const danaLid = world.sim.contacts().find((c) => c.number === DANA)!.lid!;
    const stranger = await world.directory.lookup(danaLid);
    assert.deepEqual([stranger.on_whatsapp, stranger.jid], [true, null], 'a LID alone does not say whose it is');
    const dana = await world.directory.lookup(jidOf(DANA));
    assert.equal(dana.lid, danaLid);
    assert.equal(world.lids.pnOf(danaLid), jidOf(DANA), 'the mapping is stored');
    assert.equal((await world.directory.lookup(danaLid)).jid, jidOf(DANA), 'and used the other way');
    assert.equal((await world.directory.lookup('999999999999999@lid')).on_whatsapp, false, 'an unknown LID');
    // Groups are asked about too: one that does not exist is not taken on trust.
    await assert.rejects(
      world.groups.get('120363025246125486@g.us'),
      (e: unknown) => e instanceof ApiError && e.code === 404 && e.message === 'Group not found',
    );
  });

  await t.test('presence frames reach the contact', async () => {
    await world.session.sendPresence('composing', jidOf(ALICE));
    await world.session.sendPresence('paused', jidOf(ALICE));
    const sent = await world.send(jidOf(ALICE), 'after typing');
    const got = await eventually(
      () => world.sim.inbox(ALICE).find((m) => m.message_id === sent.message_id),
      'the message',
    );
    assert.deepEqual(
      got.before.map((f) => f.value),
      ['composing', 'paused'],
    );
  });

  await t.test('answers about numbers are remembered: no connection is needed to give them again', async () => {
    await world.session.stop();
    assert.equal(world.session.snapshot().state, 'stopped');
    assert.equal((await world.directory.lookup(jidOf(ALICE))).on_whatsapp, true);
    assert.equal((await world.directory.lookup(jidOf(CAROL))).on_whatsapp, false);
    await assert.rejects(world.directory.lookup(jidOf(BOB)), (e: unknown) => e instanceof ApiError && e.code === 503);
  });
});

test('the phone unlinking the device: logged_out, credentials wiped, and a fresh QR that pairs again', async (t) => {
  const world = await startPairedWorld(t);
  const loggedOut = waitForState(world, 'logged_out');
  await world.sim.unlink();
  const snapshot = await loggedOut;
  assert.equal(snapshot.account, null);
  assert.ok(snapshot.last_error);
  assert.equal(world.auth.hasCreds(), false);
  await assert.rejects(world.send(jidOf(ALICE), 'anyone?'), (e: unknown) => e instanceof ApiError && e.code === 503);
  await pair(world);
  assert.equal(world.session.snapshot().state, 'connected');
});

test('logout: unlinked on the phone, credentials wiped, a new QR offered', async (t) => {
  const world = await startPairedWorld(t);
  await world.session.logout();
  assert.equal(world.session.snapshot().state, 'logged_out');
  assert.equal(world.auth.hasCreds(), false);
  await waitForSession(world, (s) => s.state === 'qr' && s.qr !== null, 'a fresh QR');
  await eventually(
    () => (world.sim.phone().linked_devices.length === 0 ? true : undefined),
    'the phone to drop the device',
  );
});

test('a dropped connection comes back by itself, through reconnecting', async (t) => {
  const world = await startPairedWorld(t);
  const reconnecting = waitForState(world, 'reconnecting');
  world.sim.fault({ kind: 'drop' });
  assert.ok((await reconnecting).last_error);
  await waitForState(world, 'connected');
  const sent = await world.send(jidOf(ALICE), 'back');
  await eventually(() => world.sim.inbox(ALICE).find((m) => m.message_id === sent.message_id), 'the message');
});

test('refused connections are retried with backoff until the server takes them again', async (t) => {
  const world = await startPairedWorld(t);
  const reconnecting = waitForState(world, 'reconnecting');
  world.sim.fault({ kind: 'refuse', duration_ms: 1500 });
  await reconnecting;
  await waitForState(world, 'connected', 20_000);
});

test('connection replaced: the session says so and stops instead of fighting', async (t) => {
  const world = await startPairedWorld(t);
  world.sim.fault({ kind: 'replaced' });
  const replaced = await waitForState(world, 'replaced');
  assert.ok(replaced.last_error);
  // That it does not reconnect on its own is the close policy's answer to 440 (reconnect-policy.test.ts).
  assert.equal(world.session.snapshot().state, 'replaced');
  assert.equal(world.auth.hasCreds(), true, 'the credentials are kept');
  await world.session.start();
  await waitForState(world, 'connected');
});

test('without a connection every send is a 503', async (t) => {
  const world = await startWorld(t);
  await assert.rejects(world.send(jidOf(ALICE), 'hi'), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 503);
    assert.equal(e.message, 'WhatsApp is not connected');
    return true;
  });
  await assert.rejects(
    world.session.sendPresence('available'),
    (e: unknown) => e instanceof ApiError && e.code === 503,
  );
});

test('the pairing-code fallback: a code while a QR is shown, a 409 otherwise', async (t) => {
  const world = await startWorld(t);
  await assert.rejects(
    world.session.requestPairingCode(OWNER),
    (e: unknown) => e instanceof ApiError && e.code === 409,
  );
  await world.session.start();
  await waitForState(world, 'qr');
  const code = await world.session.requestPairingCode(`+${OWNER}`);
  assert.match(code, /^[0-9A-Z]{8}$/);
  assert.equal(world.auth.hasCreds(), false, 'asking for a code does not make a linked device');
});
