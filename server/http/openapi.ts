import { z } from 'zod';
import { LoggedEventSchema, StreamTruncatedSchema } from '../contract/event-stream.ts';
import type { Operation } from './operations.ts';
import { TIME_RULE } from '../contract/time.ts';
import { LOGGED_EVENT_TYPES } from '../contract/events.ts';
import { DELIVERY_HEADERS } from '../contract/webhooks.ts';
import { QUEUED_WORDS, SENT_WORDS } from './send-answers.ts';

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad request: the error says which field and why (also a malformed JSON body or %-encoding)',
  401: 'Invalid or missing authentication',
  403: 'Refused: a Host header naming a site other than this computer (a web page rebinding its DNS), or an edit or delete of a message someone else sent (the error says which)',
  404: 'Not found',
  409: 'Conflict: the session, the message or the Idempotency-Key is not in a state that allows it (the error says which)',
  410: "Gone: WhatsApp's servers no longer have the file and WaGate kept no copy",
  413: "Body too large, or a media file over WhatsApp's limit for its kind (the error says the limit)",
  415: 'Not application/json (or multipart/form-data where a file is taken), or a media file of a type its kind does not take (the error says what to send)',
  422: 'Idempotency-Key reused with another body',
  429: 'Too many: wrong API keys from this address, open event streams, or pacing would hold the message longer than a request may wait (the error says which, and until when); nothing was done',
  500: 'WhatsApp failed to send',
  502: 'A media url could not be fetched (the error says what its server answered)',
  503: 'WhatsApp is not connected',
  504: 'A media url took longer than 30 s to fetch',
};

/**
 * An answer may gain fields (additive changes), so answers are not closed: zod's `additionalProperties: false` would
 * also make an intersection (`allOf` of two objects) match nothing.
 */
function openObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openObjects);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, openObjects(value)]),
  );
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return (io === 'output' ? openObjects(rest) : rest) as Record<string, unknown>;
};

/**
 * What every operation may answer beyond its own errors: the Host check (403) on all; on those behind an API key, the
 * key (401, 429 after too many wrong ones); where a request schema checks something, 400; where a body is read, 400
 * (malformed), 413 and 415. An operation without a body reads none, so a body sent to it changes nothing.
 */
const documentedErrors = (op: Operation): number[] => {
  const checked = op.params || op.query || op.headers || op.body;
  const implied = [403, ...(op.auth ? [401, 429] : []), ...(checked ? [400] : []), ...(op.body ? [413, 415] : [])];
  return [...new Set([...op.errors, ...implied])].sort((a, b) => a - b);
};

/**
 * The example a JSON Schema carries from its zod schema (`.meta({ example })`): its own; for a list, a list of its
 * item's; for an intersection, its parts' merged (each part an object).
 */
function exampleOf(json: Record<string, unknown>): unknown {
  if (json.example !== undefined) return json.example;
  const items = json.items as Record<string, unknown> | undefined;
  if (json.type === 'array' && items) {
    const item = exampleOf(items);
    return item === undefined ? undefined : [item];
  }
  const parts = (json.allOf as Record<string, unknown>[] | undefined)?.map(exampleOf);
  if (parts?.length && parts.every((part) => typeof part === 'object' && part !== null && !Array.isArray(part)))
    return Object.assign({}, ...parts);
  return undefined;
}

/** The success envelope around `data`, with an example: the operation's own, else the one `data`'s schema carries. */
function envelope(data: z.ZodType, example: unknown, code: 200 | 202, message: string) {
  const dataJson = jsonSchema(data, 'output');
  const shown = example ?? exampleOf(dataJson);
  return {
    type: 'object',
    required: ['status', 'code', 'message', 'data'],
    properties: {
      status: { const: true },
      code: { type: 'integer', example: code },
      message: { type: 'string' },
      data: dataJson,
    },
    ...(shown === undefined ? {} : { example: { status: true, code, message, data: shown } }),
  };
}

/** A schema's properties as JSON Schema, by name. */
const propertiesOf = (schema: z.ZodObject | undefined): Record<string, Record<string, unknown>> =>
  schema ? (jsonSchema(schema, 'input').properties as Record<string, Record<string, unknown>>) : {};

function parametersOf(op: Operation) {
  const path = Object.entries(propertiesOf(op.params)).map(([name, { description, example, ...schema }]) => ({
    name,
    in: 'path',
    required: true,
    ...(description === undefined ? {} : { description }),
    schema: { type: 'string', ...schema },
    ...(example === undefined ? {} : { example }),
  }));
  const query = Object.entries(propertiesOf(op.query)).map(([name, { example, ...schema }]) => ({
    name,
    in: 'query',
    required: false,
    schema,
    ...(example === undefined ? {} : { example }),
  }));
  const headers = Object.entries(propertiesOf(op.headers)).map(([name, { description, example, ...schema }]) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema: { type: 'string', ...schema },
    ...(example === undefined ? {} : { example }),
  }));
  return [...path, ...query, ...headers];
}

