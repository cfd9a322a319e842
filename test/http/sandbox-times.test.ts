import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../server/logger.ts';
import { createStandaloneSandboxApp } from '../../server/http/routes/sandbox.ts';
import { nowSeconds } from '../../server/contract/time.ts';
import type { Simulator } from '../../server/sandbox/simulator.ts';
import type { BaileysTestClient } from '../support/baileys-client.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { startPairedSimulator } from '../support/paired-simulator.ts';
import { suiteScope } from '../support/scope.ts';
import { eventually } from '../support/waits.ts';

const FAMILY = '120363000000000001@g.us';
const jid = (n: string) => `${n}@s.whatsapp.net`;
/** The names the time rule gives a moment (server/contract/time.ts). */
const TIME_KEY = /^(at|timestamp|since|until|.+_at)$/;

/** Every number under a time's name in `value`, by its path ("data.refused.0.at"). */
function timesIn(value: unknown, path = ''): [string, number][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => timesIn(v, `${path}.${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]): [string, number][] =>
    TIME_KEY.test(key) && typeof v === 'number' ? [[`${path}.${key}`, v]] : timesIn(v, `${path}.${key}`),
  );
}

describe('the sandbox control API says every time in Unix seconds', () => {
  const scope = suiteScope();
  let sim: Simulator;
  let client: BaileysTestClient;
  let started: number;

  before(async () => {
    started = nowSeconds();
    ({ sim, client } = await startPairedSimulator(scope, {
      http: (s) => createStandaloneSandboxApp(s, { host: '127.0.0.1', logger: silentLogger() }),
    }));
  });

  const get = async (path: string) => {
    const res = await fetch(`${sim.httpUrl}/sandbox${path}`);
    assert.equal(res.status, 200, path);
    return (await res.json()) as { data: unknown };
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.httpUrl}/sandbox${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return (await res.json()) as { data: unknown };
  };

  test('every answer with a time: linked devices, inboxes and their frames, refusals, the lock and the cap', async () => {
    // Something for every time the control API can say.
    const sock = client.sock!;
    await sock.sendPresenceUpdate('available');
    await sock.sendPresenceUpdate('composing', jid(ALICE));
    const toAlice = (await sock.sendMessage(jid(ALICE), { text: 'typed first' }))!.key.id!;
    await sock.sendPresenceUpdate('unavailable');
    const toFamily = (await sock.sendMessage(FAMILY, { text: 'hello family' }))!.key.id!;
    sim.rejectMessages(BOB, 479);
    const toBob = (await sock.sendMessage(jid(BOB), { text: 'refused' }))!.key.id!;
    await eventually(() => sim.inbox(ALICE).find((e) => e.message_id === toAlice && e.after.length > 0), 'Alice');
    await eventually(() => sim.groupInbox(FAMILY).find((e) => e.message_id === toFamily), 'the group');
    await eventually(() => sim.standing().refused.find((r) => r.message_id === toBob), 'the refusal');
    const lockEnds = nowSeconds() + 3600;
    const cycleEnds = nowSeconds() + 86_400;

    const answers = [
      await post('/phone/reachout-timelock', { active: true, until: lockEnds }),
      await post('/phone/message-capping', { status: 'FIRST_WARNING', used: 1, quota: 50, cycle_ends_at: cycleEnds }),
      await get('/phone'),
      await get('/phone/standing'),
      await get('/contacts'),
      await get(`/contacts/${ALICE}/inbox`),
      await get('/groups'),
      await get(`/groups/${FAMILY}/inbox`),
    ];
    const ended = nowSeconds();

    const times = answers.flatMap((answer, i) => timesIn(answer.data, String(i)));
    // Each kind of time was there to be checked (a test that checks nothing would pass).
    const said = new Set(times.map(([path]) => path.replace(/^\d+/, '').replace(/\.\d+/g, '.n')));
    for (const name of [
      '.reachout_timelock.until',
      '.message_capping.cycle_ends_at',
      '.refused.n.at',
      '.linked_devices.n.linked_at',
      '.n.timestamp',
      '.n.before.n.at',
      '.n.after.n.at',
    ])
      assert.ok(said.has(name), `${name} among ${[...said].join(', ')}`);
    for (const [path, value] of times) {
      assert.ok(Number.isInteger(value), `${path} = ${value}: whole seconds`);
      // A time in ms would be a thousand times past these bounds.
      assert.ok(value >= started - 1 && value <= ended + 86_400 + 1, `${path} = ${value}: Unix seconds`);
    }
    const standing = answers[3]!.data as { reachout_timelock: { until: number }; message_capping: object };
    assert.equal(standing.reachout_timelock.until, lockEnds, 'an end is said as it was given');
    assert.deepEqual(standing.message_capping, {
      status: 'FIRST_WARNING',
      used: 1,
      quota: 50,
      cycle_ends_at: cycleEnds,
    });
  });
});
