import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWAMessage, type BinaryNode } from '@whiskeysockets/baileys';
import { silentLogger } from '../../server/logger.ts';
import { startSimulator, type Simulator } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { BaileysTestClient } from '../support/baileys-client.ts';
import { ALICE, BOB, jidOf } from '../support/contacts.ts';
import { atEnd, type Scope } from '../support/scope.ts';
import { eventually } from '../support/waits.ts';

/**
 * The simulator must not lie: what real WhatsApp would refuse or could not read, it refuses or does not read either.
 * Otherwise a WaGate bug (a bad signature, a message encrypted wrong) would pass every test.
 */
async function startRig(scope: Scope): Promise<{ sim: Simulator; client: BaileysTestClient }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wagate-sandbox-checks-'));
  const sim = await startSimulator({ dataDir, logger: silentLogger() });
  trustSimulatorRoot(sim.rootPublicKey);
  const client = new BaileysTestClient(sim.wsUrl);
  atEnd(scope, async () => {
    await client.end();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { sim, client };
}

/** The frames of one kind the server sent the client, by their id, as Baileys' socket saw them arrive. */
function framesSeen(client: BaileysTestClient, tag: string): string[] {
  const ids: string[] = [];
  client.sock!.ws.on(`CB:${tag}`, (frame: BinaryNode) => ids.push(frame.attrs.id ?? ''));
  return ids;
}

test('a message the contact cannot decrypt is acked by the server, but neither recorded nor receipted', async (t) => {
  const { sim, client } = await startRig(t);
  client.connect();
  await sim.scan(await client.waitForQr());
  await client.waitForOpen();
  const acks = framesSeen(client, 'ack,class:message');
  const receipts = framesSeen(client, 'receipt');

  // A message to Alice's phone whose ciphertext is noise: what a WaGate with broken encryption would send.
  const garbled = 'GARBLED' + randomBytes(6).toString('hex').toUpperCase();
  await client.sock!.sendNode({
    tag: 'message',
    attrs: { id: garbled, to: jidOf(ALICE), type: 'text' },
    content: [
      {
        tag: 'participants',
        attrs: {},
        content: [
          {
            tag: 'to',
            attrs: { jid: jidOf(ALICE) },
            content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: randomBytes(80) }],
          },
        ],
      },
    ],
  });
  // The ack comes once the server has tried to decrypt it: what it records, it has recorded by then.
  await eventually(() => acks.includes(garbled), 'the server’s ack');
  assert.equal(
    sim.inbox(ALICE).some((m) => m.message_id === garbled),
    false,
    'not in Alice’s inbox',
  );

  // A readable message after it: once its receipt is back, one for the garbled message would have come first.
  const sent = await client.sock!.sendMessage(jidOf(ALICE), { text: 'this one is readable' });
  const readable = sent!.key.id!;
  await eventually(() => receipts.includes(readable), 'the receipt of the readable message');
  assert.equal(sim.inbox(ALICE).find((m) => m.message_id === readable)?.text, 'this one is readable');
  assert.equal(receipts.includes(garbled), false, 'no receipt for what Alice could not read');
});

/** A `<message>` to `to` carrying the given `<to>` copies, as a linked device sends one. */
function messageNode(id: string, to: string, copies: Array<{ jid: string; type: string; ciphertext: Uint8Array }>) {
  return {
    tag: 'message',
    attrs: { id, to, type: 'text' },
    content: [
      {
        tag: 'participants',
        attrs: {},
        content: copies.map((c) => ({
          tag: 'to',
          attrs: { jid: c.jid },
          content: [{ tag: 'enc', attrs: { v: '2', type: c.type }, content: c.ciphertext }],
        })),
      },
    ],
  };
}

test('a readable copy counts only for the device it is addressed to: not for another contact, not for a device the contact does not have', async (t) => {
  const { sim, client } = await startRig(t);
  client.connect();
  await sim.scan(await client.waitForQr());
  await client.waitForOpen();
  const sock = client.sock!;
  const acks = framesSeen(client, 'ack,class:message');
  const receipts = framesSeen(client, 'receipt');
  await sock.assertSessions([jidOf(ALICE), jidOf(BOB)], true);
  const encryptFor = async (jid: string, text: string) =>
    sock.signalRepository.encryptMessage({ jid, data: encodeWAMessage({ conversation: text }) });

  // To Alice, but the only copy that decrypts is Bob's: Alice's phone has nothing it can read. The copies for a
  // malformed address and for someone not on WhatsApp are dropped, as the server drops them, and the rest still acked.
  const forBob = await encryptFor(jidOf(BOB), 'a copy for Bob');
  await sock.sendNode(
    messageNode('TOALICEFORBOB1', jidOf(ALICE), [
      { jid: jidOf(ALICE), type: 'msg', ciphertext: randomBytes(80) },
      { jid: 'not-an-address', type: 'msg', ciphertext: randomBytes(80) },
      { jid: jidOf('19990000001'), type: 'msg', ciphertext: randomBytes(80) },
      { jid: jidOf(BOB), ...forBob },
    ]),
  );
  // To Alice, encrypted for her phone but addressed to a second device of hers that does not exist.
  const forAlice = await encryptFor(jidOf(ALICE), 'a copy for a device Alice does not have');
  await sock.sendNode(messageNode('TOALICEDEVICE1', jidOf(ALICE), [{ jid: `${ALICE}:1@s.whatsapp.net`, ...forAlice }]));
  await eventually(() => acks.includes('TOALICEFORBOB1') && acks.includes('TOALICEDEVICE1'), 'the server’s acks');
  assert.deepEqual(
    sim.inbox(ALICE).map((m) => m.text),
    [],
    'Alice read neither',
  );
  assert.deepEqual(
    sim.inbox(BOB).map((m) => m.text),
    [],
    'nor did Bob: the message was not to him',
  );

  // A readable message after them: once its receipt is back, any for the two above would have come first.
  const sent = await sock.sendMessage(jidOf(ALICE), { text: 'this one is for Alice' });
  await eventually(() => receipts.includes(sent!.key.id!), 'the receipt of the readable message');
  assert.deepEqual(
    sim.inbox(ALICE).map((m) => m.text),
    ['this one is for Alice'],
  );
  assert.deepEqual(
    receipts.filter((id) => id.startsWith('TOALICE')),
    [],
    'no receipt for either',
  );
});

test('a companion whose pair-device-sign does not verify is refused and not linked', async (t) => {
  const { sim, client } = await startRig(t);
  client.connect();
  const qr = await client.waitForQr();
  const mark = client.mark();
  // Baileys signs its device identity with this key at pair-success: another key makes a signature that cannot verify.
  const creds = client.auth.creds as { signedIdentityKey: { public: Uint8Array; private: Uint8Array } };
  creds.signedIdentityKey = { public: creds.signedIdentityKey.public, private: randomBytes(32) };
  await assert.rejects(sim.scan(qr), /pair-device-sign did not verify/);
  assert.deepEqual(sim.phone().linked_devices, [], 'no linked device');
  // The server's <failure reason="401">: Baileys reports it as logged out, so the app shows a refusal, not a retry.
  assert.equal(await client.waitForClose(mark), 401);
});
