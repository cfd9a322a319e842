import { z } from 'zod';
import { LOGGED_EVENT_TYPES, type LoggedEventType } from './events.ts';
import { MessageStatusChangeSchema, StoredMessageSchema } from './messages.ts';
import { SessionSnapshotSchema } from './session.ts';
import { MessageDeletedSchema, MessageEditedSchema, MessageReactionSchema, PollVoteSchema } from './message-events.ts';

/** The session as logged: without the QR, which is stale by the time anyone replays it (GET /session has the live one). */
export const LoggedSessionSchema = SessionSnapshotSchema.omit({ qr: true, qr_expires_at: true });
export type LoggedSession = z.infer<typeof LoggedSessionSchema>;

const envelopeOf = <T extends LoggedEventType, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    id: z.number().int().meta({ description: 'Increases with every event; the SSE id and Last-Event-ID' }),
    type: z.literal(type),
    at: z.number().int().meta({ description: 'Unix seconds when WaGate logged it' }),
    data,
  });

/** What an SSE `data:` line of `GET /events` and a webhook's body carry: one logged event. */
export const LoggedEventSchema = z
  .discriminatedUnion('type', [
    envelopeOf('message.received', StoredMessageSchema),
    envelopeOf('message.status', MessageStatusChangeSchema),
    envelopeOf('message.reaction', MessageReactionSchema),
    envelopeOf('message.edited', MessageEditedSchema),
    envelopeOf('message.deleted', MessageDeletedSchema),
    envelopeOf('poll.vote', PollVoteSchema),
    envelopeOf('session.state', LoggedSessionSchema),
  ])
  .meta({
    example: {
      id: 42,
      type: 'message.received',
      at: 1764080000,
      data: {
        message_id: '3EB0C767D26A1D5F',
        chat_jid: '6281234567890@s.whatsapp.net',
        chat_lid: null,
        direction: 'inbound',
        sender: '6281234567890@s.whatsapp.net',
        text: 'Thanks!',
        quoted_message_id: null,
        timestamp: 1764080000,
        status: 'received',
        kind: 'text',
      },
    },
  });

/** `stream.truncated`, sent first on `GET /events` when the events after Last-Event-ID are past retention: gone. */
export const StreamTruncatedSchema = z
  .object({ last_event_id: z.number().int(), oldest_available_id: z.number().int() })
  .meta({ example: { last_event_id: 12, oldest_available_id: 4096 } });

const TYPES_LIST = LOGGED_EVENT_TYPES.join(', ');
const LAST_ID_ERROR = 'Last-Event-ID must be an event id (a whole number)';

/** An event id to resume after, from the Last-Event-ID header or the `last_event_id` query. */
const LastEventId = z
  .string({ error: LAST_ID_ERROR })
  .trim()
  .regex(/^\d{1,15}$/, LAST_ID_ERROR)
  .transform(Number);

const ONE_TYPE = `(?:${LOGGED_EVENT_TYPES.map((t) => t.replaceAll('.', '\\.')).join('|')})`;

/** Event types as a comma-separated list; none means all of them. */
export const EventTypesParam = z
  .string({ error: `types must be a comma-separated list of ${TYPES_LIST}` })
  .meta({ pattern: `^\\s*(?:${ONE_TYPE}\\s*)?(?:,\\s*(?:${ONE_TYPE}\\s*)?)*$` })
  .optional()
  .transform((raw, ctx): LoggedEventType[] => {
    const types = (raw ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const unknown = types.find((t) => !(LOGGED_EVENT_TYPES as readonly string[]).includes(t));
    if (unknown !== undefined)
      ctx.addIssue({ code: 'custom', message: `Unknown event type "${unknown}": use ${TYPES_LIST}` });
    return types.length ? (types as LoggedEventType[]) : [...LOGGED_EVENT_TYPES];
  });

/** The query of `GET /events`. */
export const EventsQuery = z.object({
  types: EventTypesParam.meta({
    description: `Only these event types, comma-separated (default: all of ${TYPES_LIST})`,
    example: 'message.received,message.status',
  }),
  last_event_id: LastEventId.optional().meta({
    description: 'Resume after this event id, like the Last-Event-ID header (for clients that cannot set headers)',
    example: '42',
  }),
});

/** The headers of `GET /events`: Last-Event-ID, when sent, wins over `last_event_id`. */
export const EventsHeaders = z.object({
  'Last-Event-ID': LastEventId.optional().meta({
    description: 'Resume after this event id: missed events are replayed from the store first',
    example: '42',
  }),
});
