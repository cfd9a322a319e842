import { z } from 'zod';
import { OutboxEntrySchema } from '../store/outbox.ts';
import { CONTACT_CACHE_MS, ContactInfoSchema } from '../whatsapp/contact-directory.ts';
import { GroupDetailSchema, GroupSummarySchema } from '../contract/groups.ts';
import { MemberReceiptSchema } from '../store/member-receipts.ts';
import { LoggedEventSchema, EventsQuery } from '../contract/event-stream.ts';
import { HealthData } from '../contract/health.ts';
import {
  MessageStatusChangeSchema,
  StoredMessageSchema,
  MessageDetailSchema,
  SendResultSchema,
  AcceptedResultSchema,
  ListMessagesQuery,
  SendMessageBody,
} from '../contract/messages.ts';
import {
  SessionSnapshotSchema,
  LogoutData,
  PairingCodeBody,
  PairingCodeData,
  QrData,
  QrQuery,
  SessionData,
} from '../contract/session.ts';

interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  tag: 'Messages' | 'Session' | 'Events' | 'System';
  auth: boolean;
  body?: z.ZodType;
  bodyExample?: unknown;
  query?: z.ZodObject;
  /** The schema of `data` in a success envelope; absent for non-JSON answers. */
  data?: z.ZodType;
  dataExample?: unknown;
  /** `data` of a 202: accepted into the outbox, not sent yet. */
  accepted?: { data: z.ZodType; description: string };
  errors: number[];
  produces?: 'image/png' | 'text/event-stream';
  headers?: Array<{ name: string; description: string }>;
}

const CHAT_JID = {
  name: 'chat_jid',
  in: 'path',
  required: true,
  description: 'A JID (…@s.whatsapp.net, …@g.us, …@lid) or a phone number with country code',
  schema: { type: 'string' },
  example: '6281234567890@s.whatsapp.net',
};

