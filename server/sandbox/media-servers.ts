import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { FILE_MODE, makeOwnerOnlyFolder } from '../data-folder.ts';
import type { Connection } from './connection.ts';
import { type BinaryNode, node, S_WHATSAPP_NET } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';

/** What one media_conn grants: WhatsApp answers with a token that uploads carry, valid for `auth_ttl` seconds. */
const MEDIA_CONN_TTL_S = 300;
const AUTH_TTL_S = 21_600;
/** The most one upload may carry (WhatsApp's hosts announce their own; documents go up to 2 GB). */
export const MEDIA_HOST_MAX_BYTES = 2 * 1024 ** 3;
/** How long a download URL's signature holds (`oe`), as WhatsApp's CDN URLs expire after some weeks. */
const URL_LIFETIME_S = 30 * 24 * 3600;
/** The upload paths Baileys uses (`MEDIA_PATH_MAP`), each a folder of WhatsApp's media servers. */
const UPLOAD_PATH = /^\/mms\/(image|video|audio|document)\/([A-Za-z0-9_-]{43})$/;
const DOWNLOAD_PATH = /^\/v\/t62\.7118-24\/([0-9a-f]{64})\.enc$/;

export interface MediaServers {
  /** Answers `<iq xmlns="w:m"><media_conn/>`: the hosts to upload to (ours) and an upload token. */
  answerMediaConn(conn: Connection, iq: BinaryNode): void;
  /** The HTTPS side: uploads (POST /mms/…) and downloads (GET of a direct path). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The host:port uploads and downloads go to; set once the HTTPS server listens. */
  setHost(hostname: string): void;
  /** The encrypted bytes at a message's direct path (what a contact downloads), or null if the server lacks them. */
  read(directPath: string): Buffer | null;
  /** The server forgets a file, as WhatsApp does with old media: its downloads answer 404. */
  forget(directPath: string): boolean;
  /** Stores encrypted bytes as an upload would and answers their direct path (a contact sending media). */
  store(encrypted: Buffer): string;
  /** The full download URL of a direct path, as messages carry it. */
  urlOf(directPath: string): string;
}

const b64url = (buf: Buffer) => buf.toString('base64url');

/**
 * WhatsApp's media servers (mmg.whatsapp.net), played on loopback: clients upload the encrypted file (AES-CBC + the
 * 10-byte HMAC) to `/mms/{type}/{enc sha256}` with the media_conn token, the server keeps it by that hash and answers
 * a signed, expiring direct path; recipients download it from there.
 */
