import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Jimp } from 'jimp';
import { ApiError } from '../../server/api-error.ts';
import { MEDIA_MAX_BYTES } from '../../server/contract/limits.ts';
import { inspectMedia } from '../../server/media/media-inspection.ts';
import { tempDir } from '../support/temp-dir.ts';
import { imageFile, mp3File, mp4File, oggOpusFile, pdfFile, WEBP_STICKER } from '../support/media-files.ts';
import type { Scope } from '../support/scope.ts';

function fileWith(t: Scope, bytes: Buffer, name = 'f'): string {
  const path = join(tempDir(t), name);
  writeFileSync(path, bytes);
  return path;
}

const refused = (code: number, words: RegExp) => (e: unknown) =>
  e instanceof ApiError && e.code === code && words.test(e.message);

test('the kind follows the bytes when not given: image, sticker, video, voice, audio, document', async (t) => {
  const cases: [Buffer, string, string][] = [
    [await imageFile('image/png'), 'image', 'image/png'],
    [await imageFile('image/jpeg'), 'image', 'image/jpeg'],
    [WEBP_STICKER, 'sticker', 'image/webp'],
    [mp4File(), 'video', 'video/mp4'],
    [oggOpusFile(2), 'voice', 'audio/ogg; codecs=opus'],
    [mp3File(), 'audio', 'audio/mpeg'],
    [pdfFile(), 'document', 'application/pdf'],
  ];
  for (const [bytes, kind, mime] of cases) {
    const media = await inspectMedia(fileWith(t, bytes), {});
    assert.deepEqual([media.kind, media.mime_type, media.size], [kind, mime, bytes.length], kind);
    assert.equal(media.sha256, createHash('sha256').update(bytes).digest('hex'));
  }
});

test('the name does not decide the type: a PDF named photo.jpg sent as an image is a 415 saying what it is', async (t) => {
  const path = fileWith(t, pdfFile(), 'photo.jpg');
  await assert.rejects(
    inspectMedia(path, { kind: 'image', fileName: 'photo.jpg' }),
    refused(415, /An image must be JPEG or PNG; this file is application\/pdf/),
  );
  const doc = await inspectMedia(path, { fileName: 'photo.jpg' });
  assert.deepEqual([doc.kind, doc.mime_type, doc.file_name], ['document', 'application/pdf', 'photo.jpg']);
});

test('a voice note must be Ogg/Opus: an MP3 is a 415 that says what to send', async (t) => {
  await assert.rejects(
    inspectMedia(fileWith(t, mp3File()), { kind: 'voice' }),
    refused(
      415,
      /A voice note must be Ogg\/Opus audio \(audio\/ogg; codecs=opus\).*kind "audio".*this file is audio\/mpeg/,
    ),
  );
});

test('a voice note gets its seconds and a 64-bar waveform; an image its size and a JPEG thumbnail', async (t) => {
  const voice = await inspectMedia(fileWith(t, oggOpusFile(3)), { kind: 'voice' });
  assert.equal(voice.seconds, 3);
  assert.equal(voice.waveform?.length, 64);
  const image = await inspectMedia(fileWith(t, await imageFile('image/png', 320, 200)), {});
  assert.deepEqual([image.width, image.height], [320, 200]);
  const thumb = await Jimp.read(image.thumbnail!);
  assert.deepEqual([thumb.mime, thumb.width], ['image/jpeg', 32]);
});

test('an image is measured as it is shown (its EXIF orientation applied); one whose bytes do not decode is a 415', async (t) => {
  const { default: sharp } = await import('sharp');
  const turned = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#3366cc' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const image = await inspectMedia(fileWith(t, turned), {});
  assert.deepEqual([image.width, image.height], [200, 320], 'a phone photo taken upright is taller than wide');
  const thumb = await Jimp.read(image.thumbnail!);
  assert.deepEqual([thumb.width, thumb.height], [32, 51]);
  const jpeg = await imageFile('image/jpeg', 320, 200);
  await assert.rejects(
    inspectMedia(fileWith(t, jpeg.subarray(0, jpeg.length / 2)), {}),
    refused(415, /could not be read: its bytes start like an image but it is damaged/),
  );
});

test("WhatsApp's limits, in words: a sticker over 500 KB and an empty file are refused before anything is sent", async (t) => {
  const big = Buffer.concat([WEBP_STICKER, Buffer.alloc(MEDIA_MAX_BYTES.sticker)]);
  await assert.rejects(
    inspectMedia(fileWith(t, big), { kind: 'sticker' }),
    refused(413, /^A sticker may be at most 500 KB \(512000 bytes\); this file is 500 KB \(512034 bytes\)$/),
  );
  await assert.rejects(inspectMedia(fileWith(t, Buffer.alloc(0)), {}), refused(400, /empty/));
});

test('a document keeps the name given, or gets one from its type', async (t) => {
  const named = await inspectMedia(fileWith(t, pdfFile()), { kind: 'document', fileName: 'invoice 42.pdf' });
  assert.equal(named.file_name, 'invoice 42.pdf');
  const unnamed = await inspectMedia(fileWith(t, pdfFile()), { kind: 'document' });
  assert.equal(unnamed.file_name, 'file.pdf');
});
