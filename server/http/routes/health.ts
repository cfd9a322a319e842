import type { Session } from '../../whatsapp/session.ts';
import type { AdminSessions } from '../../store/admin-sessions.ts';
import type { CredentialStorage } from '../../contract/desktop.ts';
import { sendOk } from '../envelope.ts';
import { HealthData, type WhatsAppServerKind } from '../../contract/health.ts';
import { readCookies } from '../middleware/auth.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';

export interface HealthDeps {
  version: string;
  session: Session;
  server: WhatsAppServerKind;
  admin: AdminSessions;
  credentialStorage: CredentialStorage;
}

/**
 * `GET /health`, open without a key: is the process up, which version, and is WhatsApp linked. The dashboard's admin
 * session also sees who keeps the key of the WhatsApp credentials (the OS keyring, or only the folder's permissions).
 */
export function createHealthRouter(deps: HealthDeps): ApiRouter {
  const api = createApiRouter();
  api.route(
    {
      method: 'get',
      path: '/health',
      summary: 'Is WaGate up, and is WhatsApp linked (no key needed)',
      tag: 'System',
      auth: false,
      data: HealthData,
      dataExample: { version: '0.1.0', whatsapp: 'connected', whatsapp_server: 'whatsapp' },
      errors: [],
    },
    (_input, res, req) => {
      const isAdmin = readCookies(req, deps.admin.cookieName).some((value) => deps.admin.isValidSession(value));
      const { kind, keyring } = deps.credentialStorage;
      sendOk(res, 'WaGate is running', {
        version: deps.version,
        whatsapp: deps.session.snapshot().state,
        whatsapp_server: deps.server,
        ...(isAdmin ? { credentials: { kept_by: kind, keyring } } : {}),
      });
    },
  );
  return api;
}
