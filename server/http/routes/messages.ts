import { z } from 'zod';
import type { Sender } from '../../whatsapp/sender.ts';
import type { MessageStore } from '../../store/messages.ts';
import type { LidMappings } from '../../store/lid-mappings.ts';
import { MemberReceiptSchema, type MemberReceipts } from '../../store/member-receipts.ts';
import type { IdempotencyStore } from '../../store/idempotency.ts';
import { idempotency } from '../middleware/idempotency.ts';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import {
  AcceptedResultSchema,
  ChatParams,
  ListMessagesQuery,
  MessageDetailSchema,
  MessageParams,
  MessageStatusChangeSchema,
  missingText,
  SendHeaders,
  SendMessageBody,
  SendResultSchema,
  StoredMessageSchema,
} from '../../contract/messages.ts';
import { answerSend, mentionsOf, prefersAsync } from '../send-answers.ts';

/** `POST /chats/{chat_jid}/messages` (docs/send-message-api.txt) and the chat's stored messages. */
export function createMessagesRouter(deps: {
  sender: Sender;
  messages: MessageStore;
  lids: LidMappings;
  memberReceipts: MemberReceipts;
  idempotency: IdempotencyStore;
}): ApiRouter {
  const api = createApiRouter();

  api.route(
    {
      method: 'post',
      path: '/chats/{chat_jid}/messages',
      summary: 'Send a text message to a chat or group',
      tag: 'Messages',
      auth: true,
      before: [idempotency(deps.idempotency)],
      params: ChatParams,
      headers: SendHeaders,
      body: SendMessageBody,
      bodyPrecheck: missingText,
      bodyExample: {
        text: 'Hello, World!',
        reply_to_message_id: '3EB0ABC123DEF456789',
        typing_simulation: true,
        presence_simulation: true,
      },
      data: SendResultSchema,
      dataExample: {
        message_id: '3EB0ABC123DEF456789',
        status: 'sent',
        timestamp: 1702129024,
      },
      accepted: {
        data: AcceptedResultSchema,
        description:
          'In the outbox and certain to be sent: `queued` for an async or scheduled send, `pending` when WhatsApp did not ' +
          'confirm it within the wait (60 s by default); follow it with GET /messages/{message_id} or message.status events',
      },
      errors: [404, 409, 422, 500, 503],
    },
    async ({ params, headers, body }, res) => {
      const preferAsync = prefersAsync(headers.Prefer);
      const outcome = await deps.sender.send({
        mentions: mentionsOf(params.chat_jid, body.mentions),
        chatJid: params.chat_jid,
        content: { kind: 'text', text: body.text },
        replyToMessageId: body.reply_to_message_id,
        typingSimulation: body.typing_simulation,
        presenceSimulation: body.presence_simulation,
        async: body.async || preferAsync,
        sendAt: body.send_at ?? null,
      });
      answerSend(res, outcome, preferAsync);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/chats/{chat_jid}/messages',
      summary: "A chat's stored messages, newest first",
      tag: 'Messages',
      auth: true,
      params: ChatParams,
      query: ListMessagesQuery,
      data: z.array(StoredMessageSchema),
      errors: [400, 401],
    },
    ({ params, query }, res) => {
      const chat = deps.lids.aliasesOf(params.chat_jid);
      sendOk(res, 'Messages of the chat, newest first', deps.messages.listChat(chat, query));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/messages/{message_id}',
      summary: 'One message, its status and when it reached each one',
      tag: 'Messages',
      auth: true,
      params: MessageParams,
      data: z.intersection(
        MessageDetailSchema,
        z
          .object({
            /** Group messages: each member's delivered and read receipts. */
            receipts: z.array(MemberReceiptSchema),
          })
          .meta({ example: { receipts: [] } }),
      ),
      errors: [401, 404],
    },
    ({ params }, res) => {
      const message = deps.messages.detail(params.message_id);
      if (!message) throw new ApiError(404, 'Message not found');
      sendOk(res, `Message ${message.status}`, { ...message, receipts: deps.memberReceipts.of(message.message_id) });
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/messages/{message_id}',
      summary: 'Cancel a queued or scheduled message that has not left',
      tag: 'Messages',
      auth: true,
      params: MessageParams,
      data: MessageStatusChangeSchema,
      dataExample: {
        message_id: '3EB0ABC123DEF456789',
        chat_jid: '6281234567890@s.whatsapp.net',
        status: 'failed',
        at: 1764080000,
        reason: 'cancelled',
      },
      errors: [401, 404, 409],
    },
    ({ params }, res) => {
      const changes = deps.sender.cancel(params.message_id);
      sendOk(res, 'Message cancelled: it was not and will not be sent', changes.at(-1));
    },
  );

  return api;
}
