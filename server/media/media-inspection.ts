import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { ApiError } from '../api-error.ts';
import { MEDIA_MAX_BYTES, sizeInWords } from '../contract/limits.ts';
import type { MediaKind } from '../contract/media.ts';

/** What WaGate learnt of a file to send: from its bytes, never from its name or what the caller said it was. */
// The decoders load with the first media send, not at every start: together they were a third of the modules a
// start loaded, in time and in idle memory (npm run bench).
const fileTypeOf = async (path: string) => (await import('file-type')).fileTypeFromFile(path);

export interface InspectedMedia {
  kind: MediaKind;
  mime_type: string;
  size: number;
  /** SHA-256 of the file, hex. */
  sha256: string;
  /** Documents: the name the recipient sees. */
  file_name: string | null;
  /** Audio, voice notes and videos whose length could be read. */
  seconds: number | null;
  /** Images. */
  width: number | null;
  height: number | null;
  /** Voice notes: 64 bars of 0–100, as WhatsApp draws them. */
  waveform: number[] | null;
  /** Images: a small JPEG shown before the download. */
  thumbnail: Buffer | null;
}

/** WhatsApp's voice notes are Ogg/Opus; this is how the sniffer and WhatsApp name it. */
export const VOICE_MIME = 'audio/ogg; codecs=opus';
/** Baileys makes image thumbnails 32 px wide, JPEG quality 50. */
const THUMBNAIL_WIDTH = 32;
const WAVEFORM_BARS = 64;

const ARTICLE: Record<MediaKind, string> = {
  image: 'An image',
  video: 'A video',
  audio: 'An audio file',
  voice: 'A voice note',
  document: 'A document',
  sticker: 'A sticker',
};

/** The types WhatsApp shows as each kind (anything may go as a document), and what to say otherwise. */
const ACCEPTS: Record<Exclude<MediaKind, 'document'>, { ok: (mime: string) => boolean; want: string }> = {
  image: { ok: (m) => m === 'image/jpeg' || m === 'image/png', want: 'JPEG or PNG' },
  sticker: { ok: (m) => m === 'image/webp', want: 'a WebP image' },
  video: { ok: (m) => m === 'video/mp4' || m === 'video/3gpp', want: 'MP4 or 3GPP' },
  audio: { ok: (m) => m.startsWith('audio/'), want: 'audio (MP3, AAC, M4A, AMR or Ogg)' },
  voice: {
    ok: (m) => m === VOICE_MIME,
    want: `Ogg/Opus audio (${VOICE_MIME}); convert it first (e.g. ffmpeg -i in.m4a -c:a libopus voice.ogg) or send it with kind "audio"`,
  },
};

/** The kind a file is sent as when the caller does not say: by its sniffed type. */
export function kindOf(mime: string): MediaKind {
  if (mime === 'image/webp') return 'sticker';
  if (ACCEPTS.image.ok(mime)) return 'image';
  if (ACCEPTS.video.ok(mime)) return 'video';
  if (mime === VOICE_MIME) return 'voice';
  if (mime.startsWith('audio/')) return 'audio';
  return 'document';
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The size check alone, for a file whose kind is known before its bytes are all there. */
export function checkSize(kind: MediaKind, size: number): void {
  const max = MEDIA_MAX_BYTES[kind];
  if (size > max) {
    const words = `${ARTICLE[kind]} may be at most ${sizeInWords(max)} (${max} bytes)`;
    throw new ApiError(413, `${words}; this file is ${sizeInWords(size)} (${size} bytes)`);
  }
}

/**
 * Sniffs a file's type from its bytes, settles its kind, checks it against WhatsApp's limits and formats (413, 415),
 * and reads what the message carries besides the file: dimensions and a thumbnail, seconds, a waveform.
 */
export async function inspectMedia(
  path: string,
  request: { kind?: MediaKind; fileName?: string | null },
): Promise<InspectedMedia> {
  const size = statSync(path).size;
  if (size === 0) throw new ApiError(400, 'The file is empty');
  const sniffed = await fileTypeOf(path);
  const mime = sniffed?.mime ?? 'application/octet-stream';
  const kind = request.kind ?? kindOf(mime);
  if (kind !== 'document' && !ACCEPTS[kind].ok(mime)) {
    const what = sniffed ? mime : 'of a type that could not be recognised';
    throw new ApiError(415, `${ARTICLE[kind]} must be ${ACCEPTS[kind].want}; this file is ${what}`);
  }
  checkSize(kind, size);
  const media: InspectedMedia = {
    kind,
    mime_type: mime,
    size,
    sha256: await sha256Of(path),
    file_name: kind === 'document' ? (request.fileName ?? `file.${sniffed?.ext ?? 'bin'}`) : null,
    seconds: null,
    width: null,
    height: null,
    waveform: null,
    thumbnail: null,
  };
  if (kind === 'image') Object.assign(media, await imageFacts(path));
  if (kind === 'audio' || kind === 'voice' || kind === 'video') media.seconds = await secondsOf(path);
  if (kind === 'voice') media.waveform = await waveformOf(path);
  return media;
}

/**
 * The image's size as it is shown (its EXIF orientation applied) and its thumbnail, through sharp (libvips, prebuilt;
 * Baileys' own choice, installed as its peer): a 1 MB JPEG in ~10 ms where jimp's JavaScript decoder took ~185 ms of
 * the event loop (npm run bench, images). A file whose bytes do not decode is a 415.
 */
async function imageFacts(path: string): Promise<Pick<InspectedMedia, 'width' | 'height' | 'thumbnail'>> {
  const { default: sharp } = await import('sharp');
  // Each file is read once: libvips' cache of operations (up to 100) would only hold memory.
  sharp.cache(false);
  const image = sharp(path).autoOrient();
  try {
    const { autoOrient } = await image.metadata();
    const thumbnail = await image.resize({ width: THUMBNAIL_WIDTH }).jpeg({ quality: 50 }).toBuffer();
    return { width: autoOrient.width, height: autoOrient.height, thumbnail };
  } catch {
    throw new ApiError(415, 'The image could not be read: its bytes start like an image but it is damaged');
  }
}

/** Whole seconds, rounded up as WhatsApp shows them; null when the container does not say. */
async function secondsOf(path: string): Promise<number | null> {
  try {
    const { parseFile } = await import('music-metadata');
    const { format } = await parseFile(path, { duration: true });
    return format.duration ? Math.ceil(format.duration) : null;
  } catch {
    return null;
  }
}

/**
 * The voice note's waveform as WhatsApp (and Baileys' getAudioWaveform) draws it: the mean loudness of 64 equal
 * slices, scaled so the loudest is 100. Decoded here rather than by Baileys: its call hands audio-decode a pooled
 * Buffer's whole ArrayBuffer, which small files fail on.
 */
async function waveformOf(path: string): Promise<number[] | null> {
  try {
    const { default: decodeAudio } = await import('audio-decode');
    const audio = await decodeAudio(new Uint8Array(readFileSync(path)));
    const samples = audio.getChannelData(0);
    const block = Math.floor(samples.length / WAVEFORM_BARS);
    if (block === 0) return null;
    const means = Array.from({ length: WAVEFORM_BARS }, (_, i) => {
      let sum = 0;
      for (let j = 0; j < block; j++) sum += Math.abs(samples[i * block + j]!);
      return sum / block;
    });
    const loudest = Math.max(...means);
    return means.map((m) => (loudest > 0 ? Math.floor((100 * m) / loudest) : 0));
  } catch {
    return null;
  }
}
