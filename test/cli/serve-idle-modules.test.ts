import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWagate, startWagate } from '../support/wagate-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { eventually } from '../support/waits.ts';

const LOADED_MODULES = new URL('../support/loaded-modules.ts', import.meta.url).href;

test('a linked, idle wagate serve has drawn its QR without qrcode’s renderers or pngjs, and has not loaded busboy', async (t) => {
  const dataDir = tempDir(t);
  const loaded = join(tempDir(t), 'loaded.txt');
  const key = runWagate(['keys', 'create', 'idle', '--sandbox', '--data-dir', dataDir]).trim();
  const headers = { authorization: key, 'content-type': 'application/json' };
  const { running, found } = await startWagate(
    ['serve', '--sandbox', '--port', '0', '--data-dir', dataDir],
    [/^API: (\S+)$/m],
    20_000,
    { args: ['--import', LOADED_MODULES], env: { LOADED_MODULES_FILE: loaded } },
  );
  t.after(() => running.stop());
  const api = found[0]!;

  const qr = await eventually(async () => {
    const res = await fetch(`${api}/session/qr?format=json`, { headers });
    return res.ok ? ((await res.json()) as { data: { qr: string; data_url: string } }).data : undefined;
  }, 'a QR from the API');
  assert.match(qr.data_url, /^data:image\/png;base64,iVBORw0KGgo/);
  const scan = await fetch(`${api}/sandbox/phone/scan`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ qr: qr.qr }),
  });
  assert.equal(scan.status, 200);
  await eventually(async () => {
    const res = await fetch(`${api}/session`, { headers });
    return ((await res.json()) as { data: { state: string } }).data.state === 'connected' ? true : undefined;
  }, 'the session connected');

  const modules = readFileSync(loaded, 'utf8');
  assert.match(modules, /\/node_modules\/qrcode\/lib\/core\/qrcode\.js$/m, 'the QR was encoded by qrcode');
  assert.doesNotMatch(modules, /\/node_modules\/(pngjs|busboy)\//);
  assert.doesNotMatch(modules, /\/node_modules\/qrcode\/lib\/(renderer|server)/);
});
