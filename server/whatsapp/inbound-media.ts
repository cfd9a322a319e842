import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BufferJSON, downloadMediaMessage, normalizeMessageContent, type WAMessage } from '@whiskeysockets/baileys';
import type { Dispatcher } from 'undici';
import { ApiError } from '../api-error.ts';
import { sizeInWords } from '../contract/limits.ts';
import type { MediaConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { MediaFiles } from '../store/media-files.ts';
import { FILE_MODE } from '../data-folder.ts';

/**
 * Received media: each media message is kept (its keys and where WhatsApp has the file, in `inbound/<id>.json`) and
 * its file downloaded at once into the data folder, decrypted by Baileys and checked against the SHA-256 the message
 * states. A file not there yet is fetched when asked for; one WhatsApp's servers no longer have is gone (410).
 */
export interface InboundMedia {
  /** A media message arrived: keep what it says and download its file in the background. */
  keep(msg: WAMessage): void;
  /** The file of a received media message, downloading it now if need be. */
  file(messageId: string): Promise<string>;
}

const MEDIA_PARTS = ['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage'] as const;

/** The media part of a message: what it says of its file. */
export function mediaPartOf(msg: WAMessage): { fileLength: number; fileSha256: Buffer | null } | null {
  const content = normalizeMessageContent(msg.message);
  const doc = content?.documentWithCaptionMessage?.message?.documentMessage;
  const part = doc ?? MEDIA_PARTS.map((k) => content?.[k]).find((p) => p != null);
  if (!part) return null;
  return {
    fileLength: Number(part.fileLength ?? 0),
    fileSha256: bytesOf(part.fileSha256),
  };
}

/** Bytes as the message holds them: a Buffer, or base64 once kept as JSON. */
const bytesOf = (v: Uint8Array | string | null | undefined): Buffer | null =>
  v == null ? null : typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.from(v);

/** WhatsApp's media host answers 404 (or 410) for a file it no longer keeps. */
const isGone = (error: unknown) => {
  const status = (error as { output?: { statusCode?: number } }).output?.statusCode;
  return status === 404 || status === 410;
};

export function createInboundMedia(deps: {
  files: MediaFiles;
  config: Pick<MediaConfig, 'inbound_max_bytes' | 'inbound_retention_days'>;
  logger: Logger;
  /** Simulator modes: a dispatcher that trusts the simulator's media root. */
  dispatcher?: Dispatcher;
}): InboundMedia {
  const { files, config, logger } = deps;
  const downloading = new Map<string, Promise<string>>();
  const metaOf = (id: string) => `${files.inboundFile(id)}.json`;

  async function download(id: string): Promise<string> {
    const target = files.inboundFile(id);
    if (existsSync(target)) return target;
    if (!existsSync(metaOf(id))) throw new ApiError(404, 'This message has no media file');
    const msg = JSON.parse(readFileSync(metaOf(id), 'utf8'), BufferJSON.reviver) as WAMessage;
    const part = mediaPartOf(msg)!;
    if (part.fileLength > config.inbound_max_bytes) {
      throw new ApiError(
        413,
        `The file is ${sizeInWords(part.fileLength)}, more than WaGate keeps (config.json media.inbound_max_bytes)`,
      );
    }
    const options = deps.dispatcher ? { dispatcher: deps.dispatcher } : {};
    let stream: NodeJS.ReadableStream;
    try {
      stream = await downloadMediaMessage(msg, 'stream', { options } as object);
    } catch (error) {
      if (isGone(error)) {
        throw new ApiError(410, "WhatsApp's servers no longer have this file, and WaGate did not keep a copy");
      }
      throw new ApiError(502, `Could not download the file from WhatsApp: ${(error as Error).message}`);
    }
    const hash = createHash('sha256');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(size > config.inbound_max_bytes ? new ApiError(413, 'The file is larger than it said') : null, chunk);
      },
    });
    const part$ = `${target}.part`;
    try {
      await pipeline(stream, counter, createWriteStream(part$, { mode: FILE_MODE }));
    } catch (error) {
      rmSync(part$, { force: true });
      throw error instanceof ApiError ? error : new ApiError(502, 'The download from WhatsApp broke off');
    }
    if (part.fileSha256 && !hash.digest().equals(part.fileSha256)) {
      rmSync(part$, { force: true });
      throw new ApiError(502, "The file WhatsApp served does not match the message's SHA-256: it was not kept");
    }
    renameSync(part$, target);
    return target;
  }

  /** One download per message at a time: a request for it meanwhile waits for the same one. */
  function file(id: string): Promise<string> {
    let running = downloading.get(id);
    if (!running) {
      running = download(id).finally(() => downloading.delete(id));
      downloading.set(id, running);
    }
    return running;
  }

  return {
    keep(msg) {
      const id = msg.key.id!;
      writeFileSync(metaOf(id), JSON.stringify(msg, BufferJSON.replacer), { mode: FILE_MODE });
      file(id).then(
        () => logger.debug({ message_id: id }, 'received media downloaded'),
        (error: unknown) =>
          logger.warn({ message_id: id, err: (error as Error).message }, 'received media not downloaded'),
      );
    },
    file,
  };
}
