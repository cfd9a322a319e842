import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { framesAfresh, startPairedCore, postJson, type TestCore } from '../support/core.ts';
import { ALICE } from '../support/contacts.ts';
import { atEnd } from '../support/scope.ts';
import { eventually } from '../support/waits.ts';
import { imageFile, mp3File, mp4File, oggOpusFile, pdfFile, WEBP_STICKER } from '../support/media-files.ts';
import type { InboxEntry } from '../../server/sandbox/simulator.ts';

let h: TestCore;
/** A loopback server for `url` sources: /f/<name> serves that file of FILES. */
let fileBase: string;
const FILES = new Map<string, Buffer>();

before(async (t) => {
  h = await startPairedCore(t, {
    config: { media: { allow_private_urls: true, inbound_max_bytes: 1e8, inbound_retention_days: 30 } },
  });
  const server = createServer((req, res) => {
    const file = FILES.get(decodeURIComponent((req.url ?? '').replace(/^\/f\//, '')));
    if (!file) return res.writeHead(404).end();
    res.end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  atEnd(t, () => new Promise<void>((resolve) => server.close(() => resolve())));
  fileBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f`;
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const received = (id: string): Promise<InboxEntry> =>
  eventually(() => h.core.sandbox!.inbox(ALICE).find((e) => e.message_id === id), `${id} at Alice`);

async function upload(fields: Record<string, string | undefined>, file: Buffer, name: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)]), name);
  return h.call(`/chats/${ALICE}/media`, { method: 'POST', body: form });
}

const KINDS = async () =>
  [
    { kind: 'image', file: await imageFile('image/jpeg', 120, 80), name: 'snap.jpg', caption: 'the snapshot' },
    { kind: 'video', file: mp4File(4000), name: 'clip.mp4', caption: 'a clip' },
    { kind: 'audio', file: mp3File(), name: 'song.mp3' },
    { kind: 'voice', file: oggOpusFile(2), name: 'note.ogg' },
    { kind: 'document', file: pdfFile(), name: 'invoice 42.pdf', caption: 'your invoice' },
    { kind: 'sticker', file: WEBP_STICKER, name: 'sticker.webp' },
  ] as const;

for (const source of ['upload', 'url', 'base64'] as const) {
  test(`each kind by ${source}: 200 after the server's ack, and Alice decrypts the same bytes`, async () => {
    for (const item of await KINDS()) {
      const caption = 'caption' in item ? { caption: item.caption } : {};
      let res;
      if (source === 'upload') {
        res = await upload({ kind: item.kind, ...caption }, item.file, item.name);
      } else if (source === 'url') {
        FILES.set(item.name, item.file);
        res = await h.call(
          `/chats/${ALICE}/media`,
          postJson({ kind: item.kind, url: `${fileBase}/${encodeURIComponent(item.name)}`, ...caption }),
        );
      } else {
        const fileName = item.kind === 'document' ? { file_name: item.name } : {};
        res = await h.call(
          `/chats/${ALICE}/media`,
          postJson({ kind: item.kind, base64: item.file.toString('base64'), ...caption, ...fileName }),
        );
      }
      assert.equal(res.status, 200, `${item.kind}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.data.status, 'sent');
      const entry = await received(res.body.data.message_id);
      assert.equal(entry.kind, item.kind);
      assert.equal(entry.media?.error, null, item.kind);
      assert.equal(entry.media?.sha256, sha256(item.file), item.kind);
      assert.equal(entry.media?.size, item.file.length);
      assert.equal(entry.caption ?? null, 'caption' in item ? item.caption : null);
      if (item.kind === 'document') assert.equal(entry.media?.file_name, 'invoice 42.pdf');
      if (item.kind === 'voice') {
        assert.deepEqual(
          [entry.media?.mime_type, entry.media?.seconds, entry.media?.waveform_bars],
          ['audio/ogg; codecs=opus', 2, 64],
        );
      }
      if (item.kind === 'image') {
        assert.deepEqual([entry.media?.width, entry.media?.height, entry.media?.has_thumbnail], [120, 80, true]);
      }
    }
  });
}

test('the kind follows the bytes, not the name: a PDF named photo.jpg goes as a document', async () => {
  const res = await upload({}, pdfFile(), 'photo.jpg');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const entry = await received(res.body.data.message_id);
  assert.deepEqual(
    [entry.kind, entry.media?.mime_type, entry.media?.file_name],
    ['document', 'application/pdf', 'photo.jpg'],
  );
});

test('refused before anything is sent: a voice note that is not Ogg/Opus (415), a sticker over its limit (413), two sources (400)', async () => {
  const before = h.core.sandbox!.inbox(ALICE).length;
  const mp3 = await upload({ kind: 'voice' }, mp3File(), 'note.mp3');
  assert.equal(mp3.status, 415);
  assert.match(mp3.body.error, /voice note must be Ogg\/Opus/);
  const big = await h.call(
    `/chats/${ALICE}/media`,
    postJson({ kind: 'sticker', base64: Buffer.concat([WEBP_STICKER, Buffer.alloc(600 * 1024)]).toString('base64') }),
  );
  assert.equal(big.status, 413);
  assert.match(big.body.error, /A sticker may be at most 500 KB/);
  const two = await h.call(`/chats/${ALICE}/media`, postJson({ url: `${fileBase}/x`, base64: 'AAAA' }));
  assert.equal(two.status, 400);
  const none = await h.call(`/chats/${ALICE}/media`, postJson({ kind: 'image' }));
  assert.equal(none.status, 400);
  const caption = await upload({ caption: 'hi' }, WEBP_STICKER, 's.webp');
  assert.equal(caption.status, 400);
  assert.match(caption.body.error, /sticker cannot have a caption/);
  const text = await h.call(`/chats/${ALICE}/media`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'x',
  });
  assert.equal(text.status, 415);
  assert.equal(h.core.sandbox!.inbox(ALICE).length, before, 'nothing reached Alice');
});

test('a voice note shows "recording…" to the contact before it arrives', async () => {
  await framesAfresh(h, ALICE);
  const res = await h.call(
    `/chats/${ALICE}/media`,
    postJson({ base64: oggOpusFile(1).toString('base64'), typing_simulation: true }),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const entry = await received(res.body.data.message_id);
  const seen = entry.before.map((f) => f.value);
  assert.ok(seen.includes('recording'), seen.join(' → '));
  assert.ok(!seen.includes('composing'), seen.join(' → '));
});

test('without the switch, a url on this machine is refused, saying why', async (t) => {
  const strict = await startPairedCore(t);
  FILES.set('p.pdf', pdfFile());
  const res = await strict.call(`/chats/${ALICE}/media`, postJson({ url: `${fileBase}/p.pdf` }));
  assert.equal(res.status, 400);
  assert.match(res.body.error, /127\.0\.0\.1.*allow_private_urls/);
});

test('an accepted media message outlives a restart: sent again from the data folder under the same id', async () => {
  const image = await imageFile('image/png', 90, 60);
  h.core.sandbox!.fault({ kind: 'hold_acks' });
  const res = await upload({ async: 'true' }, image, 'held.png');
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const id = res.body.data.message_id;
  await received(id); // Alice has it; the server's ack is held, so WaGate does not know
  assert.equal(h.core.messages.get(id)?.status, 'sending');
  await h.restart();
  await eventually(() => ['sent', 'delivered', 'read'].includes(h.core.messages.get(id)?.status ?? ''), 'sent');
  const copies = h.core.sandbox!.inbox(ALICE).filter((e) => e.message_id === id);
  assert.equal(copies.length, 1, 'the resend is the same message');
  assert.equal(copies[0]!.media?.sha256, sha256(image));
});
