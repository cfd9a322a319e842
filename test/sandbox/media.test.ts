import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:https';
import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys';
import { Agent as UndiciAgent } from 'undici';
import type { Simulator } from '../../server/sandbox/simulator.ts';
import type { BaileysTestClient } from '../support/baileys-client.ts';
import { ALICE, jidOf } from '../support/contacts.ts';
import { suiteScope } from '../support/scope.ts';
import { startPairedSimulator } from '../support/paired-simulator.ts';
import { eventually } from '../support/waits.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An HTTPS request to the media host; `ca` null trusts only the machine's roots, as any other client would. */
function mediaRequest(
  sim: Simulator,
  path: string,
  options: { method?: string; body?: Buffer; ca?: string | null } = {},
): Promise<{ status: number; body: Buffer }> {
  const ca = options.ca === undefined ? sim.mediaRootCert : options.ca;
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.mediaUrl}${path}`,
      { method: options.method ?? 'GET', agent: new Agent(ca ? { ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe("sandbox: WhatsApp's media servers", () => {
  const scope = suiteScope();
  let sim: Simulator;
  let client: BaileysTestClient;
  before(async () => {
    ({ sim, client } = await startPairedSimulator(scope));
  });

  const inboxEntry = (id: string) =>
    eventually(() => sim.inbox(ALICE).find((e) => e.message_id === id), `${id} in Alice's inbox`);

  test('media_conn points Baileys at the simulator: an image is uploaded encrypted, and Alice decrypts it', async () => {
    const conn = await client.sock!.refreshMediaConn(true);
    assert.deepEqual(
      conn.hosts.map((h) => h.hostname),
      [new URL(sim.mediaUrl).host],
    );
    const image = randomBytes(4000);
    const sent = await client.sock!.sendMessage(jidOf(ALICE), {
      image,
      caption: 'the camera snapshot',
      mimetype: 'image/png',
      jpegThumbnail: randomBytes(200).toString('base64'),
      width: 640,
      height: 480,
    });
    assert.match(sent!.message!.imageMessage!.url!, new RegExp(`^${sim.mediaUrl}/v/`));
    const entry = await inboxEntry(sent!.key.id!);
    assert.equal(entry.kind, 'image');
    assert.equal(entry.caption, 'the camera snapshot');
    assert.deepEqual(
      {
        mime: entry.media?.mime_type,
        size: entry.media?.size,
        sha: entry.media?.sha256,
        w: entry.media?.width,
        h: entry.media?.height,
        thumb: entry.media?.has_thumbnail,
        error: entry.media?.error,
      },
      { mime: 'image/png', size: 4000, sha: sha256(image), w: 640, h: 480, thumb: true, error: null },
    );
  });

  test('a document keeps its file name; a voice note its seconds and waveform; a sticker and a video arrive', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3000)]);
    const voice = randomBytes(2500);
    const sticker = randomBytes(1500);
    const video = randomBytes(5000);
    const doc = await client.sock!.sendMessage(jidOf(ALICE), {
      document: pdf,
      mimetype: 'application/pdf',
      fileName: 'invoice-42.pdf',
      caption: 'your invoice',
    });
    // Baileys' types leave out `waveform`, which it sends when given (else it computes one).
    const voiceNote = {
      audio: voice,
      ptt: true,
      mimetype: 'audio/ogg; codecs=opus',
      seconds: 7,
      waveform: new Uint8Array(64).fill(40),
    };
    const ptt = await client.sock!.sendMessage(jidOf(ALICE), voiceNote);
    const st = await client.sock!.sendMessage(jidOf(ALICE), { sticker, mimetype: 'image/webp' });
    const vid = await client.sock!.sendMessage(jidOf(ALICE), {
      video,
      mimetype: 'video/mp4',
      jpegThumbnail: randomBytes(100).toString('base64'),
      seconds: 3,
    });
    const d = await inboxEntry(doc!.key.id!);
    assert.deepEqual(
      [d.kind, d.caption, d.media?.file_name, d.media?.sha256],
      ['document', 'your invoice', 'invoice-42.pdf', sha256(pdf)],
    );
    const v = await inboxEntry(ptt!.key.id!);
    assert.deepEqual(
      [v.kind, v.media?.mime_type, v.media?.seconds, v.media?.waveform_bars, v.media?.sha256],
      ['voice', 'audio/ogg; codecs=opus', 7, 64, sha256(voice)],
    );
    const s = await inboxEntry(st!.key.id!);
    assert.deepEqual([s.kind, s.media?.sha256], ['sticker', sha256(sticker)]);
    const m = await inboxEntry(vid!.key.id!);
    assert.deepEqual([m.kind, m.media?.seconds, m.media?.sha256], ['video', 3, sha256(video)]);
  });

  test('the media host serves what was uploaded, encrypted, at its signed direct path only', async () => {
    const sent = await client.sock!.sendMessage(jidOf(ALICE), { document: randomBytes(100), mimetype: 'text/plain' });
    const msg = sent!.message!.documentMessage!;
    const got = await mediaRequest(sim, msg.directPath!);
    assert.equal(got.status, 200);
    assert.equal(sha256(got.body), Buffer.from(msg.fileEncSha256!).toString('hex'));
    const tampered = msg.directPath!.replace(/oh=[^&]+/, 'oh=forged');
    assert.equal((await mediaRequest(sim, tampered)).status, 403);
  });

  test('an upload without a media_conn token, or whose bytes are not the file the path names, is refused', async () => {
    const body = randomBytes(64);
    const token = createHash('sha256').update(body).digest('base64url');
    const noAuth = await mediaRequest(sim, `/mms/image/${token}?auth=nope&token=${token}`, { method: 'POST', body });
    assert.equal(noAuth.status, 401);
    const { auth } = await client.sock!.refreshMediaConn(true);
    const other = createHash('sha256').update(randomBytes(64)).digest('base64url');
    const path = `/mms/image/${other}?auth=${encodeURIComponent(auth)}&token=${other}`;
    const mismatch = await mediaRequest(sim, path, { method: 'POST', body });
    assert.equal(mismatch.status, 400);
  });

  test('its certificate chains to the sandbox root alone: a client that does not trust that root refuses it', async () => {
    await assert.rejects(mediaRequest(sim, '/', { ca: null }), (e: NodeJS.ErrnoException) =>
      /certificate/i.test(`${e.code} ${e.message}`),
    );
  });

  test('a contact sends each kind: uploaded encrypted, the client downloads and decrypts it from the media host', async () => {
    const dispatcher = new UndiciAgent({ connect: { ca: sim.mediaRootCert } });
    const files = {
      image: { bytes: randomBytes(3000), mime_type: 'image/jpeg', caption: 'look' },
      voice: { bytes: randomBytes(1200), mime_type: 'audio/ogg; codecs=opus', seconds: 4 },
      document: { bytes: randomBytes(900), mime_type: 'application/pdf', file_name: 'menu.pdf', caption: 'the menu' },
      sticker: { bytes: randomBytes(300), mime_type: 'image/webp' },
    } as const;
    for (const [kind, file] of Object.entries(files)) {
      const mark = client.mark();
      const { bytes, ...rest } = file;
      const { message_id } = await sim.sendMediaFromContact(ALICE, {
        kind: kind as keyof typeof files,
        base64: bytes.toString('base64'),
        ...rest,
      });
      const upsert = await client.waitFor<{ messages: WAMessage[] }>(
        'messages.upsert',
        (u) => u.messages.some((m: WAMessage) => m.key.id === message_id),
        { since: mark },
      );
      const msg = upsert.messages.find((m) => m.key.id === message_id)!;
      const got = (await downloadMediaMessage(msg, 'buffer', { options: { dispatcher } } as object)) as Buffer;
      assert.equal(sha256(got), sha256(bytes), kind);
    }
    const content = (m: WAMessage) => m.message?.documentMessage;
    const mark = client.mark();
    const { message_id } = await sim.sendMediaFromContact(ALICE, {
      kind: 'document',
      base64: randomBytes(50).toString('base64'),
      mime_type: 'text/plain',
    });
    const upsert = await client.waitFor('messages.upsert', (u) => u.messages[0]?.key.id === message_id, {
      since: mark,
    });
    assert.ok(content(upsert.messages[0]));
    sim.expireContactMedia(ALICE, message_id);
    await assert.rejects(
      downloadMediaMessage(upsert.messages[0], 'buffer', { options: { dispatcher } } as object),
      (e: { output?: { statusCode?: number } }) => e.output?.statusCode === 404,
    );
  });
});
