import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWagate, startWagate, type Running } from '../support/wagate-process.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';
import { connected, json, pair, type Target } from '../support/wagate-api.ts';

interface Answer {
  chat: string;
  text: string;
  status: number | 'no answer';
  id?: string;
}

/** Each chat's messages one after another (so their order is the order asked), both chats at once; kill after `killAfter` 200s. */
async function burst(target: Target, running: Running, killAfter: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let ok = 0;
  const chat = async (number: string) => {
    for (let i = 0; i < 20; i++) {
      const text = `${number} burst #${i}`;
      try {
        const res = await json(`${target.api}/chats/${number}/messages`, {
          method: 'POST',
          headers: { authorization: target.key, 'content-type': 'application/json' },
          body: JSON.stringify({ text, typing_simulation: false, presence_simulation: false }),
        });
        answers.push({ chat: number, text, status: res.status, id: res.body.data?.message_id });
        if (res.status === 200 && ++ok === killAfter) void running.kill();
      } catch {
        answers.push({ chat: number, text, status: 'no answer' });
        return; // the process is gone
      }
    }
  };
  await Promise.all([chat(ALICE), chat(BOB)]);
  return answers;
}

/** After the restart: the outbox drains, then every 200 is in the inbox exactly once, in the order asked. */
async function assertDelivered(target: Target, answers: Answer[]): Promise<void> {
  await eventually(
    async () => (await json(`${target.api}/outbox`, { headers: { authorization: target.key } })).body.data.length === 0,
    'the outbox drained after the restart',
    30_000,
  );
  assert.ok(answers.some((a) => a.status === 200) && answers.some((a) => a.status === 'no answer'), 'killed mid-burst');
  for (const a of answers) assert.ok([200, 'no answer'].includes(a.status), JSON.stringify(a));
  for (const chat of [ALICE, BOB]) {
    const inbox = (await json(`${target.control}/contacts/${chat}/inbox`, { headers: target.controlHeaders })).body
      .data as Array<{ message_id: string; text: string }>;
    const texts = inbox.map((m) => m.text).filter((t) => t.includes('burst'));
    assert.equal(new Set(texts).size, texts.length, `no text twice at ${chat}: ${texts.join(' | ')}`);
    const acked = answers.filter((a) => a.chat === chat && a.status === 200);
    for (const a of acked)
      assert.equal(inbox.filter((m) => m.message_id === a.id).length, 1, `${a.text} (answered 200) delivered once`);
    const asked = answers.filter((a) => a.chat === chat).map((a) => a.text);
    assert.deepEqual(
      texts,
      asked.filter((t) => texts.includes(t)),
      'in the order they were asked for',
    );
  }
}

test('kill -9 of `wagate serve --sandbox` mid-burst: after a restart every 200 is delivered exactly once, in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wagate-kill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const args = ['serve', '--sandbox', '--port', '0', '--data-dir', dir];
  const first = await startWagate(args, [/^API: (\S+)$/m, /^API key \(shown once[^)]*\): (\S+)$/m]);
  t.after(() => first.running.stop());
  const [api, key] = first.found as [string, string];
  const target: Target = { api, key, control: `${api}/sandbox`, controlHeaders: { authorization: key } };
  await pair(target);
  const answers = await burst(target, first.running, 6);
  await first.running.stop();

  const second = await startWagate(args, [/^API: (\S+)$/m]);
  t.after(() => second.running.stop());
  const again: Target = { ...target, api: second.found[0]!, control: `${second.found[0]!}/sandbox` };
  await connected(again);
  await assertDelivered(again, answers);
});

test('kill -9 of `wagate serve --wa-url` against an external `wagate sandbox`: every 200 delivered exactly once, in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wagate-kill-ext-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sim = await startWagate(
    ['sandbox', '--port', '0', '--data-dir', join(dir, 'sim')],
    [/^WhatsApp simulator: (\S+)$/m, /^Root public key: (\S+)$/m, /^Control API: (\S+)\/sandbox\/phone$/m],
  );
  t.after(() => sim.running.stop());
  const [wsUrl, rootKey, control] = sim.found as [string, string, string];
  const args = ['serve', '--port', '0', '--data-dir', join(dir, 'app'), '--wa-url', wsUrl, '--wa-root-key', rootKey];
  const first = await startWagate(args, [/^API: (\S+)$/m]);
  t.after(() => first.running.stop());
  const key = runWagate(['keys', 'create', 'kill', '--sandbox', '--data-dir', join(dir, 'app')]).trim();
  const target: Target = { api: first.found[0]!, key, control: `${control}/sandbox`, controlHeaders: {} };
  await pair(target);
  const answers = await burst(target, first.running, 6);
  await first.running.stop();

  const second = await startWagate(args, [/^API: (\S+)$/m]);
  t.after(() => second.running.stop());
  const again: Target = { ...target, api: second.found[0]! };
  await connected(again);
  await assertDelivered(again, answers);
});
