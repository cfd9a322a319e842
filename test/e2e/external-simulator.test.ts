import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWagate, startWagate } from '../support/wagate-process.ts';
import { ALICE } from '../support/contacts.ts';
import { eventually } from '../support/waits.ts';
import { WEBP_STICKER } from '../support/media-files.ts';
import { createHash } from 'node:crypto';

test('wagate serve --wa-url --wa-root-key pairs with and sends through a simulator started separately', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wagate-ext-'));
  const sim = await startWagate(
    ['sandbox', '--port', '0', '--data-dir', join(dir, 'sim')],
    [
      /^WhatsApp simulator: (\S+)$/m,
      /^Root public key: (\S+)$/m,
      /^Control API: (\S+)\/sandbox\/phone$/m,
      /^Media root certificate: (\S+)$/m,
    ],
  );
  t.after(() => sim.running.stop());
  const [wsUrl, rootKey, control, mediaCa] = sim.found as [string, string, string, string];
  const app = await startWagate(
    [
      'serve',
      '--port',
      '0',
      '--data-dir',
      join(dir, 'app'),
      '--wa-url',
      wsUrl,
      '--wa-root-key',
      rootKey,
      '--wa-media-ca',
      mediaCa,
    ],
    [/^API: (\S+)$/m, /^(NOT WHATSAPP)/m, /^Credentials: (.+)$/m],
  );
  t.after(async () => {
    await app.running.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const api = app.found[0]!;
  // The test kit turns the keyring off (WAGATE_KEYRING=off): the banner says what protects the credentials then.
  assert.equal(app.found[2], "protected by the data folder's permissions only (no system keyring here)");
  const key = runWagate(['keys', 'create', 'ext', '--sandbox', '--data-dir', join(dir, 'app')]).trim();
  const auth = { authorization: key };

  const qr = await eventually(async () => {
    const res = await fetch(`${api}/session/qr?format=json`, { headers: auth });
    return res.ok ? ((await res.json()) as { data: { qr: string } }).data.qr : undefined;
  }, 'a QR from the API');
  const scan = await fetch(`${control}/sandbox/phone/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ qr }),
  });
  assert.equal(scan.status, 200);
  await eventually(async () => {
    const res = await fetch(`${api}/session`, { headers: auth });
    return ((await res.json()) as { data: { state: string } }).data.state === 'connected' ? true : undefined;
  }, 'the session connected');

  const sent = await fetch(`${api}/chats/${ALICE}/messages`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'through a separate simulator', typing_simulation: false }),
  });
  assert.equal(sent.status, 200);
  await eventually(async () => {
    const res = await fetch(`${control}/sandbox/contacts/${ALICE}/inbox`);
    const body = (await res.json()) as { data: Array<{ text: string }> };
    return body.data.some((m) => m.text === 'through a separate simulator') ? true : undefined;
  }, 'the text in the contact inbox');

  // Media through the separate simulator's media servers, trusted through --wa-media-ca.
  const media = await fetch(`${api}/chats/${ALICE}/media`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ base64: WEBP_STICKER.toString('base64'), typing_simulation: false }),
  });
  assert.equal(media.status, 200, await media.clone().text());
  const { data } = (await media.json()) as { data: { message_id: string } };
  await eventually(async () => {
    const res = await fetch(`${control}/sandbox/contacts/${ALICE}/inbox`);
    const body = (await res.json()) as { data: Array<{ message_id: string; media?: { sha256: string } }> };
    const sha = createHash('sha256').update(WEBP_STICKER).digest('hex');
    return body.data.some((m) => m.message_id === data.message_id && m.media?.sha256 === sha) ? true : undefined;
  }, 'the sticker decrypted at the contact');
});
