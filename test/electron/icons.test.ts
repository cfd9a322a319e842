import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { makeIcons } from '../../build/make-icons.ts';

const buildDir = fileURLToPath(new URL('../../build/', import.meta.url));
const icons = makeIcons();

/** Width, height and the alpha of every pixel of an 8-bit RGBA PNG (filter 0, as the project writes them). */
function readPng(png: Buffer): { width: number; height: number; alpha: number[] } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const at = png.indexOf('IDAT');
  const rows = inflateSync(png.subarray(at + 4, at + 4 + png.readUInt32BE(at - 4)));
  const alpha: number[] = [];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) alpha.push(rows[y * (width * 4 + 1) + 1 + x * 4 + 3]!);
  return { width, height, alpha };
}

test('the committed icons are exactly what build/make-icons.ts makes', () => {
  for (const [path, data] of icons) {
    assert.ok(existsSync(`${buildDir}${path}`), `build/${path} is missing: run node build/make-icons.ts`);
    assert.ok(readFileSync(`${buildDir}${path}`).equals(data), `build/${path} is stale: run node build/make-icons.ts`);
  }
});

test('each OS gets its sizes: Linux PNGs, a Windows .ico up to 256, a macOS .icns up to 1024', () => {
  for (const size of [16, 32, 48, 64, 128, 256, 512]) {
    const png = readPng(icons.get(`icons/${size}x${size}.png`)!);
    assert.deepEqual([png.width, png.height], [size, size]);
  }
  assert.equal(readPng(icons.get('icon.png')!).width, 512);

  const ico = icons.get('icon.ico')!;
  assert.equal(ico.readUInt16LE(2), 1, 'type: icon');
  const count = ico.readUInt16LE(4);
  const sizes = Array.from({ length: count }, (_, i) => ico.readUInt8(6 + 16 * i) || 256);
  assert.deepEqual(sizes, [16, 24, 32, 48, 64, 128, 256]);
  const last = 6 + 16 * (count - 1);
  assert.equal(ico.readUInt32LE(last + 8) + ico.readUInt32LE(last + 12), ico.length, 'the entries fill the file');

  const icns = icons.get('icon.icns')!;
  assert.equal(icns.subarray(0, 4).toString(), 'icns');
  assert.equal(icns.readUInt32BE(4), icns.length);
  const types: string[] = [];
  for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) types.push(icns.subarray(at, at + 4).toString());
  assert.deepEqual(types, ['ic07', 'ic08', 'ic09', 'ic10']);
});

test('tray images: four looks, 1x and 2x, coloured and macOS Template (black and alpha only)', () => {
  for (const state of ['linked', 'pairing', 'disconnected', 'error']) {
    for (const [suffix, size] of [
      ['', 16],
      ['@2x', 32],
    ] as const) {
      const coloured = icons.get(`tray/${state}${suffix}.png`)!;
      const template = icons.get(`tray/${state}Template${suffix}.png`)!;
      assert.equal(readPng(coloured).width, size);
      const t = readPng(template);
      assert.equal(t.width, size);
      assert.ok(
        t.alpha.some((a) => a === 255) && t.alpha.some((a) => a === 0),
        `${state}Template${suffix} has a shape`,
      );
      const at = template.indexOf('IDAT');
      const rows = inflateSync(template.subarray(at + 4, at + 4 + template.readUInt32BE(at - 4)));
      for (let i = 0; i < size * size; i++) {
        const o = Math.floor(i / size) * (size * 4 + 1) + 1 + (i % size) * 4;
        if (rows[o + 3]! > 0)
          assert.deepEqual([rows[o], rows[o + 1], rows[o + 2]], [0, 0, 0], 'Template images are black');
      }
    }
  }
  const looks = ['linked', 'pairing', 'disconnected', 'error'].map((s) =>
    icons.get(`tray/${s}Template@2x.png`)!.toString('base64'),
  );
  assert.equal(new Set(looks).size, 4, 'every look differs in shape, not only in colour');
});
