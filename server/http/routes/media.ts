import { createReadStream, existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { RequestHandler, Response } from 'express';
import { loadExpress } from '../express-on-demand.ts';
import type { MediaConfig } from '../../config.ts';
import { ApiError } from '../../api-error.ts';
import {
  AcceptedResultSchema,
  ChatParams,
  MessageParams,
  SendHeaders,
  SendMediaBody,
  SendResultSchema,
} from '../../contract/messages.ts';
import { isMediaContent, type MediaContent } from '../../contract/message-content.ts';
import type { MessageStore } from '../../store/messages.ts';
import type { InboundMedia } from '../../whatsapp/inbound-media.ts';
import { MEDIA_MAX_ANY_BYTES, MEDIA_MAX_BASE64_BYTES, MEDIA_MAX_BYTES } from '../../contract/limits.ts';
import { mediaUrlOf } from '../../contract/media.ts';
import { inspectMedia, type InspectedMedia } from '../../media/media-inspection.ts';
import { fetchUrlSource } from '../../media/url-source.ts';
import type { MediaFiles } from '../../store/media-files.ts';
import type { Sender } from '../../whatsapp/sender.ts';
import { readMultipart, writeBase64 } from '../media-body.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import { answerSend, mentionsOf, prefersAsync } from '../send-answers.ts';

/** Where the arriving file is, and the name a multipart upload gave it. */
interface Arrival {
  path: string;
  upload: { fileName: string | null } | null;
}

const arrivalOf = (res: Response): Arrival => res.locals.mediaArrival as Arrival;

/** Kinds WhatsApp shows a caption under. */
const CAPTIONED = new Set(['image', 'video', 'document']);

/**
 * Reads the body before validation: multipart (its `file` part written to the data folder as it arrives) or JSON
 * big enough for a base64 file; anything else is a 415 that says what to send.
 */
function mediaBody(files: MediaFiles): RequestHandler {
  let json: RequestHandler | null = null;
  return (req, res, next) => {
    const path = files.incomingPath();
    res.locals.mediaArrival = { path, upload: null } satisfies Arrival;
    if (req.is('multipart/form-data')) {
      readMultipart(req, path).then(({ fields, upload }) => {
        req.body = fields;
        res.locals.mediaArrival = { path, upload } satisfies Arrival;
        next();
      }, next);
      return;
    }
    if (req.is('application/json')) {
      json ??= loadExpress().json({ limit: Math.ceil((MEDIA_MAX_BASE64_BYTES * 4) / 3) + 64 * 1024, strict: false });
      return json(req, res, next);
    }
    next(new ApiError(415, 'Content-Type must be multipart/form-data (with a file part) or application/json'));
  };
}

/** The file to `path` from the one source the request names: the upload, `url` or `base64`. */
async function bring(
  arrival: Arrival,
  body: SendMediaBody,
  allowPrivate: boolean,
): Promise<{ fileName: string | null }> {
  const sources = [arrival.upload, body.url, body.base64].filter((s) => s != null).length;
  if (sources !== 1) {
    throw new ApiError(400, 'Give the file one way: a multipart "file" part, "url" or "base64"');
  }
  if (body.url !== undefined) {
    const maxBytes = body.kind ? MEDIA_MAX_BYTES[body.kind] : MEDIA_MAX_ANY_BYTES;
    await fetchUrlSource(body.url, arrival.path, { maxBytes, allowPrivate });
    const last = new URL(body.url).pathname.split('/').pop();
    return { fileName: last ? decodeURIComponent(last) : null };
  }
  if (body.base64 !== undefined) {
    await writeBase64(body.base64, arrival.path);
    return { fileName: null };
  }
  return { fileName: arrival.upload!.fileName };
}

function contentOf(media: InspectedMedia, caption: string | undefined): MediaContent {
  if (caption && !CAPTIONED.has(media.kind)) {
    throw new ApiError(400, `A ${media.kind} cannot have a caption: only images, videos and documents do`);
  }
  return {
    kind: media.kind,
    caption: caption ?? null,
    media: {
      mime_type: media.mime_type,
      size: media.size,
      sha256: media.sha256,
      file_name: media.file_name,
      url: '',
      seconds: media.seconds,
      width: media.width,
      height: media.height,
      waveform: media.waveform,
    },
  };
}

/** `POST /chats/{chat_jid}/media`: a media message, through the outbox like text. */
export function createMediaRouter(deps: {
  sender: Sender;
  files: MediaFiles;
  config: MediaConfig;
  messages: Pick<MessageStore, 'get'>;
  inbound: Pick<InboundMedia, 'file'>;
}): ApiRouter {
  const api = createApiRouter();
  api.route(
    {
      method: 'post',
      path: '/chats/{chat_jid}/media',
      summary: 'Send an image, video, audio file, voice note, document or sticker',
      tag: 'Messages',
      auth: true,
      bodyReader: mediaBody(deps.files),
      params: ChatParams,
      // No Idempotency-Key: its fingerprint is the JSON body, which a multipart upload's file is not part of.
      headers: SendHeaders.pick({ Prefer: true }),
      body: SendMediaBody,
      upload: { field: 'file', description: 'The file (instead of url or base64)' },
      bodyExample: {
        kind: 'document',
        url: 'https://example.com/invoice-42.pdf',
        file_name: 'invoice-42.pdf',
        caption: 'Your invoice',
      },
      data: SendResultSchema,
      dataExample: { message_id: '3EB0ABC123DEF456789', status: 'sent', timestamp: 1702129024 },
      accepted: {
        data: AcceptedResultSchema,
        description: 'In the outbox (with its file kept in the data folder) and certain to be sent, as for text',
      },
      errors: [400, 401, 404, 409, 413, 415, 429, 500, 502, 503, 504],
    },
    async ({ params, headers, body }, res) => {
      const arrival = arrivalOf(res);
      let keptAs: string | null = null;
      try {
        const { fileName } = await bring(arrival, body, deps.config.allow_private_urls);
        const media = await inspectMedia(arrival.path, { kind: body.kind, fileName: body.file_name ?? fileName });
        const content = contentOf(media, body.caption);
        const preferAsync = prefersAsync(headers.Prefer);
        const outcome = await deps.sender.send({
          chatJid: params.chat_jid,
          content,
          beforeAccept: (messageId) => {
            deps.files.keepOutbound(arrival.path, messageId, media.thumbnail);
            keptAs = messageId;
            content.media.url = mediaUrlOf(messageId);
          },
          mentions: mentionsOf(params.chat_jid, body.mentions),
          replyToMessageId: body.reply_to_message_id,
          typingSimulation: body.typing_simulation,
          presenceSimulation: body.presence_simulation,
          async: body.async || preferAsync,
          sendAt: body.send_at ?? null,
        });
        answerSend(res, outcome, preferAsync);
      } catch (error) {
        // Refused before or as it was accepted: its file goes. (A 500 comes after acceptance: the outbox may retry.)
        const code = error instanceof ApiError ? error.code : 500;
        if (keptAs && code !== 500) deps.files.remove(keptAs);
        throw error;
      } finally {
        await rm(arrival.path, { force: true });
      }
    },
  );
  api.route(
    {
      method: 'get',
      path: '/messages/{message_id}/media',
      summary: "A media message's file, sent or received, with its type and name",
      tag: 'Messages',
      auth: true,
      params: MessageParams,
      produces: 'application/octet-stream',
      errors: [401, 404, 410, 413, 502],
    },
    async ({ params }, res) => {
      const message = deps.messages.get(params.message_id);
      if (!message) throw new ApiError(404, 'Message not found');
      if (!isMediaContent(message)) throw new ApiError(404, `This message is a ${message.kind}, not a media file`);
      const path =
        message.direction === 'outbound'
          ? deps.files.outboundFile(message.message_id)
          : await deps.inbound.file(message.message_id);
      if (!existsSync(path)) throw new ApiError(410, 'WaGate no longer keeps this file');
      const name = message.media.file_name;
      res.set({
        'Content-Type': message.media.mime_type,
        'Content-Length': String(statSync(path).size),
        'Content-Disposition': name
          ? `${message.kind === 'document' ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(name)}`
          : 'inline',
        // The type is the file's own (sniffed or stated): never let a browser guess another.
        'X-Content-Type-Options': 'nosniff',
      });
      await pipeline(createReadStream(path), res);
    },
  );
  return api;
}
