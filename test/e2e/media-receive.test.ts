import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE, jidOf } from '../support/contacts.ts';
import { waitForEvent } from '../support/waits.ts';
import { imageFile, mp4File, mp3File, oggOpusFile, pdfFile, WEBP_STICKER } from '../support/media-files.ts';

let h: TestCore;
const MAX_KEPT = 200_000;

before(async (t) => {
  h = await startPairedCore(t, {
    config: { media: { allow_private_urls: false, inbound_max_bytes: MAX_KEPT, inbound_retention_days: 30 } },
  });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Alice sends a file through the sandbox's control API; resolves with WaGate's message.received for it. */
async function aliceSends(input: { kind: string; file: Buffer; mime_type: string; [k: string]: unknown }) {
  const { file, ...rest } = input;
  const received = waitForEvent(
    h.core,
    'message.received',
    (m) => m.chat_jid === jidOf(ALICE) && m.kind === input.kind,
    `Alice's ${input.kind}`,
  );
  const res = await h.call(`/sandbox/contacts/${ALICE}/media`, postJson({ ...rest, base64: file.toString('base64') }));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const [message] = await received;
  assert.equal(message.message_id, res.body.data.message_id);
  return message;
}

/** GET /messages/{id}/media, the body as bytes. */
async function download(id: string) {
  const res = await fetch(`${h.core.url}/messages/${id}/media`, { headers: { authorization: h.key } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

test('each kind a contact sends arrives with its kind, caption, type, size, SHA-256 and URL, and downloads byte for byte', async () => {
  const cases = [
    { kind: 'image', file: await imageFile('image/png'), mime_type: 'image/png', caption: 'the view' },
    { kind: 'video', file: mp4File(3000), mime_type: 'video/mp4', caption: 'a clip' },
    { kind: 'audio', file: mp3File(10), mime_type: 'audio/mpeg' },
    { kind: 'voice', file: oggOpusFile(1), mime_type: 'audio/ogg; codecs=opus', seconds: 1 },
    { kind: 'document', file: pdfFile(), mime_type: 'application/pdf', file_name: 'menu (1).pdf', caption: 'menu' },
    { kind: 'sticker', file: WEBP_STICKER, mime_type: 'image/webp' },
  ];
  for (const c of cases) {
    const message = await aliceSends(c);
    assert.ok('media' in message, c.kind);
    const { media, caption } = message as typeof message & { media: Record<string, unknown>; caption: string | null };
    assert.deepEqual(
      { caption, mime_type: media.mime_type, size: media.size, sha256: media.sha256, url: media.url },
      {
        caption: c.caption ?? null,
        mime_type: c.mime_type,
        size: c.file.length,
        sha256: sha256(c.file),
        url: `/messages/${message.message_id}/media`,
      },
      c.kind,
    );
    const { res, bytes } = await download(message.message_id);
    assert.equal(res.status, 200, `${c.kind}: ${bytes.toString().slice(0, 300)}`);
    assert.equal(res.headers.get('content-type'), c.mime_type);
    assert.equal(sha256(bytes), sha256(c.file), c.kind);
    if (c.kind === 'document') {
      assert.equal(
        res.headers.get('content-disposition'),
        `attachment; filename*=UTF-8''${encodeURIComponent('menu (1).pdf')}`,
      );
    }
  }
});

test('media WhatsApp no longer has and WaGate no longer keeps answers 410, saying so', async () => {
  const message = await aliceSends({ kind: 'document', file: pdfFile(500), mime_type: 'application/pdf' });
  assert.equal((await download(message.message_id)).res.status, 200);
  await h.call(`/sandbox/contacts/${ALICE}/media/${message.message_id}/expire`, { method: 'POST' });
  // The retention sweep's deletion, done by hand: the copy WaGate kept is gone too.
  rmSync(join(h.dataDir, 'sandbox', 'media', 'inbound', message.message_id));
  const { res, bytes } = await download(message.message_id);
  assert.equal(res.status, 410);
  assert.match(JSON.parse(bytes.toString()).error, /WhatsApp's servers no longer have this file/);
});

test('a file over media.inbound_max_bytes is announced but not kept: 413 that names the setting', async () => {
  const message = await aliceSends({ kind: 'document', file: pdfFile(MAX_KEPT + 1000), mime_type: 'application/pdf' });
  const { res, bytes } = await download(message.message_id);
  assert.equal(res.status, 413);
  assert.match(JSON.parse(bytes.toString()).error, /inbound_max_bytes/);
});

test('a text has no media, an unknown id is 404, and a sent file downloads too', async () => {
  const sent = await h.call(`/chats/${ALICE}/media`, postJson({ base64: WEBP_STICKER.toString('base64') }));
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const { res, bytes } = await download(sent.body.data.message_id);
  assert.deepEqual(
    [res.status, res.headers.get('content-type'), sha256(bytes)],
    [200, 'image/webp', sha256(WEBP_STICKER)],
  );
  const text = await h.call(`/chats/${ALICE}/messages`, postJson({ text: 'hi' }));
  assert.equal((await h.call(`/messages/${text.body.data.message_id}/media`)).status, 404);
  assert.equal((await h.call('/messages/NOPE/media')).status, 404);
  assert.equal((await h.call(`/messages/${text.body.data.message_id}/media`, { auth: false })).status, 401);
});
