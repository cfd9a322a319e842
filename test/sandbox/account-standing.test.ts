import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../server/logger.ts';
import { createStandaloneSandboxApp } from '../../server/http/routes/sandbox.ts';
import { startSimulator, type Simulator } from '../../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../../server/whatsapp/trust-root.ts';
import { BaileysTestClient } from '../support/baileys-client.ts';
import { ALICE } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';
import { nowSeconds } from '../../server/contract/time.ts';

const jid = (n: string) => `${n}@s.whatsapp.net`;

describe('sandbox: the account’s standing, as the real server tells Baileys', () => {
  let dir: string;
  let sim: Simulator;
  let client: BaileysTestClient;
  let contactCount = 0;
  /** A contact nobody has written to or heard from yet. */
  const newContact = (name: string) =>
    sim.addContact({ number: `1555777${String(++contactCount).padStart(4, '0')}`, name, on_whatsapp: true }).number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wagate-standing-'));
    sim = await startSimulator({
      dataDir: dir,
      logger: silentLogger(),
      http: (s) => createStandaloneSandboxApp(s, { host: '127.0.0.1', logger: silentLogger() }),
    });
    trustSimulatorRoot(sim.rootPublicKey);
    client = new BaileysTestClient(sim.wsUrl);
    client.connect();
    await sim.scan(await client.waitForQr());
    await client.waitForOpen();
  });
  after(async () => {
    await client.end();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Sends a text and waits for the server's ack to mark it failed (status ERROR) with the code Baileys read off it:
   * as messages.update, or merged into the own upsert Baileys still buffers (pitfall 7).
   */
  async function sendRefused(to: string): Promise<{ id: string; params: string[] }> {
    const mark = client.mark();
    const sent = await client.sock!.sendMessage(jid(to), { text: `to ${to}` });
    const id = sent!.key.id!;
    const failed = (m: any) => m.key.id === id && (m.status === 0 || m.status === 'ERROR' || m.update?.status === 0);
    const found = await Promise.race([
      client.waitFor('messages.update', (list) => list.some(failed), { since: mark }),
      client.waitFor('messages.upsert', (u) => u.messages.some(failed), { since: mark }),
    ]);
    const hit = (Array.isArray(found) ? found : found.messages).find(failed);
    return { id, params: hit.messageStubParameters ?? hit.update.messageStubParameters };
  }

  for (const code of [463, 479] as const) {
    test(`a number the server refuses with ${code}: the ack carries the error and the contact never gets it`, async () => {
      const number = newContact(`Refuses ${code}`);
      assert.deepEqual(sim.rejectMessages(number, code).rejections[number], code);
      const { id, params } = await sendRefused(number);
      assert.equal(params[0], String(code));
      assert.equal(
        sim.inbox(number).find((e) => e.message_id === id),
        undefined,
      );
    });
  }

  test('taking the refusal back lets the next message through', async () => {
    const number = newContact('Forgiven');
    sim.rejectMessages(number, 463);
    await sendRefused(number);
    sim.rejectMessages(number, null);
    const sent = await client.sock!.sendMessage(jid(number), { text: 'again' });
    await eventually(() => sim.inbox(number).find((e) => e.message_id === sent!.key.id), 'the message delivered');
  });

  test('a reach-out time lock: the notification reaches Baileys as connection.update, the query answers it', async () => {
    const until = nowSeconds() + 3600;
    const mark = client.mark();
    assert.equal(sim.setReachoutTimelock({ active: true, until }).reachout_timelock.until, until);
    const update = await client.waitFor('connection.update', (u) => u.reachoutTimeLock !== undefined, { since: mark });
    assert.equal(update.reachoutTimeLock.isActive, true);
    assert.equal(update.reachoutTimeLock.timeEnforcementEnds.getTime(), until * 1000);
    const fetched = await client.sock!.fetchAccountReachoutTimelock();
    assert.equal(fetched.isActive, true);
    assert.equal(fetched.timeEnforcementEnds?.getTime(), until * 1000);
  });

  test('while the lock is on, a new chat is refused with 463 and an existing one still gets its messages', async () => {
    const stranger = newContact('Stranger');
    const { params } = await sendRefused(stranger);
    assert.deepEqual(params.slice(0, 1), ['463']);
    await sim.sendFromContact(ALICE, { text: 'we know each other' });
    const sent = await client.sock!.sendMessage(jid(ALICE), { text: 'still allowed' });
    await eventually(() => sim.inbox(ALICE).find((e) => e.message_id === sent!.key.id), 'the message to Alice');
  });

  test('lifting the lock: Baileys hears it is no longer active', async () => {
    const mark = client.mark();
    sim.setReachoutTimelock({ active: false });
    const update = await client.waitFor('connection.update', (u) => u.reachoutTimeLock !== undefined, { since: mark });
    assert.equal(update.reachoutTimeLock.isActive, false);
    assert.equal((await client.sock!.fetchAccountReachoutTimelock()).isActive, false);
    assert.equal(sim.standing().reachout_timelock.active, false);
  });

  test('a message-capping update reaches Baileys as message-capping.update, the query answers it', async () => {
    const cycleEnds = nowSeconds() + 86_400;
    const mark = client.mark();
    const capping = { status: 'FIRST_WARNING', used: 40, quota: 50, cycle_ends_at: cycleEnds } as const;
    assert.deepEqual(sim.setMessageCapping(capping).message_capping, capping);
    const payload = await client.waitFor('message-capping.update', () => true, { since: mark });
    assert.equal(payload.capping_status, 'FIRST_WARNING');
    assert.equal(payload.used_quota, 40);
    assert.equal(payload.total_quota, 50);
    assert.equal(payload.cycle_end_timestamp, String(cycleEnds));
    const fetched = (await client.sock!.fetchNewChatMessageCap()) as { capping_status: string; used_quota: number };
    assert.equal(fetched.capping_status, 'FIRST_WARNING');
    assert.equal(fetched.used_quota, 40);
  });

  test('the control API: each setting, and a specific 4xx for what makes no sense', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${sim.httpUrl}/sandbox${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const number = newContact('Controlled');
    assert.equal((await post(`/contacts/${number}/rejection`, { error: 479 })).body.data.rejections[number], 479);
    assert.equal((await post(`/contacts/${number}/rejection`, { error: 500 })).status, 400);
    assert.equal((await post('/contacts/19999999999/rejection', { error: 463 })).status, 404);
    assert.equal((await post('/phone/reachout-timelock', { active: true, until: nowSeconds() - 1 })).status, 400);
    // A time in milliseconds is refused, not read as a date thousands of years away.
    const inMs = await post('/phone/reachout-timelock', { active: true, until: Date.now() + 60_000 });
    assert.equal(inMs.status, 400);
    assert.match(inMs.body.error, /seconds, not milliseconds/);
    const cappedMs = { status: 'FIRST_WARNING', used: 1, quota: 50, cycle_ends_at: Date.now() + 60_000 };
    assert.equal((await post('/phone/message-capping', cappedMs)).status, 400);
    const before = nowSeconds();
    const locked = await post('/phone/reachout-timelock', { active: true });
    assert.equal(locked.status, 200);
    assert.equal(locked.body.data.reachout_timelock.active, true);
    // WhatsApp Web's default end, a minute on, in Unix seconds (an end rounds up).
    const until = locked.body.data.reachout_timelock.until;
    assert.ok(until >= before + 60 && until <= nowSeconds() + 61, `until ${until} is a minute from ${before}`);
    assert.equal((await post('/phone/reachout-timelock', { active: false })).body.data.reachout_timelock.active, false);
    assert.equal((await post('/phone/message-capping', { status: 'CAPPED', used: 60, quota: 50 })).status, 400);
    assert.equal((await post('/phone/message-capping', { status: 'SOMETIMES', used: 1, quota: 50 })).status, 400);
    const standing = await (await fetch(`${sim.httpUrl}/sandbox/phone/standing`)).json();
    assert.equal(standing.data.rejections[number], 479);
  });

  test('the standing survives a restart of the simulator', async () => {
    const number = newContact('Remembered');
    sim.rejectMessages(number, 479);
    await client.end();
    await sim.close();
    sim = await startSimulator({
      dataDir: dir,
      logger: silentLogger(),
      http: (s) => createStandaloneSandboxApp(s, { host: '127.0.0.1', logger: silentLogger() }),
    });
    const standing = sim.standing();
    assert.equal(standing.rejections[number], 479);
    assert.equal(standing.message_capping?.status, 'FIRST_WARNING');
  });
});
