import { createServer } from 'node:http';
import { sendRequest, type ServerUnderTest } from './new-connections.ts';

/** A 202's envelope as WaGate answers an asynchronous send, fixed. */
const QUEUED = JSON.stringify({
  status: true,
  code: 202,
  message: 'Message queued; it will be sent',
  data: { message_id: '3EB0ABC123DEF456789', status: 'queued' },
});

/** Shaped like WaGate's API keys (server/store/api-keys.ts), so that each request is as long; nothing checks it. */
const UNCHECKED_KEY = `wg_00000000_${'x'.repeat(43)}`;

/**
 * The connections bench's baseline: node:http answering every request (the clients' sends, the probes' /health)
 * with a fixed envelope as soon as its body has arrived; no WaGate, no simulator. The clients send what they send
 * WaGate, to any chat: the sandbox's contacts would load its Signal code.
 */
export async function startBareSendServer(): Promise<ServerUnderTest> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end(QUEUED));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    sendUrl: `${url}/chats/15550001111/messages`,
    init: sendRequest(UNCHECKED_KEY, 'load'),
    probeUrl: `${url}/health`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
