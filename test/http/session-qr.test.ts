import { test } from 'node:test';
import assert from 'node:assert/strict';
import QRCode from 'qrcode';
import { Jimp } from 'jimp';
import { startSandboxCore } from '../support/core.ts';
import { waitForState } from '../support/waits.ts';
import { qrPng } from '../../server/http/qr-png.ts';

/** What a PNG shows, decoded by another library (Jimp): its size and its RGBA pixels. */
async function picture(png: Buffer): Promise<{ width: number; height: number; rgba: Buffer }> {
  const { bitmap } = await Jimp.read(png);
  return { width: bitmap.width, height: bitmap.height, rgba: Buffer.from(bitmap.data) };
}

/** The picture qrcode's own PNG renderer draws of `text` at the API's size. */
const drawnByQrcode = async (text: string) => picture(await QRCode.toBuffer(text, { margin: 2, width: 320 }));

function assertSamePicture(actual: Awaited<ReturnType<typeof picture>>, expected: typeof actual, what: string): void {
  assert.equal(actual.width, expected.width, `${what}: width`);
  assert.equal(actual.height, expected.height, `${what}: height`);
  assert.ok(actual.rgba.equals(expected.rgba), `${what}: the same pixels as qrcode's own PNG`);
}

test('the pairing QR, as JSON and as PNG, is the picture qrcode draws: 320 pixels square, pixel for pixel', async (t) => {
  const h = await startSandboxCore(t);
  await waitForState(h.core, 'qr');
  const json = await h.call('/session/qr?format=json');
  assert.equal(json.status, 200);
  const { qr, data_url } = json.body.data as { qr: string; data_url: string };
  const prefix = 'data:image/png;base64,';
  assert.ok(data_url.startsWith(prefix), data_url.slice(0, 40));
  const expected = await drawnByQrcode(qr);
  assert.equal(expected.width, 320);
  assertSamePicture(await picture(Buffer.from(data_url.slice(prefix.length), 'base64')), expected, 'data_url');

  const png = await fetch(`${h.core.url}/session/qr`, { headers: { authorization: h.key } });
  assert.equal(png.status, 200);
  assert.equal(png.headers.get('content-type'), 'image/png');
  assertSamePicture(await picture(Buffer.from(await png.arrayBuffer())), expected, 'GET /session/qr');
});

test('QRs of every size WhatsApp and the sandbox make are drawn as qrcode draws them', async () => {
  // From a few characters to a long ref with three keys: small and large QR versions, scales that do not divide 320.
  for (const text of ['2@a', `2@${'Ab9+/'.repeat(20)}`, `2@${'x'.repeat(180)},${'k'.repeat(43)}=,${'i'.repeat(43)}=`]) {
    const drawn = qrPng(text, { margin: 2, width: 320 });
    assertSamePicture(await picture(drawn), await drawnByQrcode(text), `${text.length} characters`);
  }
});
