import type { Response } from 'express';
import { ApiError } from '../api-error.ts';
import { normaliseChatJid } from '../contract/chat-id.ts';
import type { AcceptedResult, SendOptionsBody } from '../contract/messages.ts';
import type { MessageContent } from '../contract/message-content.ts';
import type { Sender, SendOutcome } from '../whatsapp/sender.ts';
import { sendOk } from './envelope.ts';

/** What every send endpoint shares: the async preference, mentions, and the 200 / 202 answer. */

/** A send's words: a 200's (unless the endpoint says its own), a 202's for a message waiting its turn. */
export const SENT_WORDS = 'Message sent successfully';
export const QUEUED_WORDS = 'Message queued; it will be sent';

/** RFC 7240: `Prefer: respond-async` asks for an answer before the work is done. */
export function prefersAsync(prefer: string | undefined): boolean {
  return (prefer ?? '').split(',').some((pref) => pref.split(';')[0]!.trim().toLowerCase() === 'respond-async');
}

function answerAccepted(res: Response, result: AcceptedResult, preferenceApplied: boolean): void {
  if (preferenceApplied) res.setHeader('Preference-Applied', 'respond-async');
  res.setHeader('Location', `/messages/${encodeURIComponent(result.message_id)}`);
  const message =
    result.status === 'pending'
      ? 'Message accepted; WhatsApp has not confirmed it yet and it will be sent as soon as it can'
      : QUEUED_WORDS;
  sendOk(res, message, result, 202);
}

/** `mentions` as JIDs: only in groups, and each one a person (a phone number or a JID). */
export function mentionsOf(chatJid: string, mentions: string[] | undefined): string[] | undefined {
  if (!mentions?.length) return undefined;
  if (!chatJid.endsWith('@g.us')) throw new ApiError(400, 'mentions are only for group chats (…@g.us)');
  return mentions.map((m) => {
    const jid = normaliseChatJid(m);
    if (!jid || jid.endsWith('@g.us')) throw new ApiError(400, `Invalid mention "${m}": use a phone number or a JID`);
    return jid;
  });
}

/** A send's answer: 200 once WhatsApp's server has it (saying `sentWords`), 202 while it is in the outbox. */
export function answerSend(
  res: Response,
  outcome: SendOutcome,
  preferenceApplied: boolean,
  sentWords = SENT_WORDS,
): void {
  if (outcome.kind === 'sent') return sendOk(res, sentWords, outcome.result);
  answerAccepted(res, outcome.result, preferenceApplied);
}

export interface ContentSend {
  chatJid: string;
  content: MessageContent;
  options: Partial<SendOptionsBody>;
  prefer: string | undefined;
  sentWords: string;
}

/** Sends content of any kind with the common options (typing and presence off unless asked) and answers it. */
export async function sendContent(sender: Pick<Sender, 'send'>, res: Response, input: ContentSend): Promise<void> {
  const { chatJid, content, options } = input;
  const preferAsync = prefersAsync(input.prefer);
  const outcome = await sender.send({
    mentions: mentionsOf(chatJid, options.mentions),
    chatJid,
    content,
    replyToMessageId: options.reply_to_message_id,
    typingSimulation: options.typing_simulation ?? false,
    presenceSimulation: options.presence_simulation ?? false,
    async: (options.async ?? false) || preferAsync,
    sendAt: options.send_at ?? null,
  });
  answerSend(res, outcome, preferAsync, input.sentWords);
}
