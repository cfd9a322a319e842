import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { sendFail, sendOk } from '../http/envelope.ts';
import { ApiError } from '../api-error.ts';
import type { Simulator } from './simulator.ts';

const ScanBody = z.object({ qr: z.string().min(1).optional() }).strict();
const PairingCodeBody = z.object({ code: z.string().min(1).max(32) }).strict();
const ContactBody = z.object({
  number: z.string().min(1).max(32),
  name: z.string().trim().min(1).max(100),
  on_whatsapp: z.boolean(),
}).strict();
const MessageBody = z.object({
  text: z.string().min(1).max(65536),
  reply_to_message_id: z.string().min(1).max(128).optional(),
}).strict();
const ReceiptBody = z.object({ message_id: z.string().min(1).max(128), type: z.enum(['delivered', 'read']) }).strict();
const FaultBody = z.object({
  kind: z.enum(['drop', 'refuse', 'replaced', 'unlink']),
  duration_ms: z.number().int().positive().max(600_000).optional(),
}).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ApiError(422, `${where}${issue?.message ?? 'invalid body'}`);
  }
  return result.data;
}

type Handler = (req: Request, res: Response) => Promise<void> | void;
const wrap = (fn: Handler) => async (req: Request, res: Response, next: NextFunction) => {
  try {
    await fn(req, res);
  } catch (err) {
    next(err);
  }
};

/** The sandbox control API, relative to where it is mounted (standalone: /sandbox; WaGate: its own /sandbox). */
export function createControlRouter(sim: Simulator, options: { currentQr?: () => string | null } = {}): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '256kb' }));

  router.get('/phone', wrap((_req, res) => sendOk(res, 'The virtual phone', sim.phone())));
  router.post('/phone/scan', wrap(async (req, res) => {
    const body = parse(ScanBody, req.body);
    const qr = body.qr ?? options.currentQr?.() ?? null;
    if (!qr) throw new ApiError(409, 'no QR to scan: pass {qr}, or wait until WaGate shows one');
    sendOk(res, 'The phone scanned the QR and linked the device', await sim.scan(qr));
  }));
  router.post('/phone/pairing-code', wrap(async (req, res) => {
    const body = parse(PairingCodeBody, req.body);
    sendOk(res, 'The phone entered the pairing code and linked the device', await sim.enterPairingCode(body.code));
  }));
  router.post('/phone/unlink', wrap(async (_req, res) => {
    await sim.unlink();
    sendOk(res, 'The phone removed its linked devices', sim.phone());
  }));
  router.get('/contacts', wrap((_req, res) => sendOk(res, 'The sandbox contacts', sim.contacts())));
  router.post('/contacts', wrap((req, res) => {
    const body = parse(ContactBody, req.body);
    sendOk(res, 'Contact saved', sim.addContact(body), 201);
  }));
  router.get('/contacts/:number/inbox', wrap((req, res) => {
    sendOk(res, 'What the contact received', sim.inbox(String(req.params.number)));
  }));
  router.post('/contacts/:number/messages', wrap(async (req, res) => {
    const body = parse(MessageBody, req.body);
    sendOk(res, 'The contact sent the message', await sim.sendFromContact(String(req.params.number), body), 201);
  }));
  router.post('/contacts/:number/receipts', wrap(async (req, res) => {
    const body = parse(ReceiptBody, req.body);
    await sim.sendReceipt(String(req.params.number), body);
    sendOk(res, 'Receipt sent', { message_id: body.message_id, type: body.type });
  }));
  router.post('/faults', wrap((req, res) => {
    const body = parse(FaultBody, req.body);
    sim.fault(body);
    sendOk(res, 'Fault injected', body);
  }));
  router.use((_req: Request, res: Response) => sendFail(res, 404, 'no such sandbox endpoint'));
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ApiError) return sendFail(res, err.code, err.message);
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') return sendFail(res, 400, 'the body is not valid JSON');
    if (e?.type === 'entity.too.large') return sendFail(res, 413, 'the body is too large');
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return sendFail(res, e.status, e.message ?? 'bad request');
    sendFail(res, 500, 'the sandbox failed to do that');
  });
  return router;
}
