import { Jimp } from 'jimp';

/**
 * Small, real media files for the media tests, made here rather than kept as binaries: each is what its format's
 * sniffer (and WhatsApp) recognises, of a known size and duration.
 */

/** An image of `width`×`height` in one colour, PNG or JPEG. */
export async function imageFile(
  type: 'image/png' | 'image/jpeg',
  width = 64,
  height = 48,
  color = 0x3366ccff,
): Promise<Buffer> {
  return Buffer.from(await new Jimp({ width, height, color }).getBuffer(type));
}

/** A 1×1 lossless WebP, the usual sticker format. */
export const WEBP_STICKER = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

/** An MP4 (ISO base media) file: an `ftyp` box naming mp42, then an empty `mdat` padded to `size` bytes. */
export function mp4File(size = 2000): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypmp42'),
    Buffer.alloc(4),
    Buffer.from('mp42isom'),
  ]);
  const mdat = Buffer.alloc(size - ftyp.length);
  mdat.writeUInt32BE(mdat.length, 0);
  mdat.write('mdat', 4);
  return Buffer.concat([ftyp, mdat]);
}

/** A PDF's first bytes and some body: enough for a document. */
export function pdfFile(size = 3000): Buffer {
  const head = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  return Buffer.concat([head, Buffer.alloc(size - head.length, 0x20)]);
}

/** An MP3: MPEG-1 layer III frames (128 kbit/s, 44.1 kHz, 417 bytes each) of silence. */
export function mp3File(frames = 40): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

const OGG_CRC = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ OGG_CRC[((crc >>> 24) & 0xff) ^ byte]!) >>> 0;
  return crc;
}

function oggPage(packets: Buffer[], flags: number, granule: bigint, seq: number): Buffer {
  const segments: number[] = [];
  for (const p of packets) {
    let left = p.length;
    while (left >= 255) {
      segments.push(255);
      left -= 255;
    }
    segments.push(left);
  }
  const header = Buffer.alloc(27 + segments.length);
  header.write('OggS', 0);
  header[5] = flags;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(0x5741_4741, 14);
  header.writeUInt32LE(seq, 18);
  header[26] = segments.length;
  header.set(segments, 27);
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/**
 * An Ogg/Opus voice note (what WhatsApp's voice notes are) of `seconds` seconds: OpusHead, OpusTags, then 20 ms
 * CELT frames of silence, 50 a page.
 */
export function oggOpusFile(seconds = 2): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0);
  head[8] = 1; // version
  head[9] = 1; // mono
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48_000, 12);
  const tags = Buffer.alloc(16 + 6);
  tags.write('OpusTags', 0);
  tags.writeUInt32LE(6, 8);
  tags.write('WaGate', 12);
  const frame = Buffer.from([0xf8, 0xff, 0xfe]); // TOC: CELT fullband 20 ms, mono, one frame
  const pages = [oggPage([head], 0x02, 0n, 0), oggPage([tags], 0, 0n, 1)];
  const frames = seconds * 50;
  for (let sent = 0, seq = 2; sent < frames; seq++) {
    const n = Math.min(50, frames - sent);
    sent += n;
    const last = sent === frames;
    const granule = BigInt(312 + sent * 960);
    pages.push(
      oggPage(
        Array.from({ length: n }, () => frame),
        last ? 0x04 : 0,
        granule,
        seq,
      ),
    );
  }
  return Buffer.concat(pages);
}
