import { Router } from 'express';
import type { Session } from '../../whatsapp/session.ts';
import { sendOk } from '../envelope.ts';

export type WhatsAppServerKind = 'whatsapp' | 'sandbox' | 'simulator';

/** `GET /health`, open without a key: is the process up, which version, and is WhatsApp linked. */
export function createHealthRouter(deps: { version: string; session: Session; server: WhatsAppServerKind }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    sendOk(res, 'WaGate is running', {
      version: deps.version,
      whatsapp: deps.session.snapshot().state,
      whatsapp_server: deps.server,
    });
  });
  return router;
}
