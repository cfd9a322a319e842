import makeWASocket from '@whiskeysockets/baileys';
import pino from 'pino';
import { applyHeapPolicy } from '../server/heap-policy.ts';
import { trustSimulatorRoot } from '../server/whatsapp/trust-root.ts';
import { memoryAuthState, silenceLibsignal } from '../test/support/baileys-client.ts';

/**
 * The memory yardstick: a bare Baileys client in a process of its own, linked to the simulator at <ws url> (trusting
 * <root key>) by scanning its QR through <control url>, with WaGate's socket options and nothing else. Prints
 * `linked` once the connection is open, then idles until killed. Same heap policy as `wagate serve`.
 */
applyHeapPolicy();
const [wsUrl, rootKey, control] = process.argv.slice(2) as [string, string, string];
silenceLibsignal();
trustSimulatorRoot(rootKey);
const auth = memoryAuthState();

function connect(): void {
  const sock = makeWASocket({
    waWebSocketUrl: wsUrl,
    auth,
    logger: pino({ level: 'silent' }),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    generateHighQualityLinkPreview: false,
  });
  sock.ev.on('creds.update', () => undefined);
  sock.ev.on('connection.update', (update) => {
    if (update.qr)
      void fetch(`${control}/sandbox/phone/scan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ qr: update.qr }),
      });
    if (update.connection === 'open') console.log('linked');
    // 515: restart required after pairing, as WhatsApp asks; Baileys leaves the reconnect to its user.
    if (update.connection === 'close') connect();
  });
}
connect();
