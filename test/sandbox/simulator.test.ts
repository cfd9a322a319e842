import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMessageIDV2, type BinaryNode, type WASocket } from '@whiskeysockets/baileys';
import { silentLogger } from '../../server/logger.ts';
import { startSimulator, type Simulator } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { BaileysTestClient } from '../support/baileys-client.ts';
import { ALICE, BOB, CAROL, jidOf as jid } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';

interface Rig {
  dir: string;
  sim: Simulator;
  client: BaileysTestClient;
}

async function startRig(dir = mkdtempSync(join(tmpdir(), 'wagate-sandbox-'))): Promise<Rig> {
  const sim = await startSimulator({ dataDir: dir, logger: silentLogger() });
  trustSimulatorRoot(sim.rootPublicKey);
  return { dir, sim, client: new BaileysTestClient(sim.wsUrl) };
}

async function pair(rig: Rig): Promise<void> {
  rig.client.connect();
  const qr = await rig.client.waitForQr();
  await rig.sim.scan(qr);
  await rig.client.waitForOpen();
}

async function stopRig(rig: Rig, removeDir = true): Promise<void> {
  await rig.client.end();
  await rig.sim.close();
  if (removeDir) rmSync(rig.dir, { recursive: true, force: true });
}

describe('sandbox: pairing and login', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => stopRig(rig));

  test('a fresh client gets a QR, the phone scans it, 515, then open', async () => {
    rig.client.connect();
    const qr = await rig.client.waitForQr();
    assert.match(qr, /^https:\/\/wa\.me\/settings\/linked_devices#2@/);
    const view = await rig.sim.scan(qr);
    assert.equal(view.number, '15559990000');
    assert.equal(view.linked_devices.length, 1);
    await rig.client.waitForOpen();
    const creds = rig.client.auth.creds;
    assert.equal(creds.me?.id, `15559990000:${view.linked_devices[0]!.device}@s.whatsapp.net`);
    assert.equal(creds.me?.name, 'Sandbox Phone');
    assert.ok(creds.me?.lid?.endsWith('@lid'));
    await eventually(() => rig.sim.phone().linked_devices[0]?.connected, 'device shown connected', 5000);
  });

  test('pings are answered; an IQ the simulator does not implement gets an empty result', async () => {
    const sock = rig.client.sock!;
    const pong = await sock.query({
      tag: 'iq',
      attrs: { to: 's.whatsapp.net', type: 'get', xmlns: 'w:p' },
      content: [{ tag: 'ping', attrs: {} }],
    });
    assert.equal(pong.attrs.type, 'result');
    const other = await sock.query({
      tag: 'iq',
      attrs: { to: 's.whatsapp.net', type: 'get', xmlns: 'w:no-such-thing' },
      content: [{ tag: 'x', attrs: {} }],
    });
    assert.equal(other.attrs.type, 'result');
    assert.equal(other.content, undefined);
  });

  test('the simulator refuses to listen on a non-loopback address', async () => {
    await assert.rejects(startSimulator({ dataDir: rig.dir, host: '0.0.0.0', logger: silentLogger() }), /loopback/);
  });

  test('a used or unknown QR is refused', async () => {
    await assert.rejects(rig.sim.scan('https://wa.me/settings/linked_devices#2@nope,AAAA,BBBB,CCCC,1'), /QR/);
  });

  test('a client with routingInfo (the "ED" intro) is accepted too', async () => {
    await rig.client.end();
    rig.client.auth.creds.routingInfo = Buffer.from('sandbox-edge-routing');
    const mark = rig.client.mark();
    rig.client.connect();
    await rig.client.waitForOpen(mark);
  });

  test('onWhatsApp answers from the contact list, not-on-WhatsApp contacts excluded', async () => {
    const res = await rig.client.sock!.onWhatsApp(ALICE, CAROL, '19999999999');
    const alice = res?.find((r) => r.jid === jid(ALICE));
    assert.equal(alice?.exists, true);
    assert.ok(!res?.some((r) => r.jid === jid(CAROL) && r.exists));
    assert.ok(!res?.some((r) => r.jid === jid('19999999999') && r.exists));
  });
});

