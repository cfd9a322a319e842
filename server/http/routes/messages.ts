import { Router, type Request } from 'express';
import type { Sender } from '../../whatsapp/sender.ts';
import type { MessageStore } from '../../store/messages.ts';
import type { LidMappings } from '../../store/lid-mappings.ts';
import type { IdempotencyStore } from '../../store/idempotency.ts';
import { idempotency } from '../middleware/idempotency.ts';
import { normaliseChatJid } from '../../whatsapp/jid.ts';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { parseOrThrow } from '../validate.ts';
import { ListMessagesQuery, SendMessageBody } from '../schemas.ts';

function chatJidOf(req: Request): string {
  const raw = String(req.params.chat_jid ?? '');
  const jid = normaliseChatJid(raw);
  if (!jid)
    throw new ApiError(400, `Invalid chat_jid "${raw}": use a phone number with country code or a WhatsApp JID`);
  return jid;
}

/** `POST /chats/{chat_jid}/messages` (docs/send-message-api.txt) and the chat's stored messages. */
export function createMessagesRouter(deps: {
  sender: Sender;
  messages: MessageStore;
  lids: LidMappings;
  idempotency: IdempotencyStore;
}): Router {
  const router = Router();

  router.post('/chats/:chat_jid/messages', idempotency(deps.idempotency), async (req, res) => {
    const chatJid = chatJidOf(req);
    const body = parseOrThrow(SendMessageBody, req.body);
    const sent = await deps.sender.send({
      chatJid,
      text: body.text,
      replyToMessageId: body.reply_to_message_id,
      typingSimulation: body.typing_simulation,
      presenceSimulation: body.presence_simulation,
    });
    sendOk(res, 'Message sent successfully', sent);
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
    sendOk(res, `Message ${message.status}`, message);
  });

  return router;
}
