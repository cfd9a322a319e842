import type { proto } from '@whiskeysockets/baileys';
import type { Connection } from './connection.ts';
import type { AckHold, Faults } from './faults.ts';
import { type BinaryNode, node, nowSeconds, userOf } from './frames.ts';
import { decryptParticipants } from './decrypt-participants.ts';
import type { AccountStanding } from './account-standing.ts';
import { findMedia, receiveMedia } from './media-messages.ts';
import type { MediaServers } from './media-servers.ts';
import type { Receipts } from './receipts.ts';
import { PN_ADDRESS_REFUSED, refusesAddress } from './lid-addressing.ts';
import type { SandboxState } from './sandbox-state.ts';
import { applyToTarget, richFieldsOf } from './rich-messages.ts';
import type { ContactMedia } from '../contract/sandbox.ts';
import type { ContactState, FrameEvent, InboxEntry } from './virtual-contacts.ts';

export interface ContactInbox {
  /**
   * A `<message>` from a linked device: decrypted by the devices it is for, recorded once per id if it is to a contact
   * (a resend with the same id is the same message, as on a phone), acked.
   */
  onMessage(conn: Connection, n: BinaryNode): Promise<void>;
  onPresence(n: BinaryNode): void;
  onChatstate(n: BinaryNode): void;
}

/**
 * What WaGate sends to contacts: each message in the contact's inbox with its quote and the presence and chatstate
 * frames around it, the server's `<ack class="message">` (unless a `hold_acks` fault holds it), then an automatic
 * delivered receipt.
 */
