import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../server/logger.ts';
import { startSimulator, type Simulator } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { BaileysTestClient } from '../support/baileys-client.ts';
import { DANA } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';

describe('sandbox: LID-migrated contacts', () => {
  let dir: string;
  let sim: Simulator;
  let client: BaileysTestClient;
  let danaLid: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wagate-sandbox-lid-'));
    sim = await startSimulator({ dataDir: dir, logger: silentLogger() });
    trustSimulatorRoot(sim.rootPublicKey);
    client = new BaileysTestClient(sim.wsUrl);
    client.connect();
    await sim.scan(await client.waitForQr());
    await client.waitForOpen();
    const dana = sim.contacts().find((c) => c.number === DANA)!;
    assert.equal(dana.lid_migrated, true);
    danaLid = dana.lid!;
  });
  after(async () => {
    await client.end();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('her number is on WhatsApp and maps to her LID', async () => {
    const [found] = (await client.sock!.onWhatsApp(DANA)) ?? [];
    assert.equal(found?.exists, true);
    const lid = await client.sock!.signalRepository.lidMapping.getLIDForPN(`${DANA}@s.whatsapp.net`);
    assert.equal(lid, danaLid);
  });

  test('a message addressed to her phone number is refused with 463 on its ack and never reaches her', async () => {
    const mark = client.mark();
    const sent = await client.sock!.sendMessage(`${DANA}@s.whatsapp.net`, { text: 'to the old address' });
    const id = sent!.key.id!;
    // The error comes as messages.update, or merged into Baileys' still-buffered own upsert (pitfall 7).
    const failed = await eventually(() => {
      for (const e of client.events.filter((x) => x.seq >= mark)) {
        if (e.name === 'messages.update')
          for (const u of e.data) if (u.key.id === id && u.update.status === 0) return u.update;
        if (e.name === 'messages.upsert')
          for (const m of e.data.messages) if (m.key.id === id && (m.status === 0 || m.status === 'ERROR')) return m;
      }
      return undefined;
    }, 'the refusal');
    assert.equal(failed.messageStubParameters?.[0], '463');
    assert.equal(
      sim.inbox(DANA).find((e) => e.message_id === id),
      undefined,
    );
  });

  test('a message addressed to her LID reaches her and is delivered', async () => {
    const sent = await client.sock!.sendMessage(danaLid, { text: 'to the LID' });
    const id = sent!.key.id!;
    const entry = await eventually(() => sim.inbox(DANA).find((e) => e.message_id === id), 'the inbox entry');
    assert.equal(entry.text, 'to the LID');
    await eventually(() => sim.inbox(DANA).find((e) => e.message_id === id)?.delivered, 'delivered');
  });

  test('her messages come from her LID with her phone number as remoteJidAlt', async () => {
    const mark = client.mark();
    const { message_id } = await sim.sendFromContact(DANA, { text: 'hi from my LID' });
    const up = await client.waitFor('messages.upsert', (u) => u.messages.some((m: any) => m.key.id === message_id), {
      since: mark,
    });
    const m = up.messages.find((x: any) => x.key.id === message_id);
    assert.equal(m.key.remoteJid, danaLid);
    assert.equal(m.key.remoteJidAlt, `${DANA}@s.whatsapp.net`);
    assert.equal(m.message?.conversation, 'hi from my LID');
  });
});
