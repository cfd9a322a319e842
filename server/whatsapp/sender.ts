import { z } from 'zod';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TypingConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { MessageStore } from '../store/messages.ts';
import type { StoredMessage } from '../events.ts';
import { ApiError } from '../api-error.ts';
import type { PresenceKind, Recipient, Session } from './session.ts';
import type { ContactDirectory } from './contact-directory.ts';
import type { LidMappings } from '../store/lid-mappings.ts';
import { typingDurationMs } from './typing.ts';

export interface SendRequest {
  chatJid: string;
  text: string;
  replyToMessageId?: string;
  typingSimulation: boolean;
  presenceSimulation: boolean;
}

/** What a send answers: `data` of a 200 from `POST /chats/{chat_jid}/messages`. */
export const SendResultSchema = z.object({
  message_id: z.string(),
  status: z.literal('sent'),
  /** The chat it is stored under: a person's phone-number JID when known, whichever address the caller wrote. */
  chat_jid: z.string(),
  /** The person's LID when WhatsApp has one: the address the message went to. */
  chat_lid: z.string().nullable(),
  /** Unix seconds. */
  timestamp: z.number().int(),
});
export type SendResult = z.infer<typeof SendResultSchema>;

export interface Sender {
  send(r: SendRequest): Promise<SendResult>;
}

export interface SenderDeps {
  session: Session;
  directory: ContactDirectory;
  lids: LidMappings;
  messages: MessageStore;
  typing: TypingConfig;
  logger: Logger;
}

/**
 * The send path: one FIFO queue per chat (a chat's messages leave in the order they were asked for, different chats
 * go in parallel), each message wrapped the way a person sends one: online, typing for as long as the text takes,
 * paused, the message, offline again.
 */
export function createSender(deps: SenderDeps): Sender {
  const { session, directory, lids, messages, typing, logger } = deps;
  const queues = new Map<string, Promise<unknown>>();
  /** Sends that asked for presence and have not finished: "unavailable" waits for the last of them. */
  let presenceHolders = 0;
  let online = false;

  /** Presence and chatstates are cosmetic: losing one must not lose the message, which fails on its own if it must. */
  async function presence(kind: PresenceKind, jid?: string): Promise<void> {
    try {
      await session.sendPresence(kind, jid);
    } catch (error) {
      logger.warn({ err: error, kind }, 'could not send presence');
    }
  }

  async function typeFor(chatJid: string, text: string): Promise<void> {
    let remaining = typingDurationMs(text, typing);
    await presence('composing', chatJid);
    while (remaining > 0) {
      const wait = Math.min(remaining, typing.refresh_ms);
      await sleep(wait);
      remaining -= wait;
      // WhatsApp drops the indicator after about ten seconds unless it is said again.
      if (remaining > 0) await presence('composing', chatJid);
    }
    await presence('paused', chatJid);
  }

  /** The message replied to must be one this chat has (under either of a person's addresses). */
  function replyTarget(r: SendRequest): StoredMessage | null {
    if (!r.replyToMessageId) return null;
    const quoted = messages.get(r.replyToMessageId);
    if (!quoted || !lids.aliasesOf(r.chatJid).includes(quoted.chat_jid))
      throw new ApiError(404, 'Message to reply to was not found');
    return quoted;
  }

  /** A person is written to at their LID when WhatsApp has one for them: LID-migrated people refuse their number. */
  async function recipientOf(chatJid: string): Promise<Recipient> {
    if (!chatJid.endsWith('@s.whatsapp.net') && !chatJid.endsWith('@lid'))
      return { chat_jid: chatJid, chat_lid: null, address: chatJid };
    const person = await directory.lookup(chatJid);
    if (!person.on_whatsapp)
      throw new ApiError(404, chatJid.endsWith('@lid') ? 'LID is not known to WhatsApp' : 'Number is not on WhatsApp');
    return { chat_jid: person.jid ?? chatJid, chat_lid: person.lid, address: person.lid ?? chatJid };
  }

  async function deliver(r: SendRequest, quoted: StoredMessage | null): Promise<SendResult> {
    const to = await recipientOf(r.chatJid);
    if (r.presenceSimulation && !online) {
      online = true;
      await presence('available');
    }
    if (r.typingSimulation) await typeFor(to.address, r.text);
    const sent = await session.sendText(to, r.text, quoted);
    return {
      message_id: sent.message_id,
      status: 'sent',
      chat_jid: sent.chat_jid,
      chat_lid: sent.chat_lid,
      timestamp: sent.timestamp,
    };
  }

  async function releasePresence(): Promise<void> {
    presenceHolders--;
    if (presenceHolders > 0 || !online) return;
    online = false;
    await presence('unavailable');
  }

  async function run(r: SendRequest, quoted: StoredMessage | null): Promise<SendResult> {
    try {
      return await deliver(r, quoted);
    } finally {
      if (r.presenceSimulation) await releasePresence();
    }
  }

  function enqueue(r: SendRequest, quoted: StoredMessage | null): Promise<SendResult> {
    const previous = queues.get(r.chatJid) ?? Promise.resolve();
    const job = previous.then(() => run(r, quoted));
    const tail = job.catch(() => undefined);
    queues.set(r.chatJid, tail);
    void tail.then(() => {
      if (queues.get(r.chatJid) === tail) queues.delete(r.chatJid);
    });
    return job;
  }

  return {
    async send(r) {
      // Fail fast on what is known now; the queue keeps the order of what is accepted.
      session.assertConnected();
      const quoted = replyTarget(r);
      if (r.presenceSimulation) presenceHolders++;
      return enqueue(r, quoted);
    },
  };
}
