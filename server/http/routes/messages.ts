import { Router, type Request, type Response } from 'express';
import type { Sender } from '../../whatsapp/sender.ts';
import type { MessageStore } from '../../store/messages.ts';
import type { LidMappings } from '../../store/lid-mappings.ts';
import type { MemberReceipts } from '../../store/member-receipts.ts';
import type { IdempotencyStore } from '../../store/idempotency.ts';
import { idempotency } from '../middleware/idempotency.ts';
import { normaliseChatJid } from '../../contract/chat-id.ts';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { parseOrThrow } from '../validate.ts';
import { ListMessagesQuery, SendMessageBody, type AcceptedResult } from '../../contract/messages.ts';

/** RFC 7240: `Prefer: respond-async` asks for an answer before the work is done. */
function prefersAsync(req: Request): boolean {
  return (req.get('prefer') ?? '')
    .split(',')
    .some((pref) => pref.split(';')[0]!.trim().toLowerCase() === 'respond-async');
}

function answerAccepted(res: Response, result: AcceptedResult, preferenceApplied: boolean): void {
  if (preferenceApplied) res.set('Preference-Applied', 'respond-async');
  res.set('Location', `/messages/${encodeURIComponent(result.message_id)}`);
  const message =
    result.status === 'pending'
      ? 'Message accepted; WhatsApp has not confirmed it yet and it will be sent as soon as it can'
      : 'Message queued; it will be sent';
  sendOk(res, message, result, 202);
}

function chatJidOf(req: Request): string {
  const raw = String(req.params.chat_jid ?? '');
  const jid = normaliseChatJid(raw);
  if (!jid)
    throw new ApiError(400, `Invalid chat_jid "${raw}": use a phone number with country code or a WhatsApp JID`);
  return jid;
}

/** `mentions` as JIDs: only in groups, and each one a person (a phone number or a JID). */
function mentionsOf(chatJid: string, mentions: string[] | undefined): string[] | undefined {
  if (!mentions?.length) return undefined;
  if (!chatJid.endsWith('@g.us')) throw new ApiError(400, 'mentions are only for group chats (…@g.us)');
  return mentions.map((m) => {
    const jid = normaliseChatJid(m);
    if (!jid || jid.endsWith('@g.us')) throw new ApiError(400, `Invalid mention "${m}": use a phone number or a JID`);
    return jid;
  });
}

/** `POST /chats/{chat_jid}/messages` (docs/send-message-api.txt) and the chat's stored messages. */
export function createMessagesRouter(deps: {
  sender: Sender;
  messages: MessageStore;
  lids: LidMappings;
  memberReceipts: MemberReceipts;
  idempotency: IdempotencyStore;
}): Router {
  const router = Router();

  router.post('/chats/:chat_jid/messages', idempotency(deps.idempotency), async (req, res) => {
    const chatJid = chatJidOf(req);
    const body = parseOrThrow(SendMessageBody, req.body);
    const preferAsync = prefersAsync(req);
    const mentions = mentionsOf(chatJid, body.mentions);
    const outcome = await deps.sender.send({
      mentions,
      chatJid,
      text: body.text,
      replyToMessageId: body.reply_to_message_id,
      typingSimulation: body.typing_simulation,
      presenceSimulation: body.presence_simulation,
      async: body.async || preferAsync,
      sendAt: body.send_at ?? null,
    });
    if (outcome.kind === 'sent') return sendOk(res, 'Message sent successfully', outcome.result);
    answerAccepted(res, outcome.result, preferAsync);
  });

  router.get('/chats/:chat_jid/messages', (req, res) => {
    const chatJid = chatJidOf(req);
    const { limit, before } = parseOrThrow(ListMessagesQuery, req.query);
    const chat = deps.lids.aliasesOf(chatJid);
    sendOk(res, 'Messages of the chat, newest first', deps.messages.listChat(chat, { limit, before }));
  });

  router.get('/messages/:message_id', (req, res) => {
    const message = deps.messages.detail(req.params.message_id);
    if (!message) throw new ApiError(404, 'Message not found');
    sendOk(res, `Message ${message.status}`, { ...message, receipts: deps.memberReceipts.of(message.message_id) });
  });

  router.delete('/messages/:message_id', (req, res) => {
    const changes = deps.sender.cancel(req.params.message_id);
    sendOk(res, 'Message cancelled: it was not and will not be sent', changes.at(-1));
  });

  return router;
}
