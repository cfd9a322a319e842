import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A real local webhook receiver on port 0 (or a given one) that answers what `answer` says, and records each request. */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  answer: (r: Omit<Received, 'answered'>) => number;
  close(): Promise<void>;
}

export async function startReceiver(port = 0, answer: Receiver['answer'] = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const receiver = { received, answer } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const status = receiver.answer(request);
      received.push({ ...request, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver says no');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.port = (server.address() as { port: number }).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}

/** A port nothing listens on (a receiver that is down), free for a receiver to take later. */
export async function freePort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}

/**
 * The check the README tells receivers to make, written as the README writes it rather than with the server's own
 * verifySignature (which would share a bug with the signer): one of the `v1=` hex HMAC-SHA256 of
 * "<WaGate-Timestamp>.<raw body>", keyed with the secret, signed within 5 minutes of `nowSec`.
 */
export function signedAsDocumented(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  nowSec = Date.now() / 1000,
): boolean {
  const timestamp = String(headers['wagate-timestamp'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSec - Number(timestamp)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
  return String(headers['wagate-signature'] ?? '')
    .split(',')
    .some((part) => {
      const [scheme, hex = ''] = part.trim().split('=');
      const given = Buffer.from(hex, 'hex');
      return scheme === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}
