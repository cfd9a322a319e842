import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getMediaKeys, type MediaType, type proto } from '@whiskeysockets/baileys';
import type { MediaKind } from '../contract/media.ts';
import type { ContactMedia } from '../contract/sandbox.ts';
import type { MediaServers } from './media-servers.ts';

type MediaPart =
  | proto.Message.IImageMessage
  | proto.Message.IVideoMessage
  | proto.Message.IAudioMessage
  | proto.Message.IDocumentMessage
  | proto.Message.IStickerMessage;

/** A message's media part, its kind and the key type its file is encrypted under (Baileys' MEDIA_HKDF_KEY_MAPPING). */
export interface FoundMedia {
  kind: MediaKind;
  keyType: MediaType;
  part: MediaPart;
  caption: string | null;
}

/** The media part of a message, if it has one (a captioned document comes wrapped in documentWithCaptionMessage). */
export function findMedia(msg: proto.IMessage): FoundMedia | null {
  if (msg.imageMessage) return found('image', 'image', msg.imageMessage, msg.imageMessage.caption);
  if (msg.videoMessage) return found('video', 'video', msg.videoMessage, msg.videoMessage.caption);
  if (msg.audioMessage) return found(msg.audioMessage.ptt ? 'voice' : 'audio', 'audio', msg.audioMessage, null);
  if (msg.stickerMessage) return found('sticker', 'sticker', msg.stickerMessage, null);
  const doc = msg.documentMessage ?? msg.documentWithCaptionMessage?.message?.documentMessage;
  if (doc) return found('document', 'document', doc, doc.caption);
  return null;
}

function found(kind: MediaKind, keyType: MediaType, part: MediaPart, caption?: string | null): FoundMedia {
  return { kind, keyType, part, caption: caption ?? null };
}

/** Baileys' HKDF expansion of a media key (its type leaves the parts optional; it always fills them). */
async function mediaKeys(
  mediaKey: Buffer,
  keyType: MediaType,
): Promise<{ iv: Buffer; cipherKey: Buffer; macKey: Buffer }> {
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, keyType);
  if (!macKey) throw new Error('no MAC key');
  return { iv: Buffer.from(iv), cipherKey: Buffer.from(cipherKey), macKey: Buffer.from(macKey) };
}

const bytesOf = (v: Uint8Array | string | null | undefined): Buffer | null =>
  v == null ? null : typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.from(v);

/**
 * What a recipient's phone does with a media message: downloads the encrypted file at its direct path, checks its
 * SHA-256 and MAC, decrypts it (AES-256-CBC under the media key's HKDF expansion) and checks the plain SHA-256.
 */
export async function receiveMedia(servers: MediaServers, media: FoundMedia): Promise<ContactMedia> {
  const { part } = media;
  const described = describe(media);
  const fail = (error: string): ContactMedia => ({ ...described, sha256: null, error });
  const mediaKey = bytesOf(part.mediaKey);
  if (!part.directPath || !mediaKey) return fail('no direct path or media key');
  const encrypted = servers.read(part.directPath);
  if (!encrypted) return fail('the media server does not have the file');
  const encSha = bytesOf(part.fileEncSha256);
  if (!encSha || !createHash('sha256').update(encrypted).digest().equals(encSha)) return fail('fileEncSha256 differs');
  const { iv, cipherKey, macKey } = await mediaKeys(mediaKey, media.keyType);
  const body = encrypted.subarray(0, -10);
  const mac = createHmac('sha256', macKey).update(iv).update(body).digest().subarray(0, 10);
  if (!timingSafeEqual(mac, encrypted.subarray(-10))) return fail('MAC differs');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
    plain = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return fail('does not decrypt');
  }
  const sha256 = createHash('sha256').update(plain).digest();
  const declared = bytesOf(part.fileSha256);
  if (!declared || !sha256.equals(declared)) return fail('fileSha256 differs');
  return { ...described, size: plain.length, sha256: sha256.toString('hex'), error: null };
}

function describe({ kind, part }: FoundMedia): Omit<ContactMedia, 'sha256' | 'error'> {
  const audio = kind === 'audio' || kind === 'voice' ? (part as proto.Message.IAudioMessage) : null;
  const visual =
    kind === 'image' || kind === 'video' || kind === 'sticker' ? (part as proto.Message.IImageMessage) : null;
  return {
    mime_type: part.mimetype ?? '',
    size: Number(part.fileLength ?? 0),
    file_name: kind === 'document' ? ((part as proto.Message.IDocumentMessage).fileName ?? null) : null,
    seconds: audio?.seconds ?? (kind === 'video' ? ((part as proto.Message.IVideoMessage).seconds ?? null) : null),
    waveform_bars: audio?.waveform?.length ?? 0,
    width: visual?.width ?? null,
    height: visual?.height ?? null,
    has_thumbnail: Boolean(visual?.jpegThumbnail?.length),
  };
}

/** Encrypts a file as a sender's client does before uploading it: the upload body and the keys the message carries. */
export function encryptMedia(
  plain: Buffer,
  keyType: MediaType,
): Promise<{ encrypted: Buffer; mediaKey: Buffer; fileSha256: Buffer; fileEncSha256: Buffer }> {
  const mediaKey = randomBytes(32);
  return mediaKeys(mediaKey, keyType).then(({ iv, cipherKey, macKey }) => {
    const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const mac = createHmac('sha256', macKey).update(iv).update(body).digest().subarray(0, 10);
    const encrypted = Buffer.concat([body, mac]);
    return {
      encrypted,
      mediaKey,
      fileSha256: createHash('sha256').update(plain).digest(),
      fileEncSha256: createHash('sha256').update(encrypted).digest(),
    };
  });
}
