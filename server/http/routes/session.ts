import { Router } from 'express';
import QRCode from 'qrcode';
import type { Session } from '../../whatsapp/session.ts';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { parseOrThrow } from '../validate.ts';
import { PairingCodeBody, QrQuery } from '../../contract/session.ts';

/** The linked WhatsApp account: its state, the QR to pair it, the pairing-code fallback, and logout. */
export function createSessionRouter(deps: { session: Session }): Router {
  const { session } = deps;
  const router = Router();

  router.get('/session', (_req, res) => {
    const { qr: _qr, ...snapshot } = session.snapshot();
    sendOk(res, 'Session state', snapshot);
  });

  router.get('/session/qr', async (req, res) => {
    const { format } = parseOrThrow(QrQuery, req.query);
    const { state, qr, qr_expires_at } = session.snapshot();
    if (!qr) throw new ApiError(404, `No QR code right now: the session is ${state.replace('_', ' ')}`);
    if (format === 'json') {
      const data_url = await QRCode.toDataURL(qr, { margin: 2, width: 320 });
      return sendOk(res, 'Scan this QR code with WhatsApp on your phone', { qr, data_url, expires_at: qr_expires_at });
    }
    res
      .type('png')
      .set('Cache-Control', 'no-store')
      .send(await QRCode.toBuffer(qr, { margin: 2, width: 320 }));
  });

  router.post('/session/pairing-code', async (req, res) => {
    const { phone_number } = parseOrThrow(PairingCodeBody, req.body);
    const code = await session.requestPairingCode(phone_number);
    sendOk(res, 'Enter this code on your phone: WhatsApp → Linked devices → Link with phone number', { code });
  });

  router.post('/session/logout', async (_req, res) => {
    if (!session.snapshot().account) throw new ApiError(409, 'No WhatsApp account is linked');
    await session.logout();
    sendOk(res, 'Logged out: the device was unlinked and its credentials wiped', { state: session.snapshot().state });
  });

  return router;
}