/** Every public endpoint; `test/http/openapi.test.ts` checks this list against the routes the server really has. */
export const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/chats/{chat_jid}/messages',
    summary: 'Send a text message to a chat or group',
    tag: 'Messages',
    auth: true,
    body: SendMessageBody,
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
      chat_jid: '6281234567890@s.whatsapp.net',
      chat_lid: '123456789012345@lid',
      timestamp: 1702129024,
    },
    accepted: {
      data: AcceptedResultSchema,
      description:
        'In the outbox and certain to be sent: `queued` for an async or scheduled send, `pending` when WhatsApp did not ' +
        'confirm it within the wait (60 s by default); follow it with GET /messages/{message_id} or message.status events',
    },
    errors: [400, 401, 404, 409, 413, 415, 422, 500, 503],
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Retry safely: a repeat with the same key and body within 24 h answers the first result and sends nothing',
      },
      {
        name: 'Prefer',
        description: '`respond-async` (RFC 7240): answer 202 as soon as the message is in the outbox',
      },
    ],
  },
  {
    method: 'get',
    path: '/chats/{chat_jid}/messages',
    summary: "A chat's stored messages, newest first",
    tag: 'Messages',
    auth: true,
    query: ListMessagesQuery,
    data: z.array(StoredMessageSchema),
    errors: [400, 401],
  },
  {
    method: 'get',
    path: '/messages/{message_id}',
    summary: 'One message, its status and when it reached each one',
    tag: 'Messages',
    auth: true,
    data: MessageDetailSchema.extend({
      /** Group messages: each member's delivered and read receipts. */
      receipts: z.array(MemberReceiptSchema),
    }),
    errors: [401, 404],
  },
  {
    method: 'delete',
    path: '/messages/{message_id}',
    summary: 'Cancel a queued or scheduled message that has not left',
    tag: 'Messages',
    auth: true,
    data: MessageStatusChangeSchema,
    errors: [401, 404, 409],
  },
  {
    method: 'get',
    path: '/outbox',
    summary: 'Messages waiting to leave (scheduled, queued, sending) or failed, oldest first',
    tag: 'Messages',
    auth: true,
    data: z.array(OutboxEntrySchema),
    errors: [401],
  },
  {
    method: 'post',
    path: '/outbox/{message_id}/retry',
    summary: 'Send a failed message again, with the same id',
    tag: 'Messages',
    auth: true,
    data: MessageStatusChangeSchema,
    errors: [401, 404],
  },
  {
    method: 'delete',
    path: '/outbox/{message_id}',
    summary: 'Drop a failed message from the outbox (or cancel one that has not left)',
    tag: 'Messages',
    auth: true,
    data: z.object({ message_id: z.string() }),
    errors: [401, 404, 409],
  },
  {
    method: 'get',
    path: '/groups',
    summary: 'The groups the linked phone is in: JID, subject, size',
    tag: 'Messages',
    auth: true,
    data: z.array(GroupSummarySchema),
    dataExample: [{ jid: '120363000000000001@g.us', subject: 'Family', size: 4 }],
    errors: [401, 500, 503],
  },
  {
    method: 'get',
    path: '/groups/{group_jid}',
    summary: 'One group: subject, description, participants (LID and phone number) with admin flags',
    tag: 'Messages',
    auth: true,
    data: GroupDetailSchema,
    errors: [400, 401, 404, 500, 503],
  },
  {
    method: 'get',
    path: '/contacts/{phone}',
    summary: `Is this number (or …@lid) on WhatsApp, and its JID and LID (cached: a yes for ${
      CONTACT_CACHE_MS.on_whatsapp / 3_600_000
    } h, a no for ${CONTACT_CACHE_MS.not_on_whatsapp / 60_000} min)`,
    tag: 'Messages',
    auth: true,
    data: ContactInfoSchema,
    dataExample: {
      phone: '6281234567890',
      on_whatsapp: true,
      jid: '6281234567890@s.whatsapp.net',
      lid: '123456789012345@lid',
      checked_at: 1764080000123,
    },
    errors: [400, 401, 500, 503],
  },
  {
    method: 'get',
    path: '/session',
    summary: 'The WhatsApp session: state, linked account, last error',
    tag: 'Session',
    auth: true,
    data: SessionData,
    errors: [401],
  },
  {
    method: 'get',
    path: '/session/qr',
    summary: 'The current pairing QR code (PNG, or JSON with ?format=json)',
    tag: 'Session',
    auth: true,
    query: QrQuery,
    data: QrData,
    produces: 'image/png',
    errors: [400, 401, 404],
  },
  {
    method: 'post',
    path: '/session/pairing-code',
    summary: 'Link by typing a code on the phone instead of scanning',
    tag: 'Session',
    auth: true,
    body: PairingCodeBody,
    bodyExample: { phone_number: '+62 812-3456-7890' },
    data: PairingCodeData,
    errors: [400, 401, 409, 500],
  },
  {
    method: 'post',
    path: '/session/logout',
    summary: 'Unlink this device and wipe its credentials',
    tag: 'Session',
    auth: true,
    data: LogoutData,
    errors: [401, 409],
  },
  {
    method: 'get',
    path: '/events',
    summary: 'Server-sent events: message.received, message.status, session.state (resume with Last-Event-ID)',
    tag: 'Events',
    auth: true,
    query: EventsQuery,
    produces: 'text/event-stream',
    errors: [400, 401],
    headers: [
      {
        name: 'Last-Event-ID',
        description: 'Resume after this event id: missed events are replayed from the store first',
      },
    ],
  },
  {
    method: 'get',
    path: '/health',
    summary: 'Is WaGate up, and is WhatsApp linked (no key needed)',
    tag: 'System',
    auth: false,
    data: HealthData,
    errors: [],
  },
  { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'System', auth: false, errors: [] },
];

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad request: the error says which field and why',
  401: 'Invalid or missing authentication',
  404: 'Not found',
  409: 'Conflict with the session state',
  413: 'Body too large',
  415: 'Not application/json',
  422: 'Idempotency-Key reused with another body',
  429: 'Too many: pacing would hold the message longer than a request may wait (the error says until when); nothing was sent',
  500: 'WhatsApp failed to send',
  503: 'WhatsApp is not connected',
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

function envelope(data: z.ZodType, example: unknown) {
  return {
    type: 'object',
    required: ['status', 'code', 'message', 'data'],
    properties: {
      status: { const: true },
      code: { type: 'integer', example: 200 },
      message: { type: 'string' },
      data: jsonSchema(data, 'output'),
    },
    ...(example === undefined
      ? {}
      : { example: { status: true, code: 200, message: 'Message sent successfully', data: example } }),
  };
}

function parametersOf(op: Operation) {
  const path = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) =>
    name === 'chat_jid' ? CHAT_JID : { name, in: 'path', required: true, schema: { type: 'string' } },
  );
  const queryShape = op.query ? (jsonSchema(op.query, 'input').properties as Record<string, object>) : {};
  const query = Object.entries(queryShape).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  const headers = (op.headers ?? []).map(({ name, description }) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema: { type: 'string' },
  }));
  return [...path, ...query, ...headers];
}

