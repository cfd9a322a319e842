import { z } from 'zod';
import { MessageStatusSchema } from './messages.ts';
import { MessageKindSchema } from './message-content.ts';

/**
 * Where a message in the outbox is: waiting for its `send_at`, waiting its turn, handed to WhatsApp and waiting for
 * the server's ack, or failed (kept until it is retried or dropped).
 */
export const OutboxStageSchema = z.enum(['scheduled', 'queued', 'sending', 'failed']);
export type OutboxStage = z.infer<typeof OutboxStageSchema>;

/** One message in `GET /outbox`. */
export const OutboxEntrySchema = z
  .object({
    message_id: z.string(),
    chat_jid: z.string(),
    kind: MessageKindSchema,
    /** What a text or an edit says; null for the other kinds. */
    text: z.string().nullable(),
    stage: OutboxStageSchema,
    status: MessageStatusSchema,
    /** Unix seconds: when it was accepted, and when it is to leave (null: as soon as it can). */
    created_at: z.number().int(),
    send_at: z.number().int().nullable(),
    /** How many times its frame was handed to the socket (a resend keeps the message id). */
    attempts: z.number().int(),
    failure_reason: z.string().nullable(),
  })
  .meta({
    example: {
      message_id: '3EB0ABC123DEF456789',
      chat_jid: '6281234567890@s.whatsapp.net',
      kind: 'text',
      text: 'See you at 10',
      stage: 'failed',
      status: 'failed',
      created_at: 1764080000,
      send_at: null,
      attempts: 1,
      failure_reason: 'server_rejected:463',
    },
  });
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;