export function createMediaServers(state: SandboxState, dataDir: string): MediaServers {
  const folder = join(dataDir, 'sandbox', 'whatsapp-media');
  makeOwnerOnlyFolder(folder);
  let secret = state.store.get<Buffer>('media-url-secret');
  if (!secret) {
    secret = randomBytes(32);
    state.store.set('media-url-secret', secret);
  }
  const urlKey = secret;
  let host = '127.0.0.1';
  const auths = new Map<string, number>();

  const sign = (hash: string, oe: string) => createHmac('sha256', urlKey).update(`${hash}:${oe}`).digest('base64url');

  const directPathOf = (hash: string): string => {
    const oe = (Math.floor(Date.now() / 1000) + URL_LIFETIME_S).toString(16).toUpperCase();
    return `/v/t62.7118-24/${hash}.enc?ccb=11-4&oh=${sign(hash, oe)}&oe=${oe}&_nc_sid=5e03e0`;
  };

  /** The file's hash when the path is one we signed and it has not expired, else why not. */
  const verify = (pathAndQuery: string): { hash: string } | { status: number; error: string } => {
    const url = new URL(pathAndQuery, 'https://media.invalid');
    const hash = DOWNLOAD_PATH.exec(url.pathname)?.[1];
    if (!hash) return { status: 404, error: 'not found' };
    const oh = Buffer.from(url.searchParams.get('oh') ?? '');
    const oe = url.searchParams.get('oe') ?? '';
    const expected = Buffer.from(sign(hash, oe));
    if (oh.length !== expected.length || !timingSafeEqual(oh, expected)) {
      return { status: 403, error: 'URL signature mismatch' };
    }
    if (parseInt(oe, 16) * 1000 < Date.now()) return { status: 403, error: 'URL signature expired' };
    return { hash };
  };

  const fileOf = (hash: string) => join(folder, `${hash}.enc`);

  const keep = (encrypted: Buffer): string => {
    const hash = createHash('sha256').update(encrypted).digest('hex');
    const file = fileOf(hash);
    if (!existsSync(file)) {
      writeFileSync(`${file}.part`, encrypted, { mode: FILE_MODE });
      renameSync(`${file}.part`, file);
    }
    return hash;
  };

  const urlOf = (directPath: string) => `https://${host}${directPath}&mms3=true`;

  const json = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const upload = async (req: IncomingMessage, res: ServerResponse, url: URL, token: string): Promise<void> => {
    const auth = url.searchParams.get('auth') ?? '';
    const expires = auths.get(auth);
    if (!expires || expires < Date.now()) return json(res, 401, { error: 'bad auth' });
    if (url.searchParams.get('token') !== token) return json(res, 400, { error: 'token mismatch' });
    const declared = Number(req.headers['content-length']);
    if (declared > MEDIA_HOST_MAX_BYTES) return json(res, 413, { error: 'too large' });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MEDIA_HOST_MAX_BYTES) return json(res, 413, { error: 'too large' });
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    // The path names the encrypted file's SHA-256: WhatsApp refuses bytes that are not that file.
    if (b64url(createHash('sha256').update(body).digest()) !== token) {
      return json(res, 400, { error: 'hash mismatch' });
    }
    const directPath = directPathOf(keep(body));
    state.logger.info(`media upload: ${body.length} bytes at ${directPath.split('?')[0]}`);
    json(res, 200, { url: urlOf(directPath), direct_path: directPath, handle: null });
  };

  const download = (req: IncomingMessage, res: ServerResponse): void => {
    const checked = verify(req.url ?? '/');
    if ('error' in checked) return json(res, checked.status, { error: checked.error });
    const file = fileOf(checked.hash);
    if (!existsSync(file)) return json(res, 404, { error: 'not found' });
    const bytes = readFileSync(file);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    res.end(bytes);
  };

  return {
    answerMediaConn(conn, iq) {
      const auth = b64url(randomBytes(24));
      auths.set(auth, Date.now() + AUTH_TTL_S * 1000);
      conn.send(
        node('iq', { from: S_WHATSAPP_NET, type: 'result', id: iq.attrs.id }, [
          node('media_conn', { auth, ttl: String(MEDIA_CONN_TTL_S), auth_ttl: String(AUTH_TTL_S), max_buckets: '12' }, [
            node('host', { hostname: host, maxContentLengthBytes: String(MEDIA_HOST_MAX_BYTES) }),
          ]),
        ]),
      );
    },
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'https://media.invalid');
      const token = UPLOAD_PATH.exec(url.pathname)?.[2];
      if (req.method === 'POST' && token) {
        upload(req, res, url, token).catch((err: unknown) => {
          state.logger.warn({ err: String(err) }, 'media upload failed');
          if (!res.headersSent) json(res, 500, { error: 'upload failed' });
        });
        return;
      }
      if (req.method === 'GET') return download(req, res);
      json(res, 404, { error: 'not found' });
    },
    setHost(hostname) {
      host = hostname;
    },
    read(directPath) {
      const checked = verify(directPath);
      if ('error' in checked) return null;
      const file = fileOf(checked.hash);
      return existsSync(file) ? readFileSync(file) : null;
    },
    forget(directPath) {
      const checked = verify(directPath);
      if ('error' in checked) return false;
      rmSync(fileOf(checked.hash), { force: true });
      return true;
    },
    store: (encrypted) => directPathOf(keep(encrypted)),
    urlOf,
  };
}
