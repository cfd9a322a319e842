import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { FILE_MODE, makeOwnerOnlyFolder } from '../data-folder.ts';

/**
 * Media files in the data folder (`<data>/media/`, owner-only like the rest): what arrives to be sent waits in
 * `incoming/` until its message is accepted, then lives in `outbound/<message id>/` (the file and its thumbnail) for
 * as long as the outbox may send it again, a restart included; received media lives in `inbound/<message id>`.
 */
export interface MediaFiles {
  /** A new path in `incoming/` to write an arriving file to. */
  incomingPath(): string;
  /** Makes an arrived file durable as the media of an accepted message (fsynced, renamed into place). */
  keepOutbound(incoming: string, messageId: string, thumbnail: Buffer | null): void;
  /** The media file of an outbound message. */
  outboundFile(messageId: string): string;
  /** Its JPEG thumbnail, if it has one. */
  outboundThumbnail(messageId: string): string | null;
  /** Where a received message's media is kept (what the message said of it: beside it, with `.json`). */
  inboundFile(messageId: string): string;
  /** Forgets a message's media (both directions). */
  remove(messageId: string): void;
  /** Removes what arrived and was never accepted (a crash mid-request): called at start. */
  clearIncoming(): void;
  /** Received media files older than `seconds` (by modification time): their message ids. */
  inboundOlderThan(seconds: number, now: number): string[];
  /** Sent messages' files kept longer than `seconds`: their message ids. */
  outboundOlderThan(seconds: number, now: number): string[];
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The message ids WhatsApp makes are letters and digits; anything else never names a file here. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;
function safe(messageId: string): string {
  if (!SAFE_ID.test(messageId)) throw new Error(`not a message id usable as a file name: ${messageId}`);
  return messageId;
}

export function createMediaFiles(folder: string): MediaFiles {
  const incoming = join(folder, 'incoming');
  const outbound = join(folder, 'outbound');
  const inbound = join(folder, 'inbound');
  for (const dir of [folder, incoming, outbound, inbound]) makeOwnerOnlyFolder(dir);

  const outboundDir = (id: string) => join(outbound, safe(id));

  return {
    incomingPath: () => join(incoming, randomBytes(12).toString('hex')),
    keepOutbound(file, messageId, thumbnail) {
      const dir = outboundDir(messageId);
      makeOwnerOnlyFolder(dir);
      fsyncFile(file);
      renameSync(file, join(dir, 'file'));
      if (thumbnail) {
        const thumb = join(incoming, `${messageId}.thumb`);
        writeOwnerOnly(thumb, thumbnail);
        renameSync(thumb, join(dir, 'thumbnail.jpg'));
      }
      fsyncFile(dir);
    },
    outboundFile: (id) => join(outboundDir(id), 'file'),
    outboundThumbnail(id) {
      const thumb = join(outboundDir(id), 'thumbnail.jpg');
      return existsSync(thumb) ? thumb : null;
    },
    inboundFile: (id) => join(inbound, safe(id)),
    remove(id) {
      if (!SAFE_ID.test(id)) return;
      rmSync(join(outbound, id), { recursive: true, force: true });
      for (const name of [id, `${id}.json`, `${id}.part`]) rmSync(join(inbound, name), { force: true });
    },
    clearIncoming() {
      for (const name of readdirSync(incoming)) rmSync(join(incoming, name), { force: true });
    },
    outboundOlderThan(seconds, now) {
      const cutoff = (now - seconds) * 1000;
      return readdirSync(outbound).filter((id) => statSync(join(outbound, id)).mtimeMs < cutoff);
    },
    inboundOlderThan(seconds, now) {
      const cutoff = (now - seconds) * 1000;
      const old = readdirSync(inbound).filter((name) => statSync(join(inbound, name)).mtimeMs < cutoff);
      return [...new Set(old.map((name) => name.replace(/\.(json|part)$/, '')))];
    },
  };
}

function writeOwnerOnly(path: string, bytes: Buffer): void {
  writeFileSync(path, bytes, { mode: FILE_MODE });
  fsyncFile(path);
}
