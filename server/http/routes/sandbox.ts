import express, { type Express } from 'express';
import { z } from 'zod';
import { sendFail, sendOk } from '../envelope.ts';
import { inputOf, validate } from '../validate.ts';
import { errorHandler } from '../middleware/errors.ts';
import { jsonBody } from '../middleware/json-body.ts';
import { hostCheck } from '../middleware/host-check.ts';
import { ApiError } from '../../api-error.ts';
import type { Logger } from '../../logger.ts';
import type { SandboxControls } from '../../sandbox/simulated-whatsapp.ts';
import {
  CAPPING_STATUSES,
  FAULT_KINDS,
  REJECTION_CODES,
  STATUS_ACK_WITHIN_MS,
  STREAM_ERRORS,
} from '../../contract/sandbox.ts';
import { MAX_TEXT_LENGTH } from '../../contract/limits.ts';
import { MediaKindSchema } from '../../contract/media.ts';
import { UnixSecondsSchema } from '../../contract/time.ts';

/** A contact's media file in the control API: 16 MB of base64 at most. */
const MAX_CONTACT_MEDIA_BASE64 = 22 * 1024 * 1024;
import { ContactActionSchema } from '../../contract/sandbox-contact-actions.ts';

const ScanBody = z.object({ qr: z.string().min(1).optional() }).strict();
const PairingCodeBody = z.object({ code: z.string().min(1).max(32) }).strict();
const ContactBody = z
  .object({
    number: z.string().min(1).max(32),
    name: z.string().trim().min(1).max(100),
    on_whatsapp: z.boolean(),
    lid_migrated: z.boolean().optional(),
  })
  .strict();
const MessageBody = z
  .object({
    text: z.string().min(1).max(MAX_TEXT_LENGTH),
    reply_to_message_id: z.string().min(1).max(128).optional(),
  })
  .strict();
const ContactMediaBody = z
  .object({
    kind: MediaKindSchema,
    base64: z.string().min(1).max(MAX_CONTACT_MEDIA_BASE64),
    mime_type: z.string().min(1).max(255),
    file_name: z.string().min(1).max(255).optional(),
    caption: z.string().max(1024).optional(),
    seconds: z.number().int().positive().max(86_400).optional(),
  })
  .strict();
const ReceiptBody = z.object({ message_id: z.string().min(1).max(128), type: z.enum(['delivered', 'read']) }).strict();
const StatusBody = z
  .object({
    text: z.string().min(1).max(MAX_TEXT_LENGTH),
    ack_within_ms: z.number().int().positive().max(STATUS_ACK_WITHIN_MS).optional(),
  })
  .strict();
const GroupMessageBody = z
  .object({ from: z.string().min(1).max(32), text: z.string().min(1).max(MAX_TEXT_LENGTH) })
  .strict();
const GroupReceiptBody = z
  .object({
    from: z.string().min(1).max(32),
    message_id: z.string().min(1).max(128),
    type: z.enum(['delivered', 'read']),
  })
  .strict();
const GroupMembersBody = z.object({ action: z.enum(['add', 'remove']), number: z.string().min(1).max(32) }).strict();
const RetryBody = z.object({ message_id: z.string().min(1).max(128) }).strict();
const FaultBody = z
  .object({
    kind: z.enum(FAULT_KINDS),
    code: z.enum(STREAM_ERRORS).optional(),
    duration_ms: z.number().int().positive().max(600_000).optional(),
    count: z.number().int().positive().max(10_000).optional(),
    delay_ms: z.number().int().nonnegative().max(600_000).optional(),
  })
  .strict();

const RejectionBody = z
  .object({
    error: z
      .union([z.literal(REJECTION_CODES[0]), z.literal(REJECTION_CODES[1]), z.null()])
      .meta({ description: 'The code WhatsApp answers on the ack (463 or 479); null takes the messages again' }),
  })
  .strict();
