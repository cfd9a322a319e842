import { ApiError } from '../api-error.ts';
import { requireContact } from './contact-book.ts';
import type { Delivery } from './delivery.ts';
import { be, node, nowSeconds } from './frames.ts';
import { contactJid } from './lid-addressing.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { InboxEntry } from './virtual-contacts.ts';

/**
 * A contact's phone could not decrypt a message ("Waiting for this message") and asks the sender for it again: a
 * `<receipt type="retry">` with its registration id, as Baileys' own sendRetryRequest builds it. The sender answers
 * from its store (`getMessage`) with a fresh session; the copy is recorded on the inbox entry as `resent_text`.
 */
export function createRetryRequests(state: SandboxState, delivery: Delivery) {
  return {
    async ask(number: string, input: { message_id: string }): Promise<void> {
      const c = requireContact(state, number);
      const row = state.store.inboxMessage<InboxEntry>(c.number, input.message_id);
      if (!row) throw new ApiError(404, `${c.name} has no message ${input.message_id}`);
      const count = (row.entry.retries ?? 0) + 1;
      state.store.updateInbox(row.seq, { ...row.entry, retries: count });
      const t = nowSeconds();
      await delivery.toLinked(() =>
        node('receipt', { from: contactJid(c), id: input.message_id, type: 'retry', t }, [
          node('retry', { count: String(count), id: input.message_id, t, v: '1', error: '0' }),
          node('registration', {}, be(state.contactDevice(c).state.registrationId, 4)),
        ]),
      );
    },
  };
}
