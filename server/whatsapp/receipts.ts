import type { MessageUserReceiptUpdate, WAMessageUpdate } from '@whiskeysockets/baileys';
import type { CoreEvents } from '../events.ts';
import type { MessageStore } from '../store/messages.ts';
import { failureReasonOf, statusFromBaileys } from './message-mapping.ts';
import type { MessageStatus, MessageStatusChange } from '../contract/messages.ts';

/** Turns WhatsApp's receipts for our sent messages into stored statuses and 'message.status' events. */
export interface Receipts {
  /** A status Baileys reported for one message (with why, if it failed); null (nothing new) is ignored. */
  apply(messageId: string, status: MessageStatus | null, reason?: string): void;
  /** Baileys' 'messages.update': one status per message. */
  onMessageUpdates(list: WAMessageUpdate[]): void;
  /** Baileys' 'message-receipt.update': in groups each member receipts separately. */
  onUserReceipts(list: MessageUserReceiptUpdate[]): void;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function createReceipts(
  messages: MessageStore,
  events: CoreEvents,
  onFailed: (change: MessageStatusChange) => void = () => undefined,
  /** Each group member's own receipt, kept beside the message's status. */
  onMemberReceipt: (messageId: string, member: string, kind: 'delivered' | 'read') => void = () => undefined,
): Receipts {
  const emit = (changes: MessageStatusChange[]) => {
    for (const change of changes) {
      events.emit('message.status', change);
      if (change.status === 'failed') onFailed(change);
    }
  };
  function apply(id: string, status: MessageStatus | null, reason?: string): void {
    if (!status) return;
    // Delivered and read ride on the next commit; a failure, which a send may be waiting for, is committed at once.
    if (status === 'delivered' || status === 'read') messages.reportStatus(id, status, nowSeconds(), emit);
    else emit(messages.setStatus(id, status, nowSeconds(), status === 'failed' ? reason : undefined));
  }

  return {
    apply,
    onMessageUpdates(list) {
      for (const { key, update } of list) {
        if (key.id) apply(key.id, statusFromBaileys(update.status), failureReasonOf(update));
      }
    },
    /** The first delivery or read of any member is the message's. */
    onUserReceipts(list) {
      for (const { key, receipt } of list) {
        if (!key.id) continue;
        const kind =
          receipt.readTimestamp || receipt.playedTimestamp ? 'read' : receipt.receiptTimestamp ? 'delivered' : null;
        if (!kind) continue;
        if (receipt.userJid) onMemberReceipt(key.id, receipt.userJid, kind);
        apply(key.id, kind);
      }
    },
  };
}
