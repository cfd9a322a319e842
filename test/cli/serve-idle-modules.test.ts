import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveRecordingModules } from '../support/wagate-process.ts';
import { eventually } from '../support/waits.ts';

test('a linked, idle wagate serve has drawn its QR without qrcode’s renderers or pngjs, and has not loaded busboy', async (t) => {
  const { running, api, headers, modules } = await serveRecordingModules(t, ['--sandbox']);
  t.after(() => running.stop());

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

  const loaded = modules();
  assert.match(loaded, /\/node_modules\/qrcode\/lib\/core\/qrcode\.js$/m, 'the QR was encoded by qrcode');
  assert.doesNotMatch(loaded, /\/node_modules\/(pngjs|busboy)\//);
  assert.doesNotMatch(loaded, /\/node_modules\/qrcode\/lib\/(renderer|server)/);
});
