const BAILEYS = '@whiskeysockets/baileys';
const UTILS = [
  'generics',
  'crypto',
  'signal',
  'messages-media',
  'messages',
  'decode-wa-message',
  'validate-connection',
  'noise-handler',
  'history',
  'chat-utils',
  'lt-hash',
  'auth-utils',
  'link-preview',
  'event-buffer',
  'process-message',
  'message-retry-manager',
];

/**
 * Baileys' modules, the heaviest leaves first (its generated protobuf code, libsignal, ws, then its utilities and
 * socket layers). Paths of Baileys 7.0.0-rc14 (pinned); test/whatsapp/load-baileys.test.ts checks each still exists.
 */
export const BAILEYS_STEPS: readonly string[] = [
  `${BAILEYS}/WAProto/index.js`,
  'libsignal',
  'ws',
  ...UTILS.map((name) => `${BAILEYS}/lib/Utils/${name}.js`),
  `${BAILEYS}/lib/Utils/index.js`,
  `${BAILEYS}/lib/Socket/socket.js`,
  `${BAILEYS}/lib/Socket/index.js`,
  BAILEYS,
];

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Loads Baileys while the HTTP server already answers. Node evaluates an imported module graph in one go: a single
 * `import('@whiskeysockets/baileys')` held every request for its whole load (~300 ms of CPU here). In steps, with a
 * turn of the event loop between them, a request waits for one step at most (the longest, WAProto, ~100 ms of CPU
 * here); the core lets the port's first answer go out before the first step (server/http/first-answer.ts).
 */
export async function loadBaileys(): Promise<void> {
  for (const step of BAILEYS_STEPS) {
    await nextTurn();
    await import(step);
  }
  await nextTurn();
}
