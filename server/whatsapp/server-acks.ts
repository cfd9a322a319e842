import type { BinaryNode, WASocket } from '@whiskeysockets/baileys';

/** WhatsApp's server refused a message: its `<ack class="message" error=…>`. Sending it again would not help. */
export class ServerRejectedError extends Error {
  readonly code: string;
  constructor(code: string) {
    super(`WhatsApp's server refused the message (error ${code})`);
    this.code = code;
  }
}

/** No ack within the time allowed while the connection stayed up: the frame is sent again with the same id. */
export class AckTimeoutError extends Error {}

export interface ServerAcks {
  /**
   * The server's ack of message `id` on this socket: resolves with its time (unix seconds), rejects with
   * ServerRejectedError for an error ack or AckTimeoutError. Call it before the frame leaves: the ack can come first.
   */
  waitFor(id: string, timeoutMs: number): Promise<number>;
}

/**
 * `sendMessage` resolves when the frame is written, not when the server has it; the server says so with
 * `<ack class="message" id>`, which Baileys routes as 'CB:ack,class:message' on its socket (docs/whatsapp-protocol.md 4a).
 */
export function listenForAcks(s: WASocket): ServerAcks {
  const waiting = new Map<string, (ack: BinaryNode) => void>();
  s.ws.on('CB:ack,class:message', (ack: BinaryNode) => {
    const id = ack.attrs.id;
    if (id) waiting.get(id)?.(ack);
  });
  return {
    waitFor(id, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new AckTimeoutError(`no server ack for ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
        waiting.set(id, (ack) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (ack.attrs.error) reject(new ServerRejectedError(ack.attrs.error));
          else resolve(Number(ack.attrs.t) || Math.floor(Date.now() / 1000));
        });
      });
    },
  };
}
