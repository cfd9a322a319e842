import { z } from 'zod';
import {
  MAX_CAPTION_LENGTH,
  MAX_FILE_NAME_LENGTH,
  MAX_URL_LENGTH,
  MEDIA_MAX_BASE64_BYTES,
  sizeInWords,
} from './limits.ts';
import { SendMessageBody } from './messages.ts';

/**
 * What a media message is, in WhatsApp's terms: `voice` is a voice note (push-to-talk: Ogg/Opus with its seconds and
 * waveform), `audio` any other audio file; a `document` keeps its file name.
 */
export const MediaKindSchema = z.enum(['image', 'video', 'audio', 'voice', 'document', 'sticker']);
export type MediaKind = z.infer<typeof MediaKindSchema>;

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

/**
 * `POST /chats/{chat_jid}/media`: the file comes as the multipart `file` part, or as `url` or `base64` in JSON (one
 * of the three); the rest is the text endpoint's options. The kind follows the file's sniffed type when not given.
 */
export const SendMediaBody = SendMessageBody.omit({ text: true }).extend({
  kind: MediaKindSchema.optional().meta({
    description: 'image, video, audio, voice (an Ogg/Opus voice note), document or sticker; by default from the bytes',
  }),
  url: z
    .string({ error: 'url must be a string' })
    .max(MAX_URL_LENGTH, `url is longer than ${MAX_URL_LENGTH} characters`)
    .optional()
    .meta({ description: 'An http or https URL to fetch the file from (public addresses only unless allowed)' }),
  base64: z
    .string({ error: 'base64 must be a string' })
    .optional()
    .meta({ description: `The file in base64 (or a data: URL), at most ${sizeInWords(MEDIA_MAX_BASE64_BYTES)}` }),
  file_name: z
    .string({ error: 'file_name must be a string' })
    .min(1, 'file_name must not be empty')
    .max(MAX_FILE_NAME_LENGTH, `file_name is longer than ${MAX_FILE_NAME_LENGTH} characters`)
    .refine(
      (name) => !name.includes('/') && !name.includes('\\') && !name.includes('\0'),
      'file_name must be a name, without / or \\',
    )
    .optional()
    .meta({ description: "A document's name as the recipient sees it (default: the upload's name)" }),
  caption: z
    .string({ error: 'caption must be a string' })
    .max(MAX_CAPTION_LENGTH, `caption is longer than WhatsApp allows (${MAX_CAPTION_LENGTH} characters)`)
    .refine((text) => text.isWellFormed(), 'caption must be valid Unicode (it holds a lone surrogate)')
    .optional()
    .meta({ description: 'Shown under an image, a video or a document' }),
});
export type SendMediaBody = z.infer<typeof SendMediaBody>;
