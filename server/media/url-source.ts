import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ApiError } from '../api-error.ts';
import { MEDIA_URL_FETCH, sizeInWords } from '../contract/limits.ts';

/** Addresses that are this machine or a private network: a URL source may not reach them unless allowed. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** Whether an address is on this machine or a private network (IPv4-mapped IPv6 counts as its IPv4 address). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  return PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

const refusedAddress = (host: string, address: string) =>
  new ApiError(
    400,
    `The url's host ${host} is ${address}, an address on this machine or a private network: WaGate fetches media ` +
      'from public addresses only, unless config.json sets "media": {"allow_private_urls": true}',
  );

/**
 * A DNS lookup that refuses private addresses: checked on the address the connection will use, so a name cannot
 * resolve to a public address for a check and a private one for the fetch.
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const blocked = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (blocked)
        return callback(refusedAddress(hostname, blocked.address) as unknown as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError(400, 'url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError(400, `url must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username || url.password) throw new ApiError(400, 'url must not carry a user name or password');
  return url;
}

function get(url: URL, lookup: LookupFunction, signal: AbortSignal): Promise<IncomingMessage> {
  // Taken on use, not imported: node:https (TLS) is ~35 ms of a start that may never fetch a URL, and an import of
  // node:http would load Node's undici too (server/http/node-http.ts).
  const { request } = process.getBuiltinModule(url.protocol === 'https:' ? 'node:https' : 'node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', lookup, signal, headers: { 'user-agent': 'WaGate media fetch' } });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

/**
 * Downloads a `url` source into `dest`: http/https only, at most `maxBytes`, MEDIA_URL_FETCH's redirects and time;
 * loopback and private-network addresses refused unless `allowPrivate` (literal IPs and resolved names alike).
 * Failures are the caller's words: 400 (the URL), 413 (too big), 502 (the far server), 504 (too slow).
 */
export async function fetchUrlSource(
  raw: string,
  dest: string,
  options: { maxBytes: number; allowPrivate: boolean; timeoutMs?: number },
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? MEDIA_URL_FETCH.timeout_ms;
  const signal = AbortSignal.timeout(timeoutMs);
  const lookup = guardedLookup(options.allowPrivate);
  let url = parseUrl(raw);
  try {
    for (let redirects = 0; ; redirects++) {
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(literal) && !options.allowPrivate && isPrivateAddress(literal)) throw refusedAddress(literal, literal);
      const res = await get(url, lookup, signal);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= MEDIA_URL_FETCH.max_redirects) {
          throw new ApiError(502, `The url redirected more than ${MEDIA_URL_FETCH.max_redirects} times`);
        }
        url = parseUrl(new URL(res.headers.location, url).toString());
        continue;
      }
      if (status !== 200) {
        res.resume();
        throw new ApiError(502, `Could not fetch the url: its server answered ${status}`);
      }
      await save(res, dest, options.maxBytes);
      return;
    }
  } catch (error) {
    await rm(dest, { force: true });
    if (error instanceof ApiError) throw error;
    if (signal.aborted) {
      throw new ApiError(504, `Could not fetch the url within ${Math.round(timeoutMs / 1000)} s`);
    }
    throw new ApiError(502, `Could not fetch the url: ${(error as Error).message}`);
  }
}

async function save(res: IncomingMessage, dest: string, maxBytes: number): Promise<void> {
  const tooBig = () =>
    new ApiError(413, `The file at the url is larger than the most WaGate sends (${sizeInWords(maxBytes)})`);
  if (Number(res.headers['content-length'] ?? 0) > maxBytes) {
    res.destroy();
    throw tooBig();
  }
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      done(size > maxBytes ? tooBig() : null, chunk);
    },
  });
  await pipeline(res, counter, createWriteStream(dest, { mode: 0o600 }));
}
