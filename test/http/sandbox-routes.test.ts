import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { silentLogger } from '../../server/logger.ts';
import { createSandboxRouter, createStandaloneSandboxApp } from '../../server/http/routes/sandbox.ts';
import { startSimulator, type Simulator } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { BaileysTestClient } from '../support/baileys-client.ts';
import { eventually } from '../support/waits.ts';

async function call(base: string, method: string, path: string, body?: unknown, raw?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {},
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe('sandbox control API', () => {
  let dir: string;
  let sim: Simulator;
  let client: BaileysTestClient;
  let base: string;
  let mounted: Server;
  let mountedBase: string;
  let currentQr: string | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wagate-sandbox-api-'));
    sim = await startSimulator({
      dataDir: dir,
      logger: silentLogger(),
      http: (s) => createStandaloneSandboxApp(s, { host: '127.0.0.1', logger: silentLogger() }),
    });
    trustSimulatorRoot(sim.rootPublicKey);
    base = `${sim.httpUrl}/sandbox`;
    client = new BaileysTestClient(sim.wsUrl);
    // The router mounted elsewhere (as WaGate does under its own /sandbox), with a currentQr source.
    const app = express();
    app.use('/somewhere/else', createSandboxRouter(sim, { logger: silentLogger(), currentQr: () => currentQr }));
    mounted = app.listen(0, '127.0.0.1');
    await new Promise((r) => mounted.once('listening', r));
    mountedBase = `http://127.0.0.1:${(mounted.address() as AddressInfo).port}/somewhere/else`;
  });
  after(async () => {
    await client.end();
    await sim.close();
    await new Promise((r) => mounted.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  test('GET /phone and /contacts show the seed', async () => {
    const phone = await call(base, 'GET', '/phone');
    assert.equal(phone.status, 200);
    assert.equal(phone.json.status, true);
    assert.equal(phone.json.data.number, '15559990000');
    assert.equal(phone.json.data.name, 'Sandbox Phone');
    assert.deepEqual(phone.json.data.linked_devices, []);
    const contacts = await call(base, 'GET', '/contacts');
    const byNumber = Object.fromEntries(contacts.json.data.map((c: any) => [c.number, c]));
    assert.equal(byNumber['15550001111'].name, 'Alice');
    assert.equal(byNumber['15550001111'].on_whatsapp, true);
    assert.equal(byNumber['15550001111'].jid, '15550001111@s.whatsapp.net');
    assert.match(byNumber['15550001111'].lid, /@lid$/);
    assert.equal(byNumber['15550003333'].on_whatsapp, false);
  });

  test('bad input gets specific 4xx answers', async () => {
    assert.equal((await call(base, 'POST', '/contacts', { number: '123', name: 'x', on_whatsapp: true })).status, 400);
    assert.equal((await call(base, 'POST', '/contacts', { number: '15550005555' })).status, 400);
    assert.equal((await call(base, 'POST', '/contacts', undefined, '{not json')).status, 400);
    assert.equal((await call(base, 'GET', '/contacts/19998887777/inbox')).status, 404);
    assert.equal((await call(base, 'POST', '/faults', { kind: 'explode' })).status, 400);
    assert.equal((await call(base, 'POST', '/faults', { kind: 'hold_acks', count: 0 })).status, 400);
    assert.equal((await call(base, 'POST', '/faults', { kind: 'hold_acks', delay_ms: -1 })).status, 400);
    assert.equal((await call(base, 'POST', '/phone/scan', {})).status, 409);
    assert.equal((await call(base, 'POST', '/phone/scan', { qr: 'hello' })).status, 400);
    assert.equal((await call(base, 'POST', '/contacts/15550001111/messages', { text: 'x' })).status, 409); // nothing linked yet
    assert.equal((await call(base, 'POST', '/phone/pairing-code', {})).status, 400);
    assert.equal((await call(base, 'POST', '/phone/pairing-code', { code: 'ABC' })).status, 400);
    assert.equal((await call(base, 'POST', '/phone/pairing-code', { code: 'ABCD-EFGH' })).status, 409); // nobody asked for one
    assert.equal((await call(base, 'GET', '/nope')).status, 404);
  });

  test('POST /contacts adds a contact', async () => {
    const res = await call(base, 'POST', '/contacts', { number: '+1 555 000 6666', name: 'Erin', on_whatsapp: true });
    assert.equal(res.status, 201);
    assert.equal(res.json.data.number, '15550006666');
    assert.ok((await call(base, 'GET', '/contacts')).json.data.some((c: any) => c.name === 'Erin'));
  });

  test('scan (with the mounted router’s currentQr), inbox, messages, receipts, unlink through HTTP', async () => {
    client.connect();
    currentQr = await client.waitForQr();
    const scanned = await call(mountedBase, 'POST', '/phone/scan', {});
    assert.equal(scanned.status, 200, JSON.stringify(scanned.json));
    assert.equal(scanned.json.data.linked_devices.length, 1);
    await client.waitForOpen();

    const sent = await client.sock!.sendMessage('15550006666@s.whatsapp.net', { text: 'hi erin' });
    const entry = await eventually(
      async () =>
        (await call(base, 'GET', '/contacts/15550006666/inbox')).json.data.find(
          (x: any) => x.message_id === sent!.key.id,
        ),
      "the message in Erin's inbox",
    );
    assert.equal(entry.text, 'hi erin');

    const mark = client.mark();
    const posted = await call(base, 'POST', '/contacts/15550006666/messages', {
      text: 'hi back',
      reply_to_message_id: sent!.key.id,
    });
    assert.equal(posted.status, 201);
    const up = await client.waitFor(
      'messages.upsert',
      (u) => u.messages.some((m: any) => m.key.id === posted.json.data.message_id),
      { since: mark },
    );
    assert.equal(up.messages[0].message.extendedTextMessage.contextInfo.stanzaId, sent!.key.id);

    assert.equal(
      (await call(base, 'POST', '/contacts/15550006666/receipts', { message_id: sent!.key.id, type: 'read' })).status,
      200,
    );
    assert.equal(
      (await call(base, 'POST', '/contacts/15550006666/receipts', { message_id: 'nope', type: 'read' })).status,
      404,
    );

    const closeMark = client.mark();
    assert.equal((await call(base, 'POST', '/phone/unlink')).status, 200);
    assert.equal(await client.waitForClose(closeMark), 401);
    assert.deepEqual((await call(base, 'GET', '/phone')).json.data.linked_devices, []);
  });

  test('pairing code: a wrong code is refused with 404 and the client stays unpaired; the right one links it', async () => {
    const other = new BaileysTestClient(sim.wsUrl);
    try {
      other.connect();
      await other.waitForQr();
      const code = await other.sock!.requestPairingCode('+1 555 999 0000'.replace(/\D/g, ''));
      const wrong = (code[0] === 'A' ? 'B' : 'A') + code.slice(1);
      const refused = await call(base, 'POST', '/phone/pairing-code', { code: wrong });
      assert.equal(refused.status, 404, JSON.stringify(refused.json));
      assert.equal(refused.json.status, false);
      assert.match(refused.json.error, /no device .* shows this code/);
      assert.equal(other.auth.creds.registered, false);
      assert.equal(other.auth.creds.account, undefined);
      assert.ok(!other.events.some((e) => e.name === 'connection.update' && e.data.connection === 'close'));
      assert.deepEqual((await call(base, 'GET', '/phone')).json.data.linked_devices, []);

      const linked = await call(base, 'POST', '/phone/pairing-code', { code });
      assert.equal(linked.status, 200, JSON.stringify(linked.json));
      assert.equal(linked.json.data.linked_devices.length, 1);
      await other.waitForOpen();
      assert.equal(other.auth.creds.registered, true);
      assert.equal((await call(base, 'POST', '/phone/pairing-code', { code })).status, 409); // used
    } finally {
      await other.end();
    }
  });
});
