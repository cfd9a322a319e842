import { z } from 'zod';
import type { Sender } from '../../whatsapp/sender.ts';
import type { MessageActions } from '../../whatsapp/message-actions.ts';
import type { IdempotencyStore } from '../../store/idempotency.ts';
import { idempotency } from '../middleware/idempotency.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import { sendContent } from '../send-answers.ts';
import { AcceptedResultSchema, ChatParams, SendHeaders, SendResultSchema } from '../../contract/messages.ts';
import {
  EditMessageBody,
  ReactionBody,
  SendContactCardsBody,
  SendLocationBody,
  SendPollBody,
} from '../../contract/rich-messages.ts';
import { MAX_MESSAGE_ID_LENGTH } from '../../contract/limits.ts';

const ChatMessageParams = ChatParams.extend({
  message_id: z.string().min(1).max(MAX_MESSAGE_ID_LENGTH).meta({ example: '3EB0ABC123DEF456789' }),
});

const SENT_EXAMPLE = { message_id: '3EB0C431C26A1916E07A', status: 'sent', timestamp: 1702129024 };
const ACCEPTED = {
  data: AcceptedResultSchema,
  description:
    'In the outbox and certain to be sent: `queued` for an async or scheduled send, `pending` when WhatsApp did not ' +
    'confirm it within the wait; follow it with GET /messages/{message_id} or message.status events',
};
/** What every send of these kinds may answer besides 200 and 202 (and what the key, the body and the schemas do). */
const SEND_ERRORS = [404, 409, 422, 500, 503];
/** Each kind's 200 `message`: said by the handler and by the document's example. */
const SENT = {
  location: 'Location sent',
  contactCard: 'Contact card sent',
  contactCards: 'Contact cards sent',
  poll: 'Poll sent',
  reaction: 'Reaction sent',
  reactionRemoved: 'Reaction removed',
  edit: 'Edit sent',
  delete: 'Deleted for everyone',
} as const;

/**
 * Locations, contact cards, polls, reactions, edits and deletes: each is a message of its own kind that goes through
 * the outbox, pacing, typing and presence like a text, and answers as `POST /chats/{chat_jid}/messages` does.
 */
export function createRichMessagesRouter(deps: {
  sender: Sender;
  actions: MessageActions;
  idempotency: IdempotencyStore;
}): ApiRouter {
  const api = createApiRouter();
  const common = {
    tag: 'Messages',
    auth: true,
    headers: SendHeaders,
    data: SendResultSchema,
    dataExample: SENT_EXAMPLE,
    accepted: ACCEPTED,
    errors: SEND_ERRORS,
  } as const;

  api.route(
    {
      ...common,
      method: 'post',
      path: '/chats/{chat_jid}/locations',
      summary: 'Send a location',
      sentWords: SENT.location,
      before: [idempotency(deps.idempotency)],
      params: ChatParams,
      body: SendLocationBody,
      bodyExample: { latitude: -6.1754, longitude: 106.8272, name: 'Monas', address: 'Gambir, Central Jakarta' },
    },
    ({ params, headers, body }, res) =>
      sendContent(deps.sender, res, {
        chatJid: params.chat_jid,
        content: {
          kind: 'location',
          location: {
            latitude: body.latitude,
            longitude: body.longitude,
            name: body.name ?? null,
            address: body.address ?? null,
          },
        },
        options: body,
        prefer: headers.Prefer,
        sentWords: SENT.location,
      }),
  );

  api.route(
    {
      ...common,
      method: 'post',
      path: '/chats/{chat_jid}/contact-cards',
      summary: 'Send one or more contact cards (vCards built from the fields)',
      sentWords: SENT.contactCard,
      before: [idempotency(deps.idempotency)],
      params: ChatParams,
      body: SendContactCardsBody,
      bodyExample: {
        contacts: [
          { name: 'Dewi Lestari', phone: '+62 812-3456-7890', email: 'dewi@example.com', organization: 'Acme' },
        ],
      },
    },
    ({ params, headers, body }, res) =>
      sendContent(deps.sender, res, {
        chatJid: params.chat_jid,
        content: {
          kind: 'contact_card',
          contacts: body.contacts.map((c) => ({
            name: c.name,
            phone: c.phone.replace(/\D/g, ''),
            email: c.email ?? null,
            organization: c.organization ?? null,
          })),
        },
        options: body,
        prefer: headers.Prefer,
        sentWords: body.contacts.length === 1 ? SENT.contactCard : SENT.contactCards,
      }),
  );

  api.route(
    {
      ...common,
      method: 'post',
      path: '/chats/{chat_jid}/polls',
      summary: 'Send a poll; votes arrive as poll.vote events',
      sentWords: SENT.poll,
      before: [idempotency(deps.idempotency)],
      params: ChatParams,
      body: SendPollBody,
      bodyExample: { question: 'Where shall we meet?', options: ['Café', 'Office', 'Park'], selectable_count: 1 },
    },
    ({ params, headers, body }, res) =>
      sendContent(deps.sender, res, {
        chatJid: params.chat_jid,
        content: {
          kind: 'poll',
          poll: { question: body.question, options: body.options, selectable_count: body.selectable_count },
        },
        options: body,
        prefer: headers.Prefer,
        sentWords: SENT.poll,
      }),
  );

  api.route(
    {
      ...common,
      method: 'put',
      path: '/chats/{chat_jid}/messages/{message_id}/reaction',
      summary: 'React to a message of the chat with an emoji ("" takes the reaction away)',
      sentWords: SENT.reaction,
      before: [idempotency(deps.idempotency)],
      params: ChatMessageParams,
      body: ReactionBody,
      bodyExample: { emoji: '👍' },
    },
    ({ params, headers, body }, res) =>
      sendContent(deps.sender, res, {
        chatJid: params.chat_jid,
        content: deps.actions.reaction(params.chat_jid, params.message_id, body.emoji),
        options: { async: body.async },
        prefer: headers.Prefer,
        sentWords: body.emoji === '' ? SENT.reactionRemoved : SENT.reaction,
      }),
  );

  api.route(
    {
      ...common,
      method: 'patch',
      path: '/chats/{chat_jid}/messages/{message_id}',
      summary: 'Edit a text you sent, within WhatsApp’s 15 minutes',
      sentWords: SENT.edit,
      before: [idempotency(deps.idempotency)],
      params: ChatMessageParams,
      body: EditMessageBody,
      bodyExample: { text: 'See you at 10, not 9' },
      errors: [...SEND_ERRORS, 403],
    },
    ({ params, headers, body }, res) =>
      sendContent(deps.sender, res, {
        chatJid: params.chat_jid,
        content: deps.actions.edit(params.chat_jid, params.message_id, body.text),
        options: { async: body.async },
        prefer: headers.Prefer,
        sentWords: SENT.edit,
      }),
  );

  api.route(
    {
      ...common,
      method: 'delete',
      path: '/chats/{chat_jid}/messages/{message_id}',
      summary: 'Delete a message you sent, for everyone',
      sentWords: SENT.delete,
      params: ChatMessageParams,
      // No Idempotency-Key check here (so no 422).
      errors: [403, 404, 409, 500, 503],
    },
    ({ params, headers }, res) =>
      sendContent(deps.sender, res, {
        chatJid: params.chat_jid,
        content: deps.actions.remove(params.chat_jid, params.message_id),
        options: {},
        prefer: headers.Prefer,
        sentWords: SENT.delete,
      }),
  );

  return api;
}