function responsesOf(op: Operation) {
  const success: Record<string, unknown> = {};
  if (op.data) success['application/json'] = { schema: envelope(op.data, op.dataExample) };
  if (op.produces)
    success[op.produces] = { schema: { type: 'string', format: op.produces === 'image/png' ? 'binary' : undefined } };
  if (!op.data && !op.produces) success['application/json'] = { schema: { type: 'object' } };
  const errors = Object.fromEntries(
    op.errors.map((code) => [
      String(code),
      {
        description: ERROR_TEXT[code],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );
  const accepted = op.accepted
    ? {
        '202': {
          description: op.accepted.description,
          content: { 'application/json': { schema: envelope(op.accepted.data, undefined) } },
        },
      }
    : {};
  return { '200': { description: 'Success', content: success }, ...accepted, ...errors };
}

function operationOf(op: Operation) {
  return {
    summary: op.summary,
    tags: [op.tag],
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    security: op.auth ? [{ apiKey: [] }] : [],
    parameters: parametersOf(op),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(op.body, 'input'), example: op.bodyExample } },
          },
        }
      : {}),
    responses: responsesOf(op),
  };
}

/** The guide at the top of `/docs`: from a key to a read receipt and a verified webhook, without the README. */
const GUIDE = `A local WhatsApp gateway. Every answer is the envelope \`{status, code, message, data|error}\`.

**1. A key.** Create one in the dashboard (API keys) or with \`npx wagate keys create my-app\`; press **Authorize** here and paste it.
Send it as \`Authorization: <key>\` (or \`Bearer <key>\`).

**2. Send.** \`POST /chats/{chat_jid}/messages\` with \`{"text": "Hello"}\`; add an \`Idempotency-Key\` header to retry safely.

**3. Follow it.** A 200 means WhatsApp's server has the message; a 202 that it is in the outbox and will be sent.
\`GET /messages/{message_id}\` moves \`queued → sending → sent → delivered → read\` (or \`failed\` with a reason), with the time of each;
\`GET /events\` streams \`message.status\`, \`message.received\` and \`session.state\` as they happen.

**4. Replies by webhook.** Register a URL in the dashboard (Webhooks) or with
\`npx wagate webhooks add http://127.0.0.1:3000/hook --events message.received\`; the secret is shown once. Each delivery is a
POST of the event (see *Webhooks* below) with \`WaGate-Signature: v1=<hex>\`, the HMAC-SHA256 of
\`<WaGate-Timestamp>.<raw body>\` keyed with the secret; \`WaGate-Delivery\` stays the same on retries. Verify it:

\`\`\`js
function verify(secret, timestamp, signatureHeader, rawBody) {
  if (!/^\\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = crypto.createHmac('sha256', secret).update(\`\${timestamp}.\`).update(rawBody).digest();
  return signatureHeader.split(',').some((part) => {
    const [scheme, hex = ''] = part.trim().split('=');
    const given = Buffer.from(hex, 'hex');
    return scheme === 'v1' && given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}
\`\`\`
Answer any 2xx within 10 s; anything else is retried with backoff from a queue that survives restarts.`;

const WEBHOOK_HEADERS = {
  'WaGate-Signature': 'v1= and the hex HMAC-SHA256 of `<WaGate-Timestamp>.<raw body>`, keyed with the webhook secret',
  'WaGate-Timestamp': 'Unix seconds when it was signed: refuse it when more than 5 minutes off',
  'WaGate-Delivery': 'The delivery id, the same on every retry: ignore a repeat',
  'WaGate-Event': 'The event type',
};

/** OpenAPI 3.1's `webhooks`: what WaGate POSTs to a registered URL. */
function webhooksOf() {
  const parameters = Object.entries(WEBHOOK_HEADERS).map(([name, description]) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
  }));
  return {
    event: {
      post: {
        summary: 'An event, delivered to your URL',
        parameters,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Event' } } },
        },
        responses: {
          '2XX': { description: 'Delivered. Any other answer, or none within 10 s, is retried with backoff.' },
        },
      },
    },
  };
}

/** OpenAPI 3.1, built from the same zod schemas that validate the requests. */
export function buildOpenApi(version: string, serverUrl: string): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationOf(op);
  return {
    openapi: '3.1.0',
    info: { title: 'WaGate', version, description: GUIDE },
    servers: [{ url: serverUrl }],
    paths,
    webhooks: webhooksOf(),
    components: {
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'An API key (wg_…), raw or as "Bearer <key>"',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['status', 'code', 'message', 'error'],
          properties: {
            status: { const: false },
            code: { type: 'integer' },
            message: { type: 'string' },
            error: { type: 'string' },
          },
          example: { status: false, code: 400, message: 'Bad request', error: 'Text field is required' },
        },
        SessionSnapshot: jsonSchema(SessionSnapshotSchema, 'output'),
        MessageStatusChange: jsonSchema(MessageStatusChangeSchema, 'output'),
        Message: jsonSchema(StoredMessageSchema, 'output'),
        Event: jsonSchema(LoggedEventSchema, 'output'),
      },
    },
  };
}
