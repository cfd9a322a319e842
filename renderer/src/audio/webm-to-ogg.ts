/**
 * Rewraps the Opus audio that Chromium's MediaRecorder records (it writes WebM only) into an Ogg file, the container
 * WhatsApp's voice notes use. The Opus packets are copied as they are: nothing is decoded or encoded again.
 * WebM is Matroska (EBML): https://www.matroska.org/technical/elements.html; Ogg Opus is RFC 7845.
 */

const ID = {
  segment: 0x18538067,
  cluster: 0x1f43b675,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  blockGroup: 0xa0,
  codecPrivate: 0x63a2,
  simpleBlock: 0xa3,
  block: 0xa1,
};
/** Elements whose children are read; every other element is skipped whole. */
const MASTERS = new Set([ID.segment, ID.cluster, ID.tracks, ID.trackEntry, ID.blockGroup]);

/** An EBML variable-length integer at `at`: its value (the length marker kept for IDs) and its length in bytes. */
function vint(bytes: Uint8Array, at: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } {
  const first = bytes[at]!;
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  if (length > 8 || at + length > bytes.length) throw new Error('The recording is not a WebM file WaGate can read');
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + bytes[at + i]!;
    allOnes &&= bytes[at + i] === 0xff;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

/** The Opus packets of the WebM file's (only) audio track, in order, and its OpusHead when the file carries it. */
function opusPackets(webm: Uint8Array): { head: Uint8Array | null; packets: Uint8Array[] } {
  const packets: Uint8Array[] = [];
  let head: Uint8Array | null = null;
  let at = 0;
  while (at < webm.length) {
    const id = vint(webm, at, true);
    const size = vint(webm, at + id.length, false);
    const body = at + id.length + size.length;
    if (MASTERS.has(id.value)) {
      at = body; // A recording still being written has masters of unknown size: their children follow.
      continue;
    }
    const end = Math.min(webm.length, body + size.value);
    if (id.value === ID.codecPrivate) head = webm.slice(body, end);
    if (id.value === ID.simpleBlock || id.value === ID.block) {
      const track = vint(webm, body, false);
      const flags = webm[body + track.length + 2]!;
      if (flags & 0x06) throw new Error('The recording uses laced blocks, which WaGate cannot read');
      packets.push(webm.slice(body + track.length + 3, end));
    }
    at = end;
  }
  return { head, packets };
}

/** Samples (at 48 kHz) an Opus packet decodes to, from its TOC byte (RFC 6716, section 3.1). */
export function opusSamples(packet: Uint8Array): number {
  const toc = packet[0] ?? 0;
  const config = toc >> 3;
  const tenthsOfMs =
    config < 12
      ? [100, 200, 400, 600][config % 4]!
      : config < 16
        ? [100, 200][config % 2]!
        : [25, 50, 100, 200][config % 4]!;
  const code = toc & 0x03;
  const frames = code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f;
  return (frames * tenthsOfMs * 48) / 10;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggPage(packets: Uint8Array[], flags: number, granule: number, serial: number, sequence: number): Uint8Array {
  const lacing: number[] = [];
  for (const packet of packets) {
    for (let left = packet.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  const headerLength = 27 + lacing.length;
  const page = new Uint8Array(headerLength + packets.reduce((sum, p) => sum + p.length, 0));
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53]); // "OggS", version 0
  page[5] = flags;
  view.setBigUint64(6, BigInt(granule), true);
  view.setUint32(14, serial, true);
  view.setUint32(18, sequence, true);
  page[26] = lacing.length;
  page.set(lacing, 27);
  let at = headerLength;
  for (const packet of packets) {
    page.set(packet, at);
    at += packet.length;
  }
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) & 0xff) ^ byte]!) >>> 0;
  view.setUint32(22, crc, true);
  return page;
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** An OpusHead for a file that carries none: mono or stereo as the first packet says, no pre-skip, 48 kHz. */
function defaultHead(first: Uint8Array | undefined): Uint8Array {
  const head = new Uint8Array(19);
  head.set(ascii('OpusHead'));
  head[8] = 1;
  head[9] = first && first[0]! & 0x04 ? 2 : 1;
  new DataView(head.buffer).setUint32(12, 48_000, true);
  return head;
}

/** The WebM/Opus recording as an Ogg/Opus file. */
export function webmToOgg(webm: Uint8Array): Uint8Array<ArrayBuffer> {
  const { head, packets } = opusPackets(webm);
  if (packets.length === 0) throw new Error('The recording has no sound in it');
  const serial = 0x57474154; // "WGAT": any number names the stream.
  const vendor = ascii('WaGate');
  const tags = new Uint8Array(8 + 4 + vendor.length + 4);
  tags.set(ascii('OpusTags'));
  new DataView(tags.buffer).setUint32(8, vendor.length, true);
  tags.set(vendor, 12);
  const pages = [
    oggPage([head?.length ? head : defaultHead(packets[0])], 0x02, 0, serial, 0),
    oggPage([tags], 0, 0, serial, 1),
  ];
  let granule = 0;
  let page: Uint8Array[] = [];
  let segments = 0;
  packets.forEach((packet, index) => {
    const needed = Math.floor(packet.length / 255) + 1;
    if (segments + needed > 255) {
      pages.push(oggPage(page, 0, granule, serial, pages.length));
      page = [];
      segments = 0;
    }
    page.push(packet);
    segments += needed;
    granule += opusSamples(packet);
    if (index === packets.length - 1) pages.push(oggPage(page, 0x04, granule, serial, pages.length));
  });
  const ogg = new Uint8Array(pages.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of pages) {
    ogg.set(p, at);
    at += p.length;
  }
  return ogg;
}
