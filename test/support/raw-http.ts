import assert from 'node:assert/strict';
import { connect } from 'node:net';

/** An HTTP answer as it came off the socket. */
export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

export function parseAnswer(text: string): RawAnswer {
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0),
    head,
    body: split >= 0 ? text.slice(split + 4) : '',
  };
}

/**
 * One raw HTTP/1.1 exchange on a fresh socket, for what fetch will not send (several Host headers, an absolute-form
 * target, a malformed request): the answer once the server closes the connection, or what came within `timeoutMs`.
 */
export function rawExchange(port: number, data: string | Buffer, timeoutMs = 3000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks).toString('utf8')));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(data);
  });
}

/** A failure in the envelope, as JSON, with `status`: its body. */
export function assertEnvelope(res: RawAnswer, status: number, what: string): any {
  assert.equal(res.status, status, `${what} → ${res.head.split('\r\n')[0]} ${res.body.slice(0, 200)}`);
  assert.match(res.head, /content-type: application\/json/i, `${what}: a JSON answer`);
  const body = JSON.parse(res.body);
  assert.deepEqual({ status: body.status, code: body.code }, { status: false, code: status }, what);
  assert.equal(typeof body.error, 'string', what);
  return body;
}
