import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type { Busboy } from 'busboy';
import { ApiError } from '../api-error.ts';
import { MEDIA_MAX_ANY_BYTES, MEDIA_MAX_BASE64_BYTES, sizeInWords } from '../contract/limits.ts';

/** The fields of a media send, as they came (JSON values, or multipart text fields), and the file part if any. */
export interface MediaRequestBody {
  fields: Record<string, unknown>;
  /** A multipart `file` part, written to `dest`, with the name the client gave it. */
  upload: { fileName: string | null } | null;
}

/** Multipart text fields are strings: these become what the JSON form carries. */
const BOOLEAN_FIELDS = new Set(['typing_simulation', 'presence_simulation', 'async']);

function fieldValue(name: string, value: string): unknown {
  if (BOOLEAN_FIELDS.has(name)) return value === 'true' ? true : value === 'false' ? false : value;
  if (name === 'send_at' && /^\d+$/.test(value)) return Number(value);
  return value;
}

/**
 * Reads a `multipart/form-data` body: its text fields, and one `file` part streamed to `dest` (at most the largest
 * media file WhatsApp takes; the kind's own limit is checked once the bytes say what it is). busboy loads with the
 * first one: ~0.3 MB of heap a core that is never sent a file does not need (NOTES.md, idle3).
 */
export async function readMultipart(req: Request, dest: string): Promise<MediaRequestBody> {
  const { default: busboy } = await import('busboy');
  return new Promise((resolve, reject) => {
    let parser: Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: MEDIA_MAX_ANY_BYTES, fields: 50, fieldSize: 64 * 1024, parts: 60 },
      });
    } catch {
      return reject(new ApiError(400, 'A multipart body needs its boundary in Content-Type'));
    }
    const fields: Record<string, unknown> = {};
    let upload: MediaRequestBody['upload'] = null;
    let saving: Promise<void> = Promise.resolve();
    let failure: ApiError | null = null;
    const fail = (error: ApiError) => {
      failure ??= error;
    };
    parser.on('field', (name, value) => {
      const parsed = fieldValue(name, value);
      if (name === 'mentions') fields.mentions = [...((fields.mentions as string[] | undefined) ?? []), value];
      else fields[name] = parsed;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || upload) {
        stream.resume();
        return fail(new ApiError(400, `Only one file part, named "file", is taken (got "${name}")`));
      }
      upload = { fileName: info.filename ?? null };
      stream.on('limit', () =>
        fail(
          new ApiError(413, `The file is larger than the most WhatsApp takes (${sizeInWords(MEDIA_MAX_ANY_BYTES)})`),
        ),
      );
      saving = pipeline(stream, createWriteStream(dest, { mode: 0o600 }));
    });
    parser.on('filesLimit', () => fail(new ApiError(400, 'Only one file part, named "file", is taken')));
    parser.on('fieldsLimit', () => fail(new ApiError(400, 'Too many fields in the multipart body')));
    parser.on('error', () => reject(new ApiError(400, 'Malformed multipart body')));
    parser.on('close', () => {
      saving.then(
        () => (failure ? reject(failure) : resolve({ fields, upload })),
        () => reject(failure ?? new ApiError(400, 'The upload did not arrive whole')),
      );
    });
    req.pipe(parser);
  }).catch(async (error: unknown) => {
    await rm(dest, { force: true });
    throw error;
  }) as Promise<MediaRequestBody>;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A `base64` source (plain or a `data:` URL) written to `dest`. */
export async function writeBase64(value: string, dest: string): Promise<void> {
  const data = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  const compact = data.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw new ApiError(400, 'base64 is not valid base64');
  // Four characters carry three bytes: the limit is checked before decoding anything.
  if (Math.floor((compact.length * 3) / 4) > MEDIA_MAX_BASE64_BYTES + 2) {
    throw new ApiError(
      413,
      `base64 carries at most ${sizeInWords(MEDIA_MAX_BASE64_BYTES)}; send bigger files as a multipart upload or a url`,
    );
  }
  await writeFile(dest, Buffer.from(compact, 'base64'), { mode: 0o600 });
}
