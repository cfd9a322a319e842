import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWagate, startWagate, UNREACHABLE_SIMULATOR } from '../support/wagate-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { eventually } from '../support/waits.ts';
import { ALICE } from '../support/contacts.ts';

const HOLD_BAILEYS = new URL('../support/hold-baileys.ts', import.meta.url).href;

test('wagate serve answers before Baileys has loaded: /health and /session say starting, a send waits for the session', async (t) => {
  const dataDir = tempDir(t);
  const hold = tempDir(t);
  const key = runWagate(['keys', 'create', 'start', '--sandbox', '--data-dir', dataDir]).trim();
  const headers = { authorization: key, 'content-type': 'application/json' };
  const { running, found } = await startWagate(
    ['serve', '--port', '0', '--data-dir', dataDir, ...UNREACHABLE_SIMULATOR],
    [/^API: (\S+)$/m],
    20_000,
    { args: ['--import', HOLD_BAILEYS], env: { HOLD_BAILEYS_DIR: hold } },
  );
  // Stopped cleanly at the end; killed if an assertion failed first, while Baileys may still be held.
  t.after(() => running.kill());
  const api = found[0]!;
  await eventually(() => existsSync(join(hold, 'asked')) || undefined, 'the session asking for Baileys');

  const health = await fetch(`${api}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { data: { whatsapp: string } }).data.whatsapp, 'starting');
  const session = (await (await fetch(`${api}/session`, { headers })).json()) as { data: { state: string } };
  assert.equal(session.data.state, 'starting');

  let answered = false;
  const send = fetch(`${api}/chats/${ALICE}/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ text: 'sent while WhatsApp starts' }),
  }).then(async (res) => {
    answered = true;
    return { status: res.status, body: (await res.json()) as unknown };
  });
  // A later request answered proves the server went on; the send still waits for the session.
  assert.equal((await fetch(`${api}/health`)).status, 200);
  assert.equal(answered, false, 'the send waits while the session loads');

  writeFileSync(join(hold, 'release'), '');
  // No phone was ever linked: once the session is there, the send meets what it meets while starting.
  assert.deepEqual(await send, {
    status: 503,
    body: { status: false, code: 503, message: 'Service unavailable', error: 'WhatsApp is not connected' },
  });
  await running.stop();
});

test('wagate serve is listening before it loads Node’s fetch (undici) or TLS, which only later work needs', async (t) => {
  const dataDir = tempDir(t);
  const hold = tempDir(t);
  const { running } = await startWagate(
    ['serve', '--port', '0', '--data-dir', dataDir, ...UNREACHABLE_SIMULATOR],
    [/^API: (\S+)$/m],
    20_000,
    { args: ['--import', HOLD_BAILEYS], env: { HOLD_BAILEYS_DIR: hold } },
  );
  t.after(() => running.kill());
  // Baileys is asked for once the server listens: what Node had loaded by then is the start's cost.
  const builtins = await eventually(() => {
    const asked = join(hold, 'asked');
    return existsSync(asked) ? readFileSync(asked, 'utf8') : undefined;
  }, 'the session asking for Baileys');
  assert.match(builtins, /^NativeModule http$/m, 'the API’s own server is there');
  // Each cost tens of ms of the start: an ESM import of node:http loads undici (server/http/node-http.ts).
  assert.doesNotMatch(builtins, /^NativeModule (internal\/deps\/undici\/undici|https|tls)$/m);
});