describe('sandbox: linking with a pairing code', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => stopRig(rig));

  test('the phone types the code the client shows: 515, open, and the client can send', async () => {
    rig.client.connect();
    await rig.client.waitForQr();
    const code = await rig.client.sock!.requestPairingCode('15559990000');
    assert.match(code, /^[1-9A-Z]{8}$/);
    const view = await rig.sim.enterPairingCode(`${code.slice(0, 4)}-${code.slice(4).toLowerCase()}`);
    assert.equal(view.linked_devices.length, 1);
    await rig.client.waitForOpen();
    const creds = rig.client.auth.creds;
    assert.equal(creds.registered, true);
    assert.equal(creds.me?.id, `15559990000:${view.linked_devices[0]!.device}@s.whatsapp.net`);
    assert.equal(creds.me?.name, 'Sandbox Phone');
    assert.ok(creds.account?.accountSignature);

    const sent = await rig.client.sock!.sendMessage(jid(ALICE), { text: 'linked by code' });
    const entry = await eventually(
      () => rig.sim.inbox(ALICE).find((e) => e.message_id === sent!.key.id),
      'inbox entry',
      10_000,
    );
    assert.equal(entry.text, 'linked by code');
  });

  test('a code nobody asked for, or asked for another number, is refused', async () => {
    await assert.rejects(rig.sim.enterPairingCode('ABCD-EFGH'), /no device is waiting for a pairing code/);
    await assert.rejects(rig.sim.enterPairingCode('ABC'), /8 letters and digits/);
    const other = new BaileysTestClient(rig.sim.wsUrl);
    try {
      other.connect();
      await other.waitForQr();
      const code = await other.sock!.requestPairingCode('15550009999');
      await assert.rejects(rig.sim.enterPairingCode(code), /codes were asked for \+15550009999/);
      assert.equal(rig.sim.phone().linked_devices.length, 1);
    } finally {
      await other.end();
    }
  });
});