export function createContactInbox(
  state: SandboxState,
  receipts: Receipts,
  faults: Faults,
  standing: AccountStanding,
  mediaServers: MediaServers,
): ContactInbox {
  /** Presence/chatstate frames seen since the last message to each contact. */
  const pendingFrames = new Map<string, FrameEvent[]>();
  /** Inbox row of the last message to each contact (its `after` list grows until the next); looked up on first use. */
  const lastInbox = new Map<string, number | undefined>();

  const framesFor = (number: string): FrameEvent[] => {
    let list = pendingFrames.get(number);
    if (!list) {
      list = [];
      pendingFrames.set(number, list);
    }
    return list;
  };

  const lastInboxSeq = (number: string): number | undefined => {
    if (!lastInbox.has(number)) lastInbox.set(number, state.store.inbox<InboxEntry>(number).at(-1)?.seq);
    return lastInbox.get(number);
  };

  const recordFrame = (c: ContactState, ev: FrameEvent): void => {
    framesFor(c.number).push(ev);
    const seq = lastInboxSeq(c.number);
    const entry = seq === undefined ? undefined : state.store.inboxEntry<InboxEntry>(seq);
    if (seq !== undefined && entry) {
      entry.after = [...(entry.after ?? []), ev];
      state.store.updateInbox(seq, entry);
    }
  };

  /** False when the contact already has a message with this id. */
  const recordInbox = (c: ContactState, id: string, msg: proto.IMessage, media: ContactMedia | null): boolean => {
    const existing = state.store.inboxMessage<InboxEntry>(c.number, id);
    if (existing) {
      state.logger.info(`${c.name} (${c.number}) already has ${id}: the resend is not a second message`);
      if (existing.entry.retries) {
        const resent = inboxEntry(id, msg, [], null);
        state.store.updateInbox(existing.seq, { ...existing.entry, resent_text: resent.text });
      }
      return false;
    }
    const entry = inboxEntry(id, msg, framesFor(c.number).splice(0), media);
    if (!applyToTarget(state, c, entry)) state.logger.info(`${c.name} ignores ${id}: not about a message WaGate sent`);
    const seq = state.store.appendInbox(c.number, entry);
    lastInbox.set(c.number, seq);
    const what = media ? `${entry.kind} ${media.sha256 ?? media.error}` : JSON.stringify(entry.text);
    state.logger.info(`${c.name} (${c.number}) received ${id}: ${what}`);
    return true;
  };

  /** The server's ack: it has the message. A `hold_acks` fault sends it late or not at all. */
  const ackMessage = (conn: Connection, id: string, to: string, hold: AckHold | null): void => {
    const send = () => conn.send(node('ack', { class: 'message', id, from: to, t: nowSeconds() }));
    if (!hold) return send();
    state.logger.info(`holding the ack of ${id} (${hold.delayMs === null ? 'withheld' : `${hold.delayMs} ms`})`);
    if (hold.delayMs !== null) state.later(hold.delayMs, send);
  };

  return {
    async onMessage(conn, n) {
      const id = n.attrs.id ?? '';
      const to = n.attrs.to ?? '';
      const sender = conn.device?.device;
      if (sender === undefined || !conn.loggedIn) return ackMessage(conn, id, to, null);
      const dest = userOf(to);
      const contact = dest && !state.isPhoneUser(dest.user) ? state.contactByUser(dest.user) : undefined;
      if (contact && refusesAddress(contact, to)) {
        state.logger.info(`${contact.name} is LID-migrated: refusing ${id} addressed to ${to}`);
        return conn.send(node('ack', { class: 'message', id, from: to, t: nowSeconds(), error: PN_ADDRESS_REFUSED }));
      }
      const recorded = await decryptParticipants(state, sender, n, contact);
      const rejection = contact ? standing.refuse(contact, id) : null;
      if (contact && rejection) {
        // The server refuses it: an error on the ack, and the contact never sees the message.
        conn.send(node('ack', { class: 'message', id, from: to, t: nowSeconds(), error: String(rejection) }));
        state.logger.info(`refused ${id} to ${contact.name} (${contact.number}) with error ${rejection}`);
        return;
      }
      // The contact's phone downloads and decrypts a media message's file (before the ack only to keep this ordered).
      const found = recorded ? findMedia(recorded) : null;
      const media = contact && found ? await receiveMedia(mediaServers, found) : null;
      const hold = contact ? faults.takeAckHold() : null;
      ackMessage(conn, id, to, hold);
      // A held ack holds back the automatic receipt too: both are lost with the connection they would have used.
      if (contact && recorded && recordInbox(contact, id, recorded, media) && !hold) {
        state.later(30, () => receipts.deliver(contact, id, undefined));
      }
    },
    onPresence(n) {
      const type = n.attrs.type;
      if (type !== 'available' && type !== 'unavailable') return; // <presence/> and <presence name=…/> are not presence changes
      const ev: FrameEvent = { kind: 'presence', value: type, at: Date.now() };
      for (const c of state.contacts.values()) if (c.onWhatsApp) recordFrame(c, ev);
    },
    onChatstate(n) {
      const to = n.attrs.to;
      const u = to ? userOf(to) : null;
      const c = u ? state.contactByUser(u.user) : undefined;
      const state0 = Array.isArray(n.content) ? n.content[0] : undefined;
      const chatstate = state0?.tag;
      if (!c || (chatstate !== 'composing' && chatstate !== 'paused')) return;
      // Recording a voice note is `<composing media="audio"/>`.
      const value = chatstate === 'composing' && state0?.attrs.media === 'audio' ? 'recording' : chatstate;
      recordFrame(c, { kind: 'chatstate', value, at: Date.now() });
    },
  };
}

/**
 * The inbox entry for a message: its text, the message it quotes (from any message type's contextInfo), its type,
 * and for media its kind, caption and the file as the contact decrypted it.
 */
function inboxEntry(id: string, msg: proto.IMessage, before: FrameEvent[], media: ContactMedia | null): InboxEntry {
  const found = findMedia(msg);
  const ext = msg.extendedTextMessage;
  const text = msg.conversation ?? ext?.text ?? null;
  let quoted: string | null = ext?.contextInfo?.stanzaId ?? null;
  const type =
    Object.keys(msg).find((k) => k !== 'messageContextInfo' && (msg as Record<string, unknown>)[k] != null) ??
    'unknown';
  if (!quoted) {
    const inner = (msg as Record<string, { contextInfo?: proto.IContextInfo } | undefined>)[type];
    quoted = inner?.contextInfo?.stanzaId ?? null;
  }
  const rich = found ? null : richFieldsOf(msg);
  return {
    message_id: id,
    text,
    quoted_message_id: quoted,
    timestamp: Date.now(),
    before,
    after: [],
    type,
    kind: found?.kind ?? 'text',
    ...(found ? { caption: found.caption } : {}),
    ...(media ? { media } : {}),
    ...rich,
    delivered: false,
    read: false,
  };
}