const REPLAYED = {
  description:
    '`true` when this is the first answer to the same Idempotency-Key and body, replayed: nothing was sent again',
  schema: { type: 'string', enum: ['true'] },
};

/** `GET /events`: each event's `data:` line is an Event (its `id:` the event id), or `stream.truncated` first. */
const eventStream = () => ({
  schema: {
    type: 'string',
    description:
      'Server-sent events. Each `event: <type>` has an `id:` (the event id, for Last-Event-ID) and a `data:` line holding ' +
      'one Event as JSON; `event: stream.truncated` (no id; data `{last_event_id, oldest_available_id}`) comes first when events after ' +
      'Last-Event-ID are past retention; `: heartbeat` comments keep the stream open.',
    'x-sse-data': {
      oneOf: [{ $ref: '#/components/schemas/Event' }, jsonSchema(StreamTruncatedSchema, 'output')],
    },
  },
  example: 'id: 42\nevent: message.status\ndata: {"id":42,"type":"message.status","at":1764080000,"data":{…}}\n\n',
});

function responsesOf(op: Operation) {
  const success: Record<string, unknown> = {};
  // A send's words; another operation's example says what it does.
  const words = op.accepted ? (op.sentWords ?? SENT_WORDS) : op.summary;
  if (op.data) success['application/json'] = { schema: envelope(op.data, op.dataExample, 200, words) };
  if (op.produces === 'text/event-stream') success[op.produces] = eventStream();
  else if (op.produces) success[op.produces] = { schema: { type: 'string', format: 'binary' } };
  // JSON that is not enveloped (the document itself): its example is the whole answer.
  if (!op.data && !op.produces) success['application/json'] = { schema: { type: 'object' }, example: op.dataExample };
  const errors = Object.fromEntries(
    documentedErrors(op).map((code) => [
      String(code),
      {
        description: ERROR_TEXT[code],
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );
  // The Idempotency-Key middleware marks an answer it replays.
  const headers = op.headers?.shape['Idempotency-Key'] ? { headers: { 'Idempotent-Replayed': REPLAYED } } : {};
  const accepted = op.accepted
    ? {
        '202': {
          description: op.accepted.description,
          ...headers,
          content: { 'application/json': { schema: envelope(op.accepted.data, undefined, 202, QUEUED_WORDS) } },
        },
      }
    : {};
  return { '200': { description: 'Success', ...headers, content: success }, ...accepted, ...errors };
}

/** JSON, and for an operation that takes a file, the same fields as `multipart/form-data` with the file part. */
function bodyContentOf(op: Operation, body: z.ZodType) {
  const json = jsonSchema(body, 'input');
  const content: Record<string, unknown> = { 'application/json': { schema: json, example: op.bodyExample } };
  if (op.upload) {
    const { properties = {}, required: _, ...rest } = json as { properties?: object; required?: string[] };
    const file = { type: 'string', format: 'binary', description: op.upload.description };
    // The JSON example's fields as text parts, the file as its own part instead of a url or base64.
    const { url: _url, base64: _base64, ...parts } = (op.bodyExample ?? {}) as Record<string, unknown>;
    content['multipart/form-data'] = {
      schema: { ...rest, properties: { [op.upload.field]: file, ...properties }, required: [op.upload.field] },
      example: { [op.upload.field]: '(the file’s bytes)', ...parts },
    };
  }
  return content;
}

function operationOf(op: Operation) {
  return {
    summary: op.summary,
    tags: [op.tag],
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    security: op.auth ? [{ apiKey: [] }] : [],
    parameters: parametersOf(op),
    ...(op.body ? { requestBody: { required: true, content: bodyContentOf(op, op.body) } } : {}),
    responses: responsesOf(op),
  };
}

/** The guide at the top of `/docs`: from a key to a read receipt and a verified webhook, without the README. */
const GUIDE = `A local WhatsApp gateway. Every answer is the envelope \`{status, code, message, data|error}\`.
${TIME_RULE}
An operation without a request body below ignores one sent to it (it is not read). A request that is not well-formed
HTTP (one the parser refuses, or with several Host headers) is answered 400 on any path.

**1. A key.** Create one in the dashboard (API keys) or with \`npx wagate keys create my-app\`; press **Authorize** here and paste it.
Send it as \`Authorization: <key>\` (or \`Bearer <key>\`).

**2. Send.** \`POST /chats/{chat_jid}/messages\` with \`{"text": "Hello"}\`; add an \`Idempotency-Key\` header to retry safely.

**3. Follow it.** A 200 means WhatsApp's server has the message; a 202 that it is in the outbox and will be sent.
\`GET /messages/{message_id}\` moves \`queued → sending → sent → delivered → read\` (or \`failed\` with a reason), with the time of each;
\`GET /events\` streams \`message.received\`, \`message.status\`, \`message.reaction\`, \`message.edited\`, \`message.deleted\`, \`poll.vote\` and \`session.state\` as they happen.

**4. Replies by webhook.** Register a URL in the dashboard (Webhooks) or with
\`npx wagate webhooks add http://127.0.0.1:3000/hook --events message.received\`; the secret is shown once. Each delivery is a
POST of the event (see *Webhooks* below) signed as [Standard Webhooks](https://www.standardwebhooks.com) says, so any
Standard Webhooks library verifies it (in Node, \`new Webhook(secret).verify(rawBody, headers)\` from \`standardwebhooks\`).
\`${DELIVERY_HEADERS.signature}\` is \`v1,\` and the base64 HMAC-SHA256 of \`<${DELIVERY_HEADERS.id}>.<${DELIVERY_HEADERS.timestamp}>.<raw body>\`,
keyed with the bytes the secret's part after \`whsec_\` encodes in base64; \`${DELIVERY_HEADERS.id}\` stays the same on retries.
Without a library:

\`\`\`js
function verify(secret, headers, rawBody) {
  const id = headers['webhook-id'] ?? '';
  const timestamp = headers['webhook-timestamp'] ?? '';
  if (!id || !/^\\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const digest = crypto.createHmac('sha256', key).update(\`\${id}.\${timestamp}.\`).update(rawBody).digest('base64');
  const expected = Buffer.from(\`v1,\${digest}\`);
  return (headers['webhook-signature'] ?? '').split(' ').some((signature) => {
    const given = Buffer.from(signature);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}
\`\`\`
Answer any 2xx within 10 s; anything else is retried with backoff from a queue that survives restarts.`;

/** The delivery's headers, each with its rule and an example (the signature's is the standard's own test vector). */
const WEBHOOK_HEADERS = [
  {
    name: DELIVERY_HEADERS.id,
    description: 'The delivery id, the same on every retry: ignore a repeat',
    schema: { type: 'string', pattern: '^dlv_[0-9a-f]{16}$' },
    example: 'dlv_5f0c6a1e9b2d4f70',
  },
  {
    name: DELIVERY_HEADERS.timestamp,
    description: 'Unix seconds of this attempt: refuse it when more than 5 minutes off',
    schema: { type: 'string', pattern: '^[0-9]+$' },
    example: '1764080000',
  },
  {
    name: DELIVERY_HEADERS.signature,
    description:
      '`v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<raw body>`, keyed with the bytes the secret encodes in base64 after `whsec_`. Space-separated when there are several: accept the delivery when one matches',
    schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/]{43}=( \\S+)*$' },
    example: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  },
  {
    name: DELIVERY_HEADERS.event,
    description: 'The event type',
    schema: { type: 'string', enum: [...LOGGED_EVENT_TYPES] },
    example: 'message.received',
  },
];

/** OpenAPI 3.1's `webhooks`: what WaGate POSTs to a registered URL. */
function webhooksOf() {
  const parameters = WEBHOOK_HEADERS.map((header) => ({ ...header, in: 'header', required: true }));
  return {
    event: {
      post: {
        summary: 'An event, delivered to your URL',
        operationId: 'deliverEvent',
        tags: ['Webhooks'],
        // Your receiver checks the Standard Webhooks signature instead of a key.
        security: [],
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

const TAG_TEXT: Record<string, string> = {
  Messages: 'Send, follow and list messages; the outbox; groups and contacts',
  Session: 'The linked WhatsApp account: state, pairing, logout',
  Events: 'What happens, as it happens (server-sent events)',
  System: 'Health and this document',
  Webhooks: 'What WaGate POSTs to your URL',
};

/** Each tag the operations use, once, in the order first used, then Webhooks. */
const tagsOf = (operations: readonly Operation[]) =>
  [...new Set([...operations.map((op) => op.tag), 'Webhooks'])].map((name) => ({
    name,
    ...(TAG_TEXT[name] ? { description: TAG_TEXT[name] } : {}),
  }));

/** OpenAPI 3.1 of `operations`, built from the same zod schemas that validate their requests. */
export function buildOpenApi(version: string, serverUrl: string, operations: readonly Operation[]): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operationOf(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'WaGate',
      version,
      description: GUIDE,
      license: { name: 'MIT', identifier: 'MIT' },
      contact: { name: 'WaGate on this computer', url: `${serverUrl}/docs/` },
    },
    servers: [{ url: serverUrl }],
    tags: tagsOf(operations),
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
        Event: jsonSchema(LoggedEventSchema, 'output'),
      },
    },
  };
}