const TimelockBody = z
  .object({
    active: z.boolean(),
    until: UnixSecondsSchema.optional().meta({ description: 'Unix seconds; default a minute from now' }),
    enforcement_type: z.string().min(1).max(64).optional(),
  })
  .strict();
const CappingBody = z
  .object({
    status: z.enum(CAPPING_STATUSES),
    used: z.number().int().nonnegative(),
    quota: z.number().int().nonnegative(),
    cycle_ends_at: UnixSecondsSchema.optional().meta({ description: 'Unix seconds' }),
  })
  .strict();

/** The sandbox's control API, relative to where it is mounted (WaGate's /sandbox, or the standalone app's). */
export function createSandboxRouter(
  sim: SandboxControls,
  { logger, currentQr }: { logger: Logger; currentQr?: () => string | null },
): express.Router {
  const router = express.Router();
  // Before the small-body parser: a contact's media comes as base64 in JSON.
  router.post(
    '/contacts/:number/media',
    express.json({ limit: MAX_CONTACT_MEDIA_BASE64 + 4096 }),
    validate({ body: ContactMediaBody }),
    async (req, res) => {
      const { body } = inputOf<{ body: typeof ContactMediaBody }>(res);
      const sent = await sim.sendMediaFromContact(String(req.params.number), body);
      sendOk(res, 'The contact sent the media message', sent, 201);
    },
  );
  router.use(jsonBody());
  router.post('/contacts/:number/media/:message_id/expire', (req, res) => {
    sim.expireContactMedia(String(req.params.number), String(req.params.message_id));
    sendOk(res, "The media servers no longer have the message's file", { message_id: req.params.message_id });
  });

  router.get('/phone', (_req, res) => sendOk(res, 'The virtual phone', sim.phone()));
  router.post('/phone/scan', validate({ body: ScanBody }), async (req, res) => {
    const { body } = inputOf<{ body: typeof ScanBody }>(res);
    const qr = body.qr ?? currentQr?.() ?? null;
    if (!qr) throw new ApiError(409, 'no QR to scan: pass {qr}, or wait until WaGate shows one');
    sendOk(res, 'The phone scanned the QR and linked the device', await sim.scan(qr));
  });
  router.post('/phone/pairing-code', validate({ body: PairingCodeBody }), async (req, res) => {
    const { body } = inputOf<{ body: typeof PairingCodeBody }>(res);
    sendOk(res, 'The phone entered the pairing code and linked the device', await sim.enterPairingCode(body.code));
  });
  router.post('/phone/unlink', async (_req, res) => {
    await sim.unlink();
    sendOk(res, 'The phone removed its linked devices', sim.phone());
  });
  router.get('/phone/standing', (_req, res) => sendOk(res, 'The account’s standing with WhatsApp', sim.standing()));
  router.post('/phone/reachout-timelock', validate({ body: TimelockBody }), (req, res) => {
    const { body } = inputOf<{ body: typeof TimelockBody }>(res);
    sendOk(res, 'WhatsApp told the linked devices about the reach-out time lock', sim.setReachoutTimelock(body));
  });
  router.post('/phone/message-capping', validate({ body: CappingBody }), (req, res) => {
    const { body } = inputOf<{ body: typeof CappingBody }>(res);
    sendOk(res, 'WhatsApp told the linked devices about the new-chat message cap', sim.setMessageCapping(body));
  });
  router.post('/contacts/:number/rejection', validate({ body: RejectionBody }), (req, res) => {
    const { body } = inputOf<{ body: typeof RejectionBody }>(res);
    const message = body.error
      ? `WhatsApp now refuses messages to this contact with ${body.error}`
      : 'WhatsApp takes messages to this contact again';
    sendOk(res, message, sim.rejectMessages(String(req.params.number), body.error));
  });
  router.get('/contacts', (_req, res) => sendOk(res, 'The sandbox contacts', sim.contacts()));
  router.post('/contacts', validate({ body: ContactBody }), (req, res) => {
    const { body } = inputOf<{ body: typeof ContactBody }>(res);
    sendOk(res, 'Contact saved', sim.addContact(body), 201);
  });
  router.get('/contacts/:number/inbox', (req, res) => {
    sendOk(res, 'What the contact received', sim.inbox(String(req.params.number)));
  });
  router.post('/contacts/:number/messages', validate({ body: MessageBody }), async (req, res) => {
    const { body } = inputOf<{ body: typeof MessageBody }>(res);
    sendOk(res, 'The contact sent the message', await sim.sendFromContact(String(req.params.number), body), 201);
  });
  router.post('/contacts/:number/actions', validate({ body: ContactActionSchema }), async (req, res) => {
    const { body } = inputOf<{ body: typeof ContactActionSchema }>(res);
    const sent = await sim.sendActionFromContact(String(req.params.number), body);
    sendOk(res, `The contact sent the ${body.kind.replace('_', ' ')}`, sent, 201);
  });
  router.post('/contacts/:number/receipts', validate({ body: ReceiptBody }), async (req, res) => {
    const { body } = inputOf<{ body: typeof ReceiptBody }>(res);
    await sim.sendReceipt(String(req.params.number), body);
    sendOk(res, 'Receipt sent', { message_id: body.message_id, type: body.type });
  });
  router.post('/contacts/:number/status', validate({ body: StatusBody }), (req, res) => {
    const { body } = inputOf<{ body: typeof StatusBody }>(res);
    sendOk(res, 'The contact’s status was sent', sim.sendStatus(String(req.params.number), body));
  });
  router.post('/contacts/:number/retry', validate({ body: RetryBody }), async (req, res) => {
    const { body } = inputOf<{ body: typeof RetryBody }>(res);
    await sim.askRetry(String(req.params.number), body);
    sendOk(res, 'The contact asked for the message again', body);
  });
  router.get('/groups', (_req, res) => sendOk(res, 'The sandbox groups', sim.groups()));
  router.get('/groups/:jid/inbox', (req, res) => {
    sendOk(res, 'What the group’s members got', sim.groupInbox(String(req.params.jid)));
  });
  router.post('/groups/:jid/messages', validate({ body: GroupMessageBody }), async (req, res) => {
    const { body } = inputOf<{ body: typeof GroupMessageBody }>(res);
    sendOk(res, 'The member wrote to the group', await sim.sendFromGroupMember(String(req.params.jid), body), 201);
  });
  router.post('/groups/:jid/receipts', validate({ body: GroupReceiptBody }), async (req, res) => {
    const { body } = inputOf<{ body: typeof GroupReceiptBody }>(res);
    await sim.sendGroupReceipt(String(req.params.jid), body);
    sendOk(res, 'Receipt sent', body);
  });
  router.post('/groups/:jid/participants', validate({ body: GroupMembersBody }), async (req, res) => {
    const { body } = inputOf<{ body: typeof GroupMembersBody }>(res);
    sendOk(res, 'Members changed', await sim.changeGroupMembers(String(req.params.jid), body));
  });
  router.post('/faults', validate({ body: FaultBody }), (req, res) => {
    const { body } = inputOf<{ body: typeof FaultBody }>(res);
    sim.fault(body);
    sendOk(res, 'Fault injected', body);
  });
  router.use((_req, res) => sendFail(res, 404, 'no such sandbox endpoint'));
  router.use(errorHandler(logger));
  return router;
}

/** The control API served beside a simulator of its own (`wagate sandbox`, tests), at /sandbox. */
export function createStandaloneSandboxApp(
  sim: SandboxControls,
  { host, logger }: { host: string; logger: Logger },
): Express {
  const app = express();
  // The standalone control API has no key: the Host check keeps web pages (DNS rebinding) out of it.
  app.use(
    '/sandbox',
    hostCheck({ names: new Set(['127.0.0.1', 'localhost', '[::1]', host]), allowIpLiterals: false }),
    createSandboxRouter(sim, { logger }),
  );
  return app;
}
