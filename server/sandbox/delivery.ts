import { proto, writeRandomPadMax16 } from '@whiskeysockets/baileys';
import type { Connection } from './connection.ts';
import { type BinaryNode, node, S_WHATSAPP_NET } from './frames.ts';
import { linkedBundle } from './prekeys.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { SignalDevice } from './signal-device.ts';
import type { LinkedDevice } from './virtual-phone.ts';

export interface Delivery {
  /** Sends a stanza to every linked device: now if it is connected and caught up, else at its next login. */
  toLinked(build: (d: LinkedDevice) => BinaryNode | Promise<BinaryNode>): Promise<void>;
  /**
   * Right after the digest: what queued up while the device was offline, then `<offline count>`. False if that
   * already happened on this connection, or it is not logged in.
   */
  flushQueue(conn: Connection): boolean;
}

/** Getting stanzas to the linked devices, and their offline queues. */
export function createDelivery(state: SandboxState): Delivery {
  /** Connections whose queue has been flushed: from then on stanzas go straight to them. */
  const caughtUp = new WeakSet<Connection>();

  return {
    toLinked(build) {
      const work = state.phone.devices.map(async (d) => {
        const stanza = await build(d);
        const conn = [...state.connections].find((c) => c.device?.device === d.device && c.loggedIn && c.open);
        if (conn && caughtUp.has(conn)) conn.send(stanza);
        else {
          d.pending.push(stanza);
          state.savePhone();
        }
      });
      return Promise.all(work).then(() => undefined);
    },
    flushQueue(conn) {
      if (caughtUp.has(conn) || !conn.open || !conn.loggedIn) return false;
      caughtUp.add(conn);
      const d = state.liveDevice(conn);
      const pending = d ? d.pending.splice(0) : [];
      if (d && pending.length) state.savePhone();
      for (const stanza of pending) conn.send(stanza as BinaryNode);
      conn.send(node('ib', { from: S_WHATSAPP_NET }, [node('offline', { count: String(pending.length) })]));
      return true;
    },
  };
}

/** A virtual device (the phone's or a contact's) encrypts a message to a linked device, from its uploaded bundle the first time. */
export async function encryptFor(
  state: SandboxState,
  from: SignalDevice,
  d: LinkedDevice,
  message: proto.IMessage,
): Promise<{ type: string; ciphertext: Buffer }> {
  const address = state.linkedAddress(d.device);
  if (!from.hasSession(address)) await from.initOutgoing(address, linkedBundle(state, d));
  return from.encrypt(address, Buffer.from(writeRandomPadMax16(proto.Message.encode(message).finish())));
}
