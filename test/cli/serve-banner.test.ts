import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWagate, tryWagate } from '../support/wagate-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { eventually } from '../support/waits.ts';

const KEY = /API key \(shown once, keep it\): (wg_\S+)/;
const API = /API: (http:\S+)/;

async function scan(api: string, key: string): Promise<void> {
  await eventually(async () => {
    const res = await fetch(`${api}/sandbox/phone/scan`, { method: 'POST', headers: { authorization: key } });
    return res.status === 200;
  }, 'the virtual phone scanning the QR');
  await eventually(async () => {
    const res = await fetch(`${api}/session`, { headers: { authorization: key } });
    return ((await res.json()) as { data: { state: string } }).data.state === 'connected';
  }, 'the link to open');
}

test('the sandbox banner tells a newcomer the truth: not linked and a key the first time; linked and how to make a key later', async (t) => {
  const dataDir = tempDir(t);
  const first = await startWagate(
    ['serve', '--sandbox', '--port', '0', '--data-dir', dataDir],
    [API, KEY, /Pair the virtual phone: +(curl -X POST \S+\/sandbox\/phone\/scan -H "Authorization: wg_\S+")/],
  );
  const [api, key] = first.found as [string, string];
  assert.match(first.running.output(), /\nNot linked yet\.\n/);
  assert.doesNotMatch(first.running.output(), /Linked to the virtual phone/);
  await scan(api, key);
  await first.running.stop();

  const again = await startWagate(
    ['serve', '--sandbox', '--port', '0', '--data-dir', dataDir],
    [/(Linked to the virtual phone\.)/, /(npx wagate keys create NAME --sandbox)/],
  );
  t.after(() => again.running.stop());
  assert.doesNotMatch(again.running.output(), /API key \(shown once/, 'no second key on a later run');
  assert.doesNotMatch(again.running.output(), /Pair the virtual phone/);
});

test('`wagate dashboard` finds the running server whichever mode it runs in, and says plainly when none runs', async (t) => {
  const dataDir = tempDir(t);
  const { running, found } = await startWagate(['serve', '--sandbox', '--port', '0', '--data-dir', dataDir], [API]);
  t.after(() => running.stop());

  const link = tryWagate(['dashboard', '--data-dir', dataDir]);
  assert.equal(link.code, 0, link.stderr);
  assert.match(link.stdout.trim(), new RegExp(`^${found[0]}/admin/login\\?token=\\S+$`));
  const login = await fetch(link.stdout.trim(), { redirect: 'manual' });
  assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly/i, 'the link opens the sandbox server’s dashboard');

  await running.stop();
  const none = tryWagate(['dashboard', '--data-dir', dataDir]);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /WaGate is not running: start it with `npm run serve`/);
});

test('a server.json left by a killed server does not count as running', (t) => {
  const dataDir = tempDir(t);
  writeFileSync(join(dataDir, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:1', pid: 2 ** 22 + 1 }));
  const none = tryWagate(['dashboard', '--data-dir', dataDir]);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /WaGate is not running/);
});
