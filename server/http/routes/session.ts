import type { Session } from '../../whatsapp/session.ts';
import { sendOk } from '../envelope.ts';
import { ApiError } from '../../api-error.ts';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import { LogoutData, PairingCodeBody, PairingCodeData, QrData, QrQuery, SessionData } from '../../contract/session.ts';

/** The QR's PNG drawer loads when a QR is first asked for, not at every start. */
const qrPng = async () => (await import('../qr-png.ts')).qrPng;
/** The pairing QR's picture: 320 pixels square, two modules of white around it. */
const QR_PICTURE = { margin: 2, width: 320 };

/** The linked WhatsApp account: its state, the QR to pair it, the pairing-code fallback, and logout. */
export function createSessionRouter(deps: { session: Session }): ApiRouter {
  const { session } = deps;
  const api = createApiRouter();

  api.route(
    {
      method: 'get',
      path: '/session',
      summary: 'The WhatsApp session: state, linked account, last error',
      tag: 'Session',
      auth: true,
      data: SessionData,
      dataExample: {
        state: 'connected',
        qr_expires_at: null,
        account: { jid: '6281234567890:12@s.whatsapp.net', number: '6281234567890', name: 'Shop' },
        last_error: null,
        since: 1764080000,
        reachout_timelock: null,
        message_capping: null,
        reconnects_today: 0,
        last_reconnect: null,
      },
      errors: [401],
    },
    (_input, res) => {
      const { qr: _qr, ...snapshot } = session.snapshot();
      sendOk(res, 'Session state', snapshot);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/session/qr',
      summary: 'The current pairing QR code (PNG, or JSON with ?format=json)',
      tag: 'Session',
      auth: true,
      query: QrQuery,
      data: QrData,
      dataExample: { qr: '2@AbC…', data_url: 'data:image/png;base64,iVBORw0…', expires_at: 1764080020 },
      produces: 'image/png',
      errors: [400, 401, 404],
    },
    async ({ query }, res) => {
      const { state, qr, qr_expires_at } = session.snapshot();
      if (!qr) throw new ApiError(404, `No QR code right now: the session is ${state.replace('_', ' ')}`);
      if (query.format === 'json') {
        const data_url = `data:image/png;base64,${(await qrPng())(qr, QR_PICTURE).toString('base64')}`;
        return sendOk(res, 'Scan this QR code with WhatsApp on your phone', {
          qr,
          data_url,
          expires_at: qr_expires_at,
        });
      }
      res
        .type('png')
        .set('Cache-Control', 'no-store')
        .send((await qrPng())(qr, QR_PICTURE));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/session/pairing-code',
      summary: 'Link by typing a code on the phone instead of scanning',
      tag: 'Session',
      auth: true,
      body: PairingCodeBody,
      bodyExample: { phone_number: '+62 812-3456-7890' },
      data: PairingCodeData,
      dataExample: { code: 'ABCD1234' },
      errors: [400, 401, 409, 500],
    },
    async ({ body }, res) => {
      const code = await session.requestPairingCode(body.phone_number);
      sendOk(res, 'Enter this code on your phone: WhatsApp → Linked devices → Link with phone number', { code });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/session/logout',
      summary: 'Unlink this device and wipe its credentials',
      tag: 'Session',
      auth: true,
      data: LogoutData,
      dataExample: { state: 'logged_out' },
      errors: [401, 409],
    },
    async (_input, res) => {
      if (!session.snapshot().account) throw new ApiError(409, 'No WhatsApp account is linked');
      await session.logout();
      sendOk(res, 'Logged out: the device was unlinked and its credentials wiped', { state: session.snapshot().state });
    },
  );

  return api;
}
