import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG_RGBA, pngFile } from '../server/media/png-file.ts';

/**
 * Draws WaGate's icons from a few shapes and writes them at the sizes each OS wants: the app icon (PNGs for Linux,
 * .ico for Windows, .icns for macOS) and the tray images per state (coloured, and black Template images for macOS).
 * `node build/make-icons.ts [outDir]` rewrites build/; the output is the same byte for byte on every run.
 */

type Rgba = readonly [number, number, number, number];
/** A picture: the colour at a point of the unit square (0,0 top left), or null where it is transparent. */
type Paint = (x: number, y: number) => Rgba | null;

const WHITE: Rgba = [255, 255, 255, 255];
const BLACK: Rgba = [0, 0, 0, 255];
const STATE_COLOURS = {
  linked: [31, 175, 90, 255],
  pairing: [47, 128, 237, 255],
  disconnected: [128, 134, 144, 255],
  error: [229, 72, 77, 255],
} as const satisfies Record<string, Rgba>;
type TrayState = keyof typeof STATE_COLOURS;

// Shapes: predicates over the unit square.
type Shape = (x: number, y: number) => boolean;
const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    x >= x0 && x <= x1 && y >= y0 && y <= y1;
const union =
  (...shapes: Shape[]): Shape =>
  (x, y) =>
    shapes.some((s) => s(x, y));
const roundedSquare =
  (inset: number, r: number): Shape =>
  (x, y) => {
    const dx = Math.max(inset + r - x, 0, x - (1 - inset - r));
    const dy = Math.max(inset + r - y, 0, y - (1 - inset - r));
    return x >= inset && x <= 1 - inset && y >= inset && y <= 1 - inset && dx * dx + dy * dy <= r * r;
  };
function triangle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape {
  const side = (px: number, py: number, qx: number, qy: number, x: number, y: number) =>
    (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const s1 = side(ax, ay, bx, by, x, y),
      s2 = side(bx, by, cx, cy, x, y),
      s3 = side(cx, cy, ax, ay, x, y);
    return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
  };
}
/** A stroke of the given width along a polyline. */
function stroke(width: number, ...points: [number, number][]): Shape {
  return (x, y) =>
    points.slice(1).some(([bx, by], i) => {
      const [ax, ay] = points[i]!;
      const t = Math.max(
        0,
        Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)),
      );
      return (x - ax - t * (bx - ax)) ** 2 + (y - ay - t * (by - ay)) ** 2 <= (width / 2) ** 2;
    });
}

const bubble = union(circle(0.5, 0.46, 0.4), triangle(0.16, 0.6, 0.4, 0.82, 0.08, 0.95));
const SYMBOLS: Record<TrayState, Shape> = {
  linked: stroke(0.11, [0.29, 0.47], [0.44, 0.61], [0.71, 0.32]),
  pairing: union(
    rect(0.28, 0.26, 0.44, 0.42),
    rect(0.56, 0.26, 0.72, 0.42),
    rect(0.28, 0.5, 0.44, 0.66),
    rect(0.56, 0.54, 0.66, 0.64),
  ),
  disconnected: union(circle(0.3, 0.46, 0.075), circle(0.5, 0.46, 0.075), circle(0.7, 0.46, 0.075)),
  error: union(stroke(0.12, [0.5, 0.24], [0.5, 0.5]), circle(0.5, 0.66, 0.07)),
};

function trayPaint(state: TrayState, template: boolean): Paint {
  const symbol = SYMBOLS[state];
  // Template images are black and alpha only: the symbol is cut out of the bubble, macOS tints the rest.
  if (template) return (x, y) => (bubble(x, y) && !symbol(x, y) ? BLACK : null);
  return (x, y) => (symbol(x, y) ? WHITE : bubble(x, y) ? STATE_COLOURS[state] : null);
}

