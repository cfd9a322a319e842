import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { failure } from '../contract/envelope.ts';

const REFUSALS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'The request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request took too long to arrive'],
};

function refuse(error: NodeJS.ErrnoException, socket: Socket): void {
  // Already ending (an answer said `Connection: close`): node closes it once that answer is out.
  if (!socket.writable) return;
  const [code, reason, text] = REFUSALS[error.code ?? ''] ?? [400, 'Bad Request', 'Malformed HTTP request'];
  const body = JSON.stringify(failure(code, text));
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * A request that Node's HTTP parser refuses never reaches the app; it still gets its answer in the envelope, but only
 * once the answers already owed on that connection (`owedOn`, the drain's count) are out. The refusal comes last or
 * not at all: after a `Connection: close` answer the socket is no longer writable, and bytes that followed that
 * request get nothing (RFC 9112 §9.6), instead of a second answer the client would read as a broken connection.
 */
export function answerClientErrors(server: Server, owedOn: (socket: Socket) => ServerResponse[]): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET') return void socket.destroy();
    const answers = owedOn(socket);
    if (answers.length === 0) return refuse(error, socket);
    let left = answers.length;
    for (const res of answers)
      res.once('close', () => {
        if (--left === 0) refuse(error, socket);
      });
  });
}
