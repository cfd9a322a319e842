import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../server/api-error.ts';
import { fetchUrlSource, isPrivateAddress } from '../../server/media/url-source.ts';
import { tempDir } from '../support/temp-dir.ts';
import { atEnd, type Scope } from '../support/scope.ts';

/** A loopback file server: `/file` the bytes, `/hop/N` redirects N times then to /file, `/big` a large body. */
async function fileServer(t: Scope, bytes: Buffer): Promise<string> {
  const server: Server = createServer((req, res) => {
    const hop = /^\/hop\/(\d+)$/.exec(req.url ?? '');
    if (hop) {
      const left = Number(hop[1]);
      res.writeHead(302, { location: left > 1 ? `/hop/${left - 1}` : '/file' });
      return res.end();
    }
    if (req.url === '/file') return res.end(bytes);
    if (req.url === '/big') {
      res.writeHead(200); // no Content-Length: the limit must hold on the stream itself
      res.write(Buffer.alloc(600));
      return res.end(Buffer.alloc(600));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  atEnd(t, () => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const rejectsWith = (p: Promise<unknown>, code: number, words: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof ApiError && e.code === code && words.test(e.message));

test('loopback and private addresses are private; public ones are not', () => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '::1',
    'fd00::1',
    '::ffff:127.0.0.1',
  ])
    assert.equal(isPrivateAddress(a), true, a);
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) assert.equal(isPrivateAddress(a), false, a);
});

test('a loopback URL is refused, saying why and which switch allows it; with the switch it is fetched', async (t) => {
  const base = await fileServer(t, Buffer.from('hello'));
  const dest = join(tempDir(t), 'f');
  await rejectsWith(
    fetchUrlSource(`${base}/file`, dest, { maxBytes: 100, allowPrivate: false }),
    400,
    /127\.0\.0\.1.*allow_private_urls/,
  );
  await rejectsWith(
    fetchUrlSource(`http://localhost:1/file`, dest, { maxBytes: 100, allowPrivate: false }),
    400,
    /this machine or a private network/,
  );
  await fetchUrlSource(`${base}/file`, dest, { maxBytes: 100, allowPrivate: true });
  assert.equal(readFileSync(dest, 'utf8'), 'hello');
});

test('only http and https, no credentials in the URL', async (t) => {
  const dest = join(tempDir(t), 'f');
  for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'gopher://x'])
    await rejectsWith(fetchUrlSource(url, dest, { maxBytes: 100, allowPrivate: true }), 400, /http or https/);
  await rejectsWith(fetchUrlSource('not a url', dest, { maxBytes: 100, allowPrivate: true }), 400, /valid URL/);
  await rejectsWith(
    fetchUrlSource('http://u:p@127.0.0.1/x', dest, { maxBytes: 100, allowPrivate: true }),
    400,
    /password/,
  );
});

test('redirects are followed up to the limit, more is a 502', async (t) => {
  const base = await fileServer(t, Buffer.from('hi'));
  const dest = join(tempDir(t), 'f');
  await fetchUrlSource(`${base}/hop/3`, dest, { maxBytes: 100, allowPrivate: true });
  assert.equal(readFileSync(dest, 'utf8'), 'hi');
  await rejectsWith(fetchUrlSource(`${base}/hop/4`, dest, { maxBytes: 100, allowPrivate: true }), 502, /redirected/);
});

test('a body over the limit is a 413 whether or not it says its length; an error status is a 502', async (t) => {
  const base = await fileServer(t, Buffer.alloc(2000));
  const dest = join(tempDir(t), 'f');
  await rejectsWith(fetchUrlSource(`${base}/file`, dest, { maxBytes: 1000, allowPrivate: true }), 413, /larger/);
  await rejectsWith(fetchUrlSource(`${base}/big`, dest, { maxBytes: 1000, allowPrivate: true }), 413, /larger/);
  await rejectsWith(fetchUrlSource(`${base}/nope`, dest, { maxBytes: 1000, allowPrivate: true }), 502, /answered 404/);
});
