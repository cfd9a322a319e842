import { ApiError } from '../api-error.ts';
import { requireContact } from './contact-book.ts';
import type { Delivery } from './delivery.ts';
import { node, nowSeconds } from './frames.ts';
import type { SandboxState } from './sandbox-state.ts';
import { contactJid } from './lid-addressing.ts';
import type { ContactState, InboxEntry } from './virtual-contacts.ts';

export interface Receipts {
  /** The contact's receipt for a message WaGate sent it: delivered (no type), or read (delivered first if it was not). */
  deliver(c: ContactState, id: string, type: 'read' | undefined): void;
  /** The control API's receipt: 404 if the contact never received that message. */
  send(number: string, input: { message_id: string; type: 'delivered' | 'read' }): Promise<void>;
}

/** Receipts from contacts to WaGate, marked on the inbox entry they are for. */
export function createReceipts(state: SandboxState, delivery: Delivery): Receipts {
  const deliver = (c: ContactState, id: string, type: 'read' | undefined): void => {
    const entry = state.store.inboxMessage<InboxEntry>(c.number, id)?.entry;
    if (entry?.delivered && type === undefined) return; // already delivered (e.g. read came first)
    if (entry && !entry.delivered && type === 'read') deliver(c, id, undefined);
    updateInboxEntry(state, c, id, type === 'read' ? { read: true, delivered: true } : { delivered: true });
    void delivery.toLinked(() => node('receipt', { from: contactJid(c), id, t: nowSeconds(), type }));
  };

  const send = async (number: string, input: { message_id: string; type: 'delivered' | 'read' }) => {
    const c = requireContact(state, number);
    if (!state.store.inboxMessage(c.number, input.message_id)) {
      throw new ApiError(404, `${c.name} has no message ${input.message_id}`);
    }
    deliver(c, input.message_id, input.type === 'read' ? 'read' : undefined);
  };

  return { deliver, send };
}

function updateInboxEntry(state: SandboxState, c: ContactState, id: string, patch: Partial<InboxEntry>): void {
  const row = state.store.inboxMessage<InboxEntry>(c.number, id);
  if (row) state.store.updateInbox(row.seq, { ...row.entry, ...patch });
}