describe('sandbox: messaging', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
    await pair(rig);
  });
  after(async () => stopRig(rig));

  test('a sent text is decrypted by the contact, acked and delivered', async () => {
    const mark = rig.client.mark();
    const sent = await rig.client.sock!.sendMessage(jid(ALICE), { text: 'hello alice' });
    const id = sent!.key.id!;
    const entry = await eventually(() => rig.sim.inbox(ALICE).find((e) => e.message_id === id), 'inbox entry', 10_000);
    assert.equal(entry.text, 'hello alice');
    assert.equal(entry.quoted_message_id, null);
    // The delivery receipt flushes Baileys' buffer (pitfall 7): status 3 comes as the upsert's status or an update.
    await Promise.race([
      rig.client.waitFor('messages.update', (u) => u.some((x: any) => x.key.id === id && x.update.status >= 3), {
        since: mark,
      }),
      rig.client.waitFor(
        'messages.upsert',
        (u) =>
          u.messages.some(
            (m: any) => m.key.id === id && (m.status >= 3 || m.status === 'DELIVERY_ACK' || m.status === 'READ'),
          ),
        { since: mark },
      ),
    ]);
    await eventually(() => rig.sim.inbox(ALICE).find((e) => e.message_id === id)?.delivered, 'delivered flag', 5000);
  });

  test('a read receipt on demand reaches Baileys as status READ', async () => {
    const sent = await rig.client.sock!.sendMessage(jid(ALICE), { text: 'please read' });
    const id = sent!.key.id!;
    await eventually(() => rig.sim.inbox(ALICE).find((e) => e.message_id === id), 'inbox entry', 10_000);
    const mark = rig.client.mark();
    await rig.sim.sendReceipt(ALICE, { message_id: id, type: 'read' });
    // READ comes as messages.update, or merged into the still-buffered own upsert (pitfall 7).
    await Promise.race([
      rig.client.waitFor('messages.update', (u) => u.some((x: any) => x.key.id === id && x.update.status === 4), {
        since: mark,
      }),
      rig.client.waitFor('messages.upsert', (u) =>
        u.messages.some((m: any) => m.key.id === id && (m.status === 4 || m.status === 'READ')),
      ),
    ]);
    assert.equal(rig.sim.inbox(ALICE).find((e) => e.message_id === id)?.read, true);
  });

  test('presence and chatstates are recorded, in order, before the message', async () => {
    const sock = rig.client.sock!;
    await sock.sendPresenceUpdate('available');
    await sock.sendPresenceUpdate('composing', jid(BOB));
    await sock.sendPresenceUpdate('paused', jid(BOB));
    const sent = await sock.sendMessage(jid(BOB), { text: 'typed this' });
    await sock.sendPresenceUpdate('unavailable');
    const id = sent!.key.id!;
    const entry = await eventually(() => rig.sim.inbox(BOB).find((e) => e.message_id === id), 'inbox entry', 10_000);
    const before = entry.before.map((b) => `${b.kind}:${b.value}`);
    assert.deepEqual(before.slice(-3), ['presence:available', 'chatstate:composing', 'chatstate:paused']);
    const withAfter = await eventually(
      () => rig.sim.inbox(BOB).find((e) => e.message_id === id && e.after.length > 0),
      'after',
      5000,
    );
    assert.deepEqual(
      withAfter.after.map((b) => `${b.kind}:${b.value}`),
      ['presence:unavailable'],
    );
    for (let i = 1; i < entry.before.length; i++) assert.ok(entry.before[i]!.at >= entry.before[i - 1]!.at);
  });

  test('inbound: a contact writes first (pkmsg), then again (msg); both arrive as messages.upsert', async () => {
    const carolless = '15550004444';
    rig.sim.addContact({ number: carolless, name: 'Dave', on_whatsapp: true });
    const types: string[] = [];
    rig.client.sock!.ws.on('CB:message', (n: BinaryNode) => {
      if (n.attrs.from === jid(carolless) && Array.isArray(n.content)) {
        const enc = n.content.find((c) => c.tag === 'enc');
        if (enc) types.push(enc.attrs.type!);
      }
    });
    const mark = rig.client.mark();
    const first = await rig.sim.sendFromContact(carolless, { text: 'first from dave' });
    const up1 = await rig.client.waitFor(
      'messages.upsert',
      (u) => u.messages.some((m: any) => m.key.id === first.message_id),
      { since: mark },
    );
    const m1 = up1.messages.find((m: any) => m.key.id === first.message_id);
    assert.equal(m1.message?.conversation, 'first from dave');
    assert.equal(m1.key.fromMe, false);
    assert.equal(m1.key.remoteJid, jid(carolless));
    const second = await rig.sim.sendFromContact(carolless, { text: 'second from dave' });
    const up2 = await rig.client.waitFor(
      'messages.upsert',
      (u) => u.messages.some((m: any) => m.key.id === second.message_id),
      { since: mark },
    );
    assert.equal(
      up2.messages.find((m: any) => m.key.id === second.message_id).message?.conversation,
      'second from dave',
    );
    assert.deepEqual(types, ['pkmsg', 'msg']);
  });

  test('quotes: WaGate replying to a contact message records the quoted id; a contact reply quotes ours', async () => {
    const mark = rig.client.mark();
    const incoming = await rig.sim.sendFromContact(ALICE, { text: 'question?' });
    const up = await rig.client.waitFor(
      'messages.upsert',
      (u) => u.messages.some((m: any) => m.key.id === incoming.message_id),
      { since: mark },
    );
    const quoted = up.messages.find((m: any) => m.key.id === incoming.message_id);
    const sent = await rig.client.sock!.sendMessage(jid(ALICE), { text: 'answer!' }, { quoted });
    const entry = await eventually(
      () => rig.sim.inbox(ALICE).find((e) => e.message_id === sent!.key.id),
      'inbox entry',
      10_000,
    );
    assert.equal(entry.quoted_message_id, incoming.message_id);
    assert.equal(entry.text, 'answer!');

    const mark2 = rig.client.mark();
    const reply = await rig.sim.sendFromContact(ALICE, { text: 'thanks', reply_to_message_id: sent!.key.id! });
    const up2 = await rig.client.waitFor(
      'messages.upsert',
      (u) => u.messages.some((m: any) => m.key.id === reply.message_id),
      { since: mark2 },
    );
    const msg = up2.messages.find((m: any) => m.key.id === reply.message_id).message;
    assert.equal(msg.extendedTextMessage?.text, 'thanks');
    assert.equal(msg.extendedTextMessage?.contextInfo?.stanzaId, sent!.key.id);
    assert.equal(msg.extendedTextMessage?.contextInfo?.quotedMessage?.conversation, 'answer!');
  });

  test('subscribing to a contact’s presence answers with its last seen', async () => {
    const mark = rig.client.mark();
    await rig.client.sock!.presenceSubscribe(jid(ALICE));
    const update = await rig.client.waitFor('presence.update', (u) => u.id === jid(ALICE), { since: mark });
    assert.equal(update.presences[jid(ALICE)].lastKnownPresence, 'unavailable');
  });

  test('sending as a contact that is not on WhatsApp, or unknown, is refused', async () => {
    await assert.rejects(rig.sim.sendFromContact(CAROL, { text: 'x' }), /not on WhatsApp/);
    await assert.rejects(rig.sim.sendFromContact('19999999999', { text: 'x' }), /no contact/);
  });
});

