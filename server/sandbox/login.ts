import { deflateSync } from 'node:zlib';
import { proto } from '@whiskeysockets/baileys';
import type { Connection } from './connection.ts';
import { encryptFor, type Delivery } from './delivery.ts';
import { node, nowSeconds, phoneMessageId } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { LinkedDevice } from './virtual-phone.ts';

export interface Login {
  /** A client payload with a username: a linked device logging in. */
  login(conn: Connection, payload: proto.ClientPayload): void;
  /** The client asked for its key digest: its offline queue, `<offline>`, and on its first login the history notice. */
  afterDigest(conn: Connection): void;
}

/** A linked device logging in: `success` or `failure`, replacing its older session, then what it missed. */
export function createLogin(state: SandboxState, delivery: Delivery): Login {
  const afterDigest = (conn: Connection) => {
    if (!delivery.flushQueue(conn)) return;
    const d = state.liveDevice(conn);
    if (d && !d.historySent) {
      state.later(50, () => {
        sendHistoryNotice(state, conn, d).catch((err: unknown) =>
          state.logger.warn({ err: String(err) }, 'history notice failed'),
        );
      });
    }
  };

  const login = (conn: Connection, payload: proto.ClientPayload) => {
    const number = String(payload.username);
    const deviceId = payload.device ?? 0;
    const dev = state.phone.devices.find((d) => d.device === deviceId);
    if (
      number !== state.phone.number ||
      !dev ||
      !conn.noise.clientStatic ||
      !dev.noiseKey.equals(conn.noise.clientStatic)
    ) {
      state.logger.info(`login refused for ${number}:${deviceId} (not a linked device)`);
      conn.end(node('failure', { reason: '401', location: 'sandbox' }));
      return;
    }
    for (const other of state.connections) {
      if (other !== conn && other.device?.device === deviceId && other.open) {
        other.end(node('stream:error', {}, [node('conflict', { type: 'replaced' })]));
      }
    }
    conn.kind = 'login';
    conn.device = dev;
    conn.loggedIn = true;
    state.logger.info(`device ${number}:${deviceId} logged in`);
    const t = nowSeconds();
    conn.send(
      node('success', {
        t,
        props: '1',
        abprops: '1',
        location: 'sandbox',
        creation: String(Math.floor(dev.linkedAt / 1000)),
        lid: `${state.phone.lid}:${deviceId}@lid`,
      }),
    );
    // If the client never asks for the digest, release its buffered events anyway.
    state.later(5000, () => afterDigest(conn));
  };

  return { login, afterDigest };
}

/**
 * The phone's FULL history-sync notice, inline and empty but for the contacts' PN→LID mappings and names: without
 * it Baileys waits for history before it goes online (pitfall 6).
 */
async function sendHistoryNotice(state: SandboxState, conn: Connection, d: LinkedDevice): Promise<void> {
  if (!conn.open) return;
  const { type, ciphertext } = await encryptFor(state, state.phoneDevice, d, historyNotice(state));
  conn.send(
    node(
      'message',
      {
        from: state.phoneJid,
        to: `${state.phone.number}:${d.device}@s.whatsapp.net`,
        id: phoneMessageId(),
        type: 'text',
        category: 'peer',
        t: nowSeconds(),
      },
      [node('enc', { v: '2', type }, ciphertext)],
    ),
  );
  d.historySent = true;
  state.savePhone();
}

function historyNotice(state: SandboxState): proto.IMessage {
  const FULL = proto.HistorySync.HistorySyncType.FULL;
  const contacts = [...state.contacts.values()];
  const history = proto.HistorySync.encode({
    syncType: FULL,
    conversations: [],
    progress: 100,
    chunkOrder: 0,
    phoneNumberToLidMappings: contacts
      .filter((c) => c.onWhatsApp)
      .map((c) => ({ pnJid: `${c.number}@s.whatsapp.net`, lidJid: `${c.lid}@lid` })),
    pushnames: contacts.map((c) => ({ id: `${c.number}@s.whatsapp.net`, pushname: c.name })),
  }).finish();
  return {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        syncType: FULL as unknown as proto.Message.HistorySyncType,
        chunkOrder: 0,
        progress: 100,
        initialHistBootstrapInlinePayload: deflateSync(history),
      },
    },
  };
}
