import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../server/store/database.ts';
import { tempDatabase } from '../support/temp-database.ts';
import { runCommand } from '../../server/cli/fail.ts';
import { webhooksCommand } from '../../server/cli/webhooks.ts';
import { createWebhookStore } from '../../server/webhooks/webhook-store.ts';

let db: Database;

before((t) => {
  db = tempDatabase(t).db;
});

/** Runs the command as `wagate webhooks` does and returns what it printed, and its exit code. */
async function run(
  args: string[],
  flags: { events?: string } = {},
): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  let code: number;
  try {
    code = await runCommand(() => webhooksCommand(db, args, flags));
  } finally {
    console.log = log;
    console.error = error;
  }
  return { out: out.join('\n'), err: err.join('\n'), code };
}

test('add prints the secret once on stdout; list shows the webhook without it; remove deletes it', async () => {
  const added = await run(['add', 'http://127.0.0.1:3000/hook'], { events: 'message.received,message.status' });
  assert.equal(added.code, 0);
  assert.match(added.out, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.match(
    added.err,
    /Created webhook wh_[0-9a-f]{12} for http:\/\/127\.0\.0\.1:3000\/hook \(message\.received, message\.status\)/,
  );
  assert.match(added.err, /not shown again/);
  assert.match(added.err, /signed as Standard Webhooks says/);

  const listed = await run(['list']);
  const today = new Date().toISOString().slice(0, 10);
  assert.ok(listed.out.includes(`created ${today} `), 'the record says seconds; the list says the date');
  assert.match(
    listed.out,
    /^wh_[0-9a-f]{12} {2}http:\/\/127\.0\.0\.1:3000\/hook {2}message\.received,message\.status {2}active {2}0 waiting/,
  );
  assert.equal(listed.out.includes(added.out), false, 'the secret is not listed');

  const id = listed.out.split(' ')[0]!;
  assert.match((await run(['remove', id])).out, new RegExp(`Removed ${id}`));
  assert.match((await run(['list'])).out, /No webhooks yet/);
});

test('resume unpauses a paused webhook', async () => {
  const store = createWebhookStore(db);
  const { webhook } = store.add({ url: 'https://example.com/x' });
  store.pause(webhook.id, 'failing');
  assert.match((await run(['list'])).out, /paused \(failing\)/);
  assert.equal((await run(['resume', webhook.id])).code, 0);
  assert.equal(store.get(webhook.id)!.status, 'active');
  store.remove(webhook.id);
});

test('bad input says what is wrong and exits 2', async () => {
  const cases: Array<[string[], { events?: string }, RegExp]> = [
    [['add'], {}, /usage: wagate webhooks add URL/],
    [['add', 'ftp://x/y'], {}, /http:\/\/ or https:\/\//],
    [['add', 'http://a:b@localhost/'], {}, /user name or password/],
    [['add', 'http://localhost/'], { events: 'message.exploded' }, /unknown event type "message\.exploded"/],
    [['add', 'http://localhost/'], { events: ',' }, /at least one/],
    [['remove'], {}, /usage: wagate webhooks remove ID/],
    [['remove', 'wh_nope'], {}, /no webhook with id wh_nope/],
    [['frobnicate'], {}, /usage/],
    [[], {}, /usage/],
  ];
  for (const [args, flags, error] of cases) {
    const result = await run(args, flags);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.err, error, args.join(' '));
    assert.equal(result.out, '');
  }
  assert.match((await run(['list'])).out, /No webhooks yet/, 'nothing was added');
});