describe('sandbox: faults, reconnect and persistence', () => {
  test('replaced → 440; saved creds reconnect with no QR; also after a simulator restart', async () => {
    const rig = await startRig();
    try {
      await pair(rig);
      let mark = rig.client.mark();
      rig.sim.fault({ kind: 'replaced' });
      assert.equal(await rig.client.waitForClose(mark), 440);

      mark = rig.client.mark();
      rig.client.connect();
      await rig.client.waitForOpen(mark);
      assert.ok(!rig.client.events.some((e) => e.seq >= mark && e.name === 'connection.update' && e.data.qr));

      // restart the simulator on the same data dir
      const root = rig.sim.rootPublicKey;
      await rig.client.end();
      await rig.sim.close();
      rig.sim = await startSimulator({ dataDir: rig.dir, logger: silentLogger() });
      assert.equal(rig.sim.rootPublicKey, root);
      assert.equal(rig.sim.phone().linked_devices.length, 1);
      const client = new BaileysTestClient(rig.sim.wsUrl);
      // The same auth state (creds and keys), as a restarted app would load it from disk.
      (client as { auth: unknown }).auth = rig.client.auth;
      rig.client = client;
      mark = client.mark();
      client.connect();
      await client.waitForOpen(mark);
      assert.ok(!client.events.some((e) => e.name === 'connection.update' && e.data.qr));
      const sent = await client.sock!.sendMessage(jid(ALICE), { text: 'after restart' });
      const entry = await eventually(
        () => rig.sim.inbox(ALICE).find((e) => e.message_id === sent!.key.id),
        'inbox after restart',
        10_000,
      );
      assert.equal(entry.text, 'after restart');
      const inbound = await rig.sim.sendFromContact(BOB, { text: 'bob after restart' });
      await client.waitFor('messages.upsert', (u) =>
        u.messages.some((m: any) => m.key.id === inbound.message_id && m.message?.conversation === 'bob after restart'),
      );
    } finally {
      await stopRig(rig);
    }
  });

  test('messages from a contact while the device is offline arrive at its next login', async () => {
    const rig = await startRig();
    try {
      await pair(rig);
      await rig.client.end();
      await eventually(() => !rig.sim.phone().linked_devices[0]?.connected, 'device offline', 5000);
      const queued = await rig.sim.sendFromContact(BOB, { text: 'while you were away' });
      const mark = rig.client.mark();
      rig.client.connect();
      await rig.client.waitForOpen(mark);
      const up = await rig.client.waitFor(
        'messages.upsert',
        (u) => u.messages.some((m: any) => m.key.id === queued.message_id),
        { since: mark },
      );
      assert.equal(
        up.messages.find((m: any) => m.key.id === queued.message_id).message?.conversation,
        'while you were away',
      );
    } finally {
      await stopRig(rig);
    }
  });

  test('unlink → 401 device_removed, and the next login is refused with 401', async () => {
    const rig = await startRig();
    try {
      await pair(rig);
      let mark = rig.client.mark();
      await rig.sim.unlink();
      assert.equal(await rig.client.waitForClose(mark), 401);
      assert.equal(rig.sim.phone().linked_devices.length, 0);
      mark = rig.client.mark();
      rig.client.connect();
      assert.equal(await rig.client.waitForClose(mark), 401);
    } finally {
      await stopRig(rig);
    }
  });

  test('drop closes the socket; refuse keeps connections out for duration_ms', async () => {
    const rig = await startRig();
    try {
      await pair(rig);
      let mark = rig.client.mark();
      rig.sim.fault({ kind: 'drop' });
      const code = await rig.client.waitForClose(mark);
      assert.ok(code !== 401 && code !== 440, `unexpected ${code}`);
      mark = rig.client.mark();
      rig.client.connect();
      await rig.client.waitForOpen(mark);

      mark = rig.client.mark();
      rig.sim.fault({ kind: 'refuse', duration_ms: 60_000 });
      await rig.client.waitForClose(mark);
      mark = rig.client.mark();
      rig.client.connect();
      await rig.client.waitForClose(mark);
      // The window ends (a new refusal of no length replaces it) instead of being waited out.
      rig.sim.fault({ kind: 'refuse', duration_ms: 0 });
      mark = rig.client.mark();
      rig.client.connect();
      await rig.client.waitForOpen(mark);
    } finally {
      await stopRig(rig);
    }
  });
});

