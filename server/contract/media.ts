import { z } from 'zod';

/**
 * What a media message is, in WhatsApp's terms: `voice` is a voice note (push-to-talk: Ogg/Opus with its seconds and
 * waveform), `audio` any other audio file; a `document` keeps its file name.
 */
export const MediaKindSchema = z.enum(['image', 'video', 'audio', 'voice', 'document', 'sticker']);
export type MediaKind = z.infer<typeof MediaKindSchema>;

/** Where WaGate serves a message's media file. */
export const mediaUrlOf = (messageId: string) => `/messages/${encodeURIComponent(messageId)}/media`;

/** A media file as a recipient sees it once decrypted: what the sandbox's contacts show, and inbound events carry. */
export const MediaFileSchema = z.object({
  mime_type: z.string(),
  /** Bytes of the decrypted file. */
  size: z.number().int().nonnegative(),
  /** SHA-256 of the decrypted file, hex. */
  sha256: z.string(),
  file_name: z.string().nullable(),
});
export type MediaFile = z.infer<typeof MediaFileSchema>;
