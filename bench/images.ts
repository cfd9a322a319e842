import { join } from 'node:path';
import { Jimp } from 'jimp';
import { generateMessageIDV2 } from '@whiskeysockets/baileys';
import { silentLogger } from '../server/logger.ts';
import { startSimulator } from '../server/sandbox/simulator.ts';
import { trustSimulatorRoot } from '../server/whatsapp/trust-root.ts';
import { listenForAcks } from '../server/whatsapp/server-acks.ts';
import { BaileysTestClient, silenceLibsignal } from '../test/support/baileys-client.ts';
import { keepLateKeyWrites } from '../server/whatsapp/late-key-writes.ts';
import { ALICE } from '../test/support/contacts.ts';
import { servePairedSandbox, timed } from './paired-sandbox.ts';
import { eventually } from '../test/support/waits.ts';

const IMAGES = 12;

/** A real JPEG of about 1 MB: 1024×720 pixels of pseudo-random noise (fixed seed), which JPEG cannot squeeze away. */
export async function noiseJpeg(): Promise<Buffer> {
  const image = new Jimp({ width: 1024, height: 720, color: 0x000000ff });
  const data = image.bitmap.data;
  let seed = 1;
  for (let i = 0; i < data.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    data[i] = (i & 3) === 3 ? 255 : seed >>> 24;
  }
  return Buffer.from(await image.getBuffer('image/jpeg', { quality: 80 }));
}

/**
 * The yardstick: bare Baileys (in-memory auth state) linked to an in-process simulator, uploading the same image to the
 * simulator's media server and sending it with `sock.sendMessage({ image })`, waiting for each one's server ack as a
 * 200 of WaGate does.
 */
async function bareBaileys(dataDir: string, image: Buffer): Promise<number> {
  const sim = await startSimulator({ dataDir, port: 0, logger: silentLogger() });
  trustSimulatorRoot(sim.rootPublicKey);
  const client = new BaileysTestClient(sim.wsUrl, { mediaRootCert: sim.mediaRootCert });
  // Both sides issue a contact its privacy token once, as WaGate does: stock 7.0.0-rc14 issues one a message.
  keepLateKeyWrites(client.connect().authState.keys);
  await sim.scan(await client.waitForQr());
  await client.waitForOpen();
  const sock = client.sock!;
  const acks = listenForAcks(sock);
  const perSecond = await timed(IMAGES, async () => {
    const messageId = generateMessageIDV2(sock.user?.id);
    const acked = acks.waitFor(messageId, 60_000);
    await sock.sendMessage(`${ALICE}@s.whatsapp.net`, { image, mimetype: 'image/jpeg' }, { messageId });
    await acked;
  });
  // The yardstick counts only if Alice got a whole image (decrypted, the same size, with a thumbnail as WaGate makes).
  const last = await eventually(() => sim.inbox(ALICE).findLast((e) => e.kind === 'image'), 'the last image at Alice');
  if (last.media?.error || last.media?.size !== image.length || !last.media.has_thumbnail)
    throw new Error(`bare Baileys' image arrived broken: ${JSON.stringify(last.media)}`);
  await client.end();
  await sim.close();
  return perSecond;
}

/**
 * The same image through `POST /chats/{chat_jid}/media` (JSON, base64, simulations off, pacing off) of a
 * `wagate serve --sandbox` child, one after the other, each answered 200 once WhatsApp's server acked it.
 */
async function throughApi(dataDir: string, image: Buffer): Promise<number> {
  const { api, headers, stop } = await servePairedSandbox(dataDir);
  try {
    const body = JSON.stringify({
      kind: 'image',
      base64: image.toString('base64'),
      typing_simulation: false,
      presence_simulation: false,
    });
    return await timed(IMAGES, async () => {
      const res = await fetch(`${api}/chats/${ALICE}/media`, { method: 'POST', headers, body });
      if (res.status !== 200) throw new Error(`image send answered ${res.status}: ${await res.text()}`);
    });
  } finally {
    await stop();
  }
}

export async function benchImagesPerSecond(
  dataDir: string,
): Promise<{ imageBytes: number; images: number; api: number; bare: number }> {
  silenceLibsignal();
  const image = await noiseJpeg();
  const bare = await bareBaileys(join(dataDir, 'bare'), image);
  const api = await throughApi(join(dataDir, 'api'), image);
  return { imageBytes: image.length, images: IMAGES, api, bare };
}
