import { z } from 'zod';

/** A whole number in a range, with an error that names the setting in the words the dashboard uses. */
const whole = (name: string, words: string, min: number, max: number) => {
  const error = `${name} (${words}) must be a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/**
 * How fast WaGate lets messages leave, so the number does not send like a machine. Conservative by default: a person
 * chatting never meets these limits, a script blasting a list does.
 */
export const PacingPolicySchema = z
  .object({
    enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
    /** The least time between two messages to the same chat. */
    chat_gap_ms: whole('chat_gap_ms', 'the pause between two messages to one chat, in ms', 0, 3_600_000).default(3000),
    /** Messages to all chats together in any 60 seconds. */
    per_minute: whole('per_minute', 'messages per minute', 1, 1000).default(12),
    /** Messages to all chats together in any hour. */
    per_hour: whole('per_hour', 'messages per hour', 1, 10_000).default(200),
    /** Chats that have never written to this number that may be written to in any 24 hours: the reach-out limit. */
    new_chats_per_day: whole('new_chats_per_day', 'new chats per day', 0, 10_000).default(20),
    /** Up to this much more, at random, whenever a message is held back, so the rhythm does not look machine-made. */
    jitter_ms: whole('jitter_ms', 'the random extra wait, in ms', 0, 60_000).default(1500),
  })
  .strict();
export type PacingPolicy = z.infer<typeof PacingPolicySchema>;

export const DEFAULT_PACING: PacingPolicy = PacingPolicySchema.parse({});

/** Which limit holds a message back. */
export const PacingLimitSchema = z.enum(['chat_gap', 'per_minute', 'per_hour', 'new_chats_per_day']);
export type PacingLimit = z.infer<typeof PacingLimitSchema>;

/** Sends in the windows the policy counts, as the Pacing screen shows them. */
export const PacingUsageSchema = z.object({
  last_minute: z.number().int(),
  last_hour: z.number().int(),
  /** Chats that have never written to us, written to in the last 24 hours. */
  new_chats_today: z.number().int(),
});
export type PacingUsage = z.infer<typeof PacingUsageSchema>;

export const PacedMessageSchema = z.object({
  /** Known when the outbox holds the message; a synchronous send gets its id from WhatsApp only as it leaves. */
  message_id: z.string().nullable(),
  chat_jid: z.string(),
  /** Unix seconds when pacing lets it leave; null when the policy lets nothing of the kind leave at all. */
  until: z.number().int().nullable(),
  limit: PacingLimitSchema,
});
export type PacedMessage = z.infer<typeof PacedMessageSchema>;

/** What `GET /admin/pacing` answers and each 'pacing.changed' event carries. */
export const PacingStateSchema = z.object({
  policy: PacingPolicySchema,
  defaults: PacingPolicySchema,
  usage: PacingUsageSchema,
  /** Messages held back by pacing right now, longest-waiting first. */
  waiting: z.array(PacedMessageSchema),
});
export type PacingState = z.infer<typeof PacingStateSchema>;
