import { ApiError } from '../api-error.ts';
import type { Connection } from './connection.ts';
import { requireContact } from './contact-book.ts';
import { type BinaryNode, node, nowSeconds, serverId } from './frames.ts';
import { contactJid } from './lid-addressing.ts';
import type { SandboxState } from './sandbox-state.ts';
import { STATUS_ACK_WITHIN_MS, type StreamErrorCode } from '../contract/sandbox.ts';

export interface StreamHealth {
  /**
   * A contact's status reaches every connected linked device as a top-level `<status>` stanza, which the server
   * expects acknowledged: a connection that has not acked it within `ack_within_ms` gets `<stream:error><ack/>`.
   */
  sendStatus(number: string, input: { text: string; ack_within_ms?: number }): { status_id: string; sent_to: number };
  /** `<ack class="status">` from a client. */
  onStatusAck(conn: Connection, n: BinaryNode): void;
  /** True once every connection a status was sent to has acked it. */
  statusAcknowledged(id: string): boolean;
  /** The server goes silent without closing (half-open): nothing more is read from or sent to today's connections. */
  silence(): void;
  /** Today's connections get no answer to their keep-alive pings; everything else goes on. */
  ignorePings(): void;
  /** Ends today's logged-in connections with a stream error. */
  streamError(code: StreamErrorCode): void;
}

export function createStreamHealth(state: SandboxState): StreamHealth {
  /** Status stanzas waiting for their ack, by id: the connections that have not acked yet. */
  const awaitingAck = new Map<string, Set<Connection>>();
  const acknowledged = new Set<string>();
  const live = () => [...state.connections].filter((c) => c.loggedIn && c.open);

  const recycle = (id: string) => {
    for (const conn of awaitingAck.get(id) ?? []) {
      if (!conn.open) continue;
      state.logger.info(`status ${id} was never acknowledged: recycling connection ${conn.id}`);
      conn.end(node('stream:error', {}, [node('ack', { id })]));
    }
    awaitingAck.delete(id);
  };

  return {
    sendStatus(number, input) {
      const c = requireContact(state, number);
      if (!c.onWhatsApp) throw new ApiError(409, `${c.name} is not on WhatsApp`);
      const conns = live();
      if (conns.length === 0) throw new ApiError(409, 'no linked device is connected to receive the status');
      const id = serverId();
      const stanza = node('status', { from: contactJid(c), id, t: nowSeconds(), notify: c.name }, input.text);
      for (const conn of conns) conn.send(stanza);
      awaitingAck.set(id, new Set(conns));
      state.later(input.ack_within_ms ?? STATUS_ACK_WITHIN_MS, () => recycle(id));
      return { status_id: id, sent_to: conns.length };
    },
    onStatusAck(conn, n) {
      const id = n.attrs.id ?? '';
      const waiting = awaitingAck.get(id);
      waiting?.delete(conn);
      if (waiting?.size === 0) {
        awaitingAck.delete(id);
        acknowledged.add(id);
      }
    },
    statusAcknowledged: (id) => acknowledged.has(id),
    silence() {
      for (const conn of live()) conn.muted = true;
    },
    ignorePings() {
      for (const conn of live()) conn.ignoresPings = true;
    },
    streamError(code) {
      for (const conn of live()) conn.end(streamErrorNode(code));
    },
  };
}

function streamErrorNode(code: StreamErrorCode): BinaryNode {
  if (code === 'conflict') return node('stream:error', {}, [node('conflict', { type: 'replaced' })]);
  if (code === 'ack') return node('stream:error', {}, [node('ack', { id: serverId() })]);
  return node('stream:error', { code });
}
