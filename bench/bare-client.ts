import { applyHeapPolicy } from '../server/heap-policy.ts';

/**
 * The memory yardstick: a bare Baileys client in a process of its own, linked to the simulator at <ws url> (trusting
 * <root key>) by scanning its QR through <control url>, with WaGate's socket options and nothing else. Prints
 * `linked` once the connection is open, then idles until killed. Same Node flags and heap policy as `wagate serve`,
 * applied before any module loads (as bin/wagate.js does it): applied after them, its new space had grown to 16 MB
 * while Baileys loaded, WaGate's staying at 2-4 (NOTES.md, young).
 */
applyHeapPolicy();
const { default: makeWASocket } = await import('@whiskeysockets/baileys');
const { default: pino } = await import('pino');
const { trustSimulatorRoot } = await import('../server/whatsapp/trust-root.ts');
const { memoryAuthState, silenceLibsignal } = await import('../test/support/baileys-client.ts');
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
