import { normalizeMessageContent, type proto } from '@whiskeysockets/baileys';
import type { MediaContent } from '../contract/message-content.ts';
import { mediaUrlOf } from '../contract/media.ts';

type Part = proto.Message.IImageMessage &
  proto.Message.IVideoMessage &
  proto.Message.IAudioMessage &
  proto.Message.IDocumentMessage &
  proto.Message.IStickerMessage;

/** The kind and media part of a received message, if it is a media message. */
function partOf(content: proto.IMessage): { kind: MediaContent['kind']; part: Part } | null {
  const doc = content.documentMessage ?? content.documentWithCaptionMessage?.message?.documentMessage;
  if (content.imageMessage) return { kind: 'image', part: content.imageMessage as Part };
  if (content.videoMessage) return { kind: 'video', part: content.videoMessage as Part };
  if (content.audioMessage) return { kind: content.audioMessage.ptt ? 'voice' : 'audio', part: content.audioMessage };
  if (content.stickerMessage) return { kind: 'sticker', part: content.stickerMessage as Part };
  if (doc) return { kind: 'document', part: doc as Part };
  return null;
}

const hex = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : '');

/** A received media message as WaGate shows it: what the message says of its file, and where WaGate serves it. */
export function receivedMediaOf(message: proto.IMessage | null | undefined, messageId: string): MediaContent | null {
  const content = normalizeMessageContent(message);
  const found = content ? partOf(content) : null;
  if (!found) return null;
  const { kind, part } = found;
  const visual = kind === 'image' || kind === 'video' || kind === 'sticker';
  return {
    kind,
    caption: part.caption ?? null,
    media: {
      mime_type: part.mimetype ?? 'application/octet-stream',
      size: Number(part.fileLength ?? 0),
      sha256: hex(part.fileSha256),
      file_name: kind === 'document' ? (part.fileName ?? null) : null,
      url: mediaUrlOf(messageId),
      seconds: part.seconds ?? null,
      width: visual ? (part.width ?? null) : null,
      height: visual ? (part.height ?? null) : null,
      waveform: kind === 'voice' && part.waveform?.length ? [...part.waveform] : null,
    },
  };
}
