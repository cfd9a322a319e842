import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { silentLogger } from '../../server/logger.ts';
import { startSimulator, type Simulator } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { BaileysTestClient } from '../support/baileys-client.ts';
import { ALICE, jidOf } from '../support/contacts.ts';
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

test('a companion whose pair-device-sign does not verify is refused and not linked', async (t) => {
  const { sim, client } = await startRig(t);
  client.connect();
  const qr = await client.waitForQr();
  // Baileys signs its device identity with this key at pair-success: another key makes a signature that cannot verify.
  const creds = client.auth.creds as { signedIdentityKey: { public: Uint8Array; private: Uint8Array } };
  creds.signedIdentityKey = { public: creds.signedIdentityKey.public, private: randomBytes(32) };
  await assert.rejects(sim.scan(qr), /pair-device-sign did not verify/);
  assert.deepEqual(sim.phone().linked_devices, [], 'no linked device');
});
