import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { S_WHATSAPP_NET, type BinaryNode } from '@whiskeysockets/baileys';
import type { Simulator } from '../../server/sandbox/simulator.ts';
import type { BaileysTestClient } from '../support/baileys-client.ts';
import { ALICE } from '../support/contacts.ts';
import { suiteScope } from '../support/scope.ts';
import { startPairedSimulator } from '../support/paired-simulator.ts';

/** What the server does to streams that are not kept well: unacked stanzas, silence, unanswered pings, stream errors. */
describe('sandbox: stream health', () => {
  const scope = suiteScope();
  let sim: Simulator;
  let client: BaileysTestClient;
  before(async () => {
    ({ sim, client } = await startPairedSimulator(scope));
  });

  /** A fresh login after the previous stream ended. */
  async function reconnect(): Promise<void> {
    const mark = client.mark();
    client.connect();
    await client.waitForOpen(mark);
  }

  const ping = (timeoutMs = 1000) =>
    client.sock!.query(
      { tag: 'iq', attrs: { to: S_WHATSAPP_NET, type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] },
      timeoutMs,
    );

  test('a <status> acknowledged in time keeps the stream; one left unacked recycles it with <stream:error><ack>', async () => {
    const statuses: BinaryNode[] = [];
    const acked = new Set<string>();
    client.sock!.ws.on('CB:status', (n: BinaryNode) => {
      statuses.push(n);
      if (acked.size === 0) {
        acked.add(n.attrs.id!);
        void client.sock!.sendMessageAck(n);
      }
    });
    const first = sim.sendStatus(ALICE, { text: 'at the gym', ack_within_ms: 200 });
    assert.equal(first.sent_to, 1);
    const mark = client.mark();
    const second = sim.sendStatus(ALICE, { text: 'sleeping', ack_within_ms: 200 });
    const closed = await client.waitFor('connection.update', (u) => u.connection === 'close', { since: mark });
    const error = closed.lastDisconnect.error;
    assert.equal(error.output.statusCode, 500);
    assert.equal(error.data.tag, 'ack');
    assert.equal(error.data.attrs.id, second.status_id, 'the unacked one, not the acked one');
    assert.deepEqual(
      statuses.map((s) => [s.attrs.from, Buffer.from(s.content as Uint8Array).toString()]),
      [
        [`${ALICE}@s.whatsapp.net`, 'at the gym'],
        [`${ALICE}@s.whatsapp.net`, 'sleeping'],
      ],
    );
    assert.ok(acked.has(first.status_id));
    await reconnect();
  });

  test('unanswered pings: the keep-alive gets no answer while other queries still do', async () => {
    await ping();
    sim.fault({ kind: 'ignore_pings' });
    await assert.rejects(ping(), /Timed Out/i);
    const [alice] = (await client.sock!.onWhatsApp(ALICE)) ?? [];
    assert.equal(alice?.exists, true);
    client.sock!.end(undefined);
    await reconnect();
    await ping();
  });

  test('silent (half-open): nothing is answered and the connection is not closed', async () => {
    sim.fault({ kind: 'silent' });
    await assert.rejects(ping(), /Timed Out/i);
    assert.equal(client.sock!.ws.isOpen, true, 'the socket still looks open');
    client.sock!.end(undefined);
    await reconnect();
    await ping();
  });

  for (const [code, status] of [
    ['conflict', 440],
    ['ack', 500],
    ['515', 515],
    ['428', 428],
    ['408', 408],
    ['500', 500],
  ] as const) {
    test(`stream error ${code}: the client closes with ${status}`, async () => {
      const mark = client.mark();
      sim.fault({ kind: 'stream_error', code });
      const closed = await client.waitFor('connection.update', (u) => u.connection === 'close', { since: mark });
      assert.equal(closed.lastDisconnect.error.output.statusCode, status);
      // The test client reconnects by itself after a 515 (restart required), as Baileys expects of an app.
      if (status === 515) await client.waitForOpen(mark);
      else await reconnect();
    });
  }
});
