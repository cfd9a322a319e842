import { createRequire } from 'node:module';
import type { create as encodeQr } from 'qrcode';
import { PNG_GREY, pngFile } from '../media/png-file.ts';

/**
 * qrcode's encoder alone: its entry point also loads every renderer, pngjs and its streams among them, and drew the
 * picture through them in RGBA. Their modules and what they keep held ~0.9 MB more of an idle linked `wagate serve`
 * (JS heap and external memory after a GC) than this file and node:zlib, which every process here loads already; the
 * pixels are the same (test/http/session-qr) and the PNG a third of the size (NOTES.md, idle3).
 */
const { create } = createRequire(import.meta.url)('qrcode/lib/core/qrcode.js') as { create: typeof encodeQr };

const BLACK = 0;
const WHITE = 255;
/** Pixels a module when `width` is too small for the symbol (qrcode's default scale). */
const SMALL_SCALE = 4;

/**
 * `text` as a QR code in a `width`-pixel square PNG with `margin` modules of white around it: the same pixels as
 * qrcode's `toBuffer(text, { margin, width })` (its renderer's scaling, kept to the pixel), as 8-bit grey.
 */
export function qrPng(text: string, options: { margin: number; width: number }): Buffer {
  const { size, data } = create(text).modules;
  const { margin, width } = options;
  const scale = width >= size + margin * 2 ? width / (size + margin * 2) : SMALL_SCALE;
  const side = Math.floor((size + margin * 2) * scale);
  const module = moduleIndexes(side, margin * scale, scale);
  // Each row: PNG's filter byte (0, none), then one grey byte a pixel.
  const rows = Buffer.alloc(side * (side + 1), WHITE);
  for (let y = 0; y < side; y++) {
    const row = y * (side + 1);
    rows[row] = 0;
    if (module[y]! < 0) continue;
    const source = module[y]! * size;
    for (let x = 0; x < side; x++) {
      if (module[x]! >= 0 && data[source + module[x]!]) rows[row + 1 + x] = BLACK;
    }
  }
  return pngFile(side, PNG_GREY, rows);
}

/**
 * The module each pixel along a side shows (-1 in the margin), as qrcode's renderer maps them. Worked out once: done
 * per pixel inside the loop, its float arithmetic left two boxed numbers a pixel (~3.6 MB of garbage a picture).
 */
function moduleIndexes(side: number, inset: number, scale: number): Int32Array {
  const indexes = new Int32Array(side);
  for (let i = 0; i < side; i++) indexes[i] = i >= inset && i < side - inset ? Math.floor((i - inset) / scale) : -1;
  return indexes;
}
