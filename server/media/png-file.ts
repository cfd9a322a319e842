import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG's colour types that WaGate writes: 8-bit grey (the pairing QR) and 8-bit RGBA (the app's icons). */
export const PNG_GREY = 0;
export const PNG_RGBA = 6;

/**
 * A square PNG file of `side` pixels from its `rows`: each row PNG's filter byte, then its pixels, 8 bits a sample.
 * Written by hand with node:zlib: the two pictures WaGate makes need no image library.
 */
export function pngFile(side: number, colourType: typeof PNG_GREY | typeof PNG_RGBA, rows: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, colourType, 0, 0, 0], 8); // 8 bits a sample, deflate, PNG's one filter method, no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG chunk: its length, type, data and the CRC-32 of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}