/** The server's `<ack class="message">` for `id` on this socket: where Baileys' own handleBadAck hears it. */
function ackOf(sock: WASocket, id: string, timeoutMs = 10_000): Promise<BinaryNode> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.ws.off('CB:ack,class:message', onAck);
      reject(new Error(`no server ack for ${id} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onAck = (n: BinaryNode) => {
      if (n.attrs.id !== id) return;
      clearTimeout(timer);
      sock.ws.off('CB:ack,class:message', onAck);
      resolve(n);
    };
    sock.ws.on('CB:ack,class:message', onAck);
  });
}

describe('sandbox: server acks and resends', () => {
  test('every message to a contact is acked with its id, from the chat it went to', async () => {
    const rig = await startRig();
    try {
      await pair(rig);
      const sock = rig.client.sock!;
      const id = generateMessageIDV2(sock.user?.id);
      const acked = ackOf(sock, id);
      await sock.sendMessage(jid(ALICE), { text: 'ack me' }, { messageId: id });
      const ack = await acked;
      assert.equal(ack.attrs.class, 'message');
      assert.equal(ack.attrs.from, jid(ALICE));
      assert.equal(ack.attrs.error, undefined);
      assert.match(ack.attrs.t ?? '', /^\d+$/);
    } finally {
      await stopRig(rig);
    }
  });

  test('hold_acks without delay: the contact has the message, no ack comes; a resend with the same id after reconnect is acked and kept once', async () => {
    const rig = await startRig();
    try {
      await pair(rig);
      let sock = rig.client.sock!;
      const held = generateMessageIDV2(sock.user?.id);
      let heldAck = false;
      sock.ws.on('CB:ack,class:message', (n: BinaryNode) => (heldAck ||= n.attrs.id === held));
      rig.sim.fault({ kind: 'hold_acks' });
      await sock.sendMessage(jid(ALICE), { text: 'held' }, { messageId: held });
      await eventually(() => rig.sim.inbox(ALICE).find((e) => e.message_id === held), 'the held message received');
      // Acks leave in the order the messages came: once the next one is acked, the held one's would have been.
      const next = generateMessageIDV2(sock.user?.id);
      const nextAcked = ackOf(sock, next);
      await sock.sendMessage(jid(ALICE), { text: 'not held' }, { messageId: next });
      await nextAcked;
      assert.equal(heldAck, false, 'the held ack was sent');

      const mark = rig.client.mark();
      rig.sim.fault({ kind: 'drop' });
      await rig.client.waitForClose(mark);
      const reopened = rig.client.mark();
      sock = rig.client.connect();
      await rig.client.waitForOpen(reopened);
      const resent = ackOf(sock, held);
      await sock.sendMessage(jid(ALICE), { text: 'held' }, { messageId: held });
      await resent;
      const copies = rig.sim.inbox(ALICE).filter((e) => e.message_id === held);
      assert.equal(copies.length, 1);
      assert.equal(copies[0]!.text, 'held');
    } finally {
      await stopRig(rig);
    }
  });

  test('hold_acks with delay_ms: the held ack comes late, after the ack of a message sent after it', async () => {
    const rig = await startRig();
    try {
      await pair(rig);
      const sock = rig.client.sock!;
      const order: string[] = [];
      sock.ws.on('CB:ack,class:message', (n: BinaryNode) => order.push(n.attrs.id!));
      const late = generateMessageIDV2(sock.user?.id);
      const onTime = generateMessageIDV2(sock.user?.id);
      rig.sim.fault({ kind: 'hold_acks', count: 1, delay_ms: 300 });
      const lateAck = ackOf(sock, late);
      await sock.sendMessage(jid(BOB), { text: 'late ack' }, { messageId: late });
      const onTimeAck = ackOf(sock, onTime);
      await sock.sendMessage(jid(BOB), { text: 'ack on time' }, { messageId: onTime });
      await Promise.all([lateAck, onTimeAck]);
      assert.deepEqual(
        order.filter((id) => id === late || id === onTime),
        [onTime, late],
      );
    } finally {
      await stopRig(rig);
    }
  });
});