const appTile = roundedSquare(0.06, 0.2);
const appBubble = union(circle(0.5, 0.47, 0.27), triangle(0.28, 0.58, 0.44, 0.72, 0.22, 0.8));
const appArrow = union(stroke(0.07, [0.36, 0.47], [0.58, 0.47]), triangle(0.55, 0.36, 0.68, 0.47, 0.55, 0.58));
const appPaint: Paint = (x, y) => {
  if (!appTile(x, y)) return null;
  if (appArrow(x, y)) return [18, 140, 126, 255];
  if (appBubble(x, y)) return WHITE;
  const t = y; // top-to-bottom gradient, WhatsApp-like greens
  return [Math.round(37 - 19 * t), Math.round(211 - 71 * t), Math.round(102 + 24 * t), 255];
};

/** Rasterises with 4x4 samples a pixel, so edges are smooth at every size. */
function render(size: number, paint: Paint): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = paint((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size);
          if (!c) continue;
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const o = (py * size + px) * 4;
      if (a > 0)
        pixels.set([Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((a / (n * n)) * 255)], o);
    }
  }
  return pixels;
}

export function encodePng(size: number, rgba: Buffer): Buffer {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return pngFile(size, PNG_RGBA, rows);
}

/** A 32-bit BMP entry (bottom-up BGRA plus an empty AND mask): the form every Windows tool and NSIS reads. */
function icoBitmap(size: number, rgba: Buffer): Buffer {
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(size, 4);
  info.writeInt32LE(size * 2, 8);
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4,
        to = ((size - 1 - y) * size + x) * 4;
      pixels.set([rgba[from + 2]!, rgba[from + 1]!, rgba[from]!, rgba[from + 3]!], to);
    }
  }
  return Buffer.concat([info, pixels, Buffer.alloc(Math.ceil(size / 32) * 4 * size)]);
}

export function encodeIco(images: { size: number; rgba: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const bodies = images.map(({ size, rgba }) => (size >= 256 ? encodePng(size, rgba) : icoBitmap(size, rgba)));
  let offset = header.length;
  images.forEach(({ size }, i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e);
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(bodies[i]!.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += bodies[i]!.length;
  });
  return Buffer.concat([header, ...bodies]);
}

/** icns with PNG entries: ic07 128, ic08 256, ic09 512, ic10 1024 (512@2x). */
export function encodeIcns(pngs: { type: string; png: Buffer }[]): Buffer {
  const entries = pngs.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + entries.reduce((sum, e) => sum + e.length, 0), 4);
  return Buffer.concat([head, ...entries]);
}

/** Every file, by path relative to build/. */
export function makeIcons(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const app = new Map([16, 24, 32, 48, 64, 128, 256, 512, 1024].map((size) => [size, render(size, appPaint)]));
  const png = (size: number) => encodePng(size, app.get(size)!);
  files.set('icon.png', png(512));
  for (const size of [16, 32, 48, 64, 128, 256, 512]) files.set(`icons/${size}x${size}.png`, png(size));
  files.set('icon.ico', encodeIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, rgba: app.get(size)! }))));
  files.set(
    'icon.icns',
    encodeIcns(
      [
        ['ic07', 128],
        ['ic08', 256],
        ['ic09', 512],
        ['ic10', 1024],
      ].map(([type, size]) => ({ type: type as string, png: png(size as number) })),
    ),
  );
  for (const state of Object.keys(STATE_COLOURS) as TrayState[]) {
    for (const template of [false, true]) {
      const name = template ? `${state}Template` : state;
      files.set(`tray/${name}.png`, encodePng(16, render(16, trayPaint(state, template))));
      files.set(`tray/${name}@2x.png`, encodePng(32, render(32, trayPaint(state, template))));
    }
  }
  return files;
}

export function writeIcons(outDir: string): string[] {
  const files = makeIcons();
  for (const [path, data] of files) {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), data);
  }
  return [...files.keys()];
}

if (import.meta.main) {
  const outDir = process.argv[2] ?? fileURLToPath(new URL('.', import.meta.url));
  console.log(`wrote ${writeIcons(outDir).length} files to ${outDir}`);
}
