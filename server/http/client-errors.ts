import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { failure } from './envelope.ts';

const REFUSALS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'The request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request took too long to arrive'],
};

/** A request that Node's HTTP parser refuses never reaches express; it still gets its answer in the envelope. */
function answer(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
  const [code, reason, text] = REFUSALS[error.code ?? ''] ?? [400, 'Bad Request', 'Malformed HTTP request'];
  const body = JSON.stringify(failure(code, text));
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Envelope answers for unparseable requests, and deadlines so that a client that never finishes its request
 * holds its socket for seconds, not minutes.
 */
export function guardHttpServer(server: Server): void {
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('clientError', answer);
}
