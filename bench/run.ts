import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../server/config.ts';
import { startCore } from '../server/core.ts';
import { silentLogger } from '../server/logger.ts';
import { load } from './load.ts';
import { benchMessagesPerSecond } from './messages.ts';

const REQUESTS = 20_000;
const REJECTED_BODY = JSON.stringify({ text: '' });
const SEED_400 = JSON.stringify({ status: false, code: 400, message: 'Bad request', error: 'Text field is required' });

/** The floor: node:http answering the same 400 JSON with no framework, no auth, no validation. */
async function bareBaseline(): Promise<number> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(400, { 'content-type': 'application/json' }).end(SEED_400));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const result = await load(
    `http://127.0.0.1:${port}/chats/15550001111/messages`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: REJECTED_BODY },
    REQUESTS,
  );
  server.close();
  return result.perSecond;
}

async function wagateRejected(dataDir: string): Promise<number> {
  const core = await startCore(loadConfig({ dataDir, port: 0, sandbox: true }), { logger: silentLogger() });
  const { key } = core.keys.create({ name: 'bench', expiresAt: null });
  const result = await load(
    `${core.url}/chats/15550001111/messages`,
    { method: 'POST', headers: { 'content-type': 'application/json', authorization: key }, body: REJECTED_BODY },
    REQUESTS,
  );
  await core.stop();
  return result.perSecond;
}

/** Cold start of the real command until /health answers, and its resident memory once idle. */
async function coldStartAndIdleRss(dataDir: string): Promise<{ coldStartMs: number; idleRssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/wagate.js', 'serve', '--port', '0', '--sandbox', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /^API: (\S+)$/m.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error(`wagate serve exited: ${out}`)));
  });
  while ((await fetch(`${url}/health`).catch(() => null))?.ok !== true) await new Promise((r) => setTimeout(r, 5));
  const coldStartMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 3000));
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
  child.kill('SIGTERM');
  return { coldStartMs, idleRssMb: rssKb / 1024 };
}

const dir = mkdtempSync(join(tmpdir(), 'wagate-bench-'));
try {
  const bare = await bareBaseline();
  const wagate = await wagateRejected(join(dir, 'rejected'));
  console.log(
    `rejected send (400, authenticated): ${wagate.toFixed(0)} req/s; bare node:http: ${bare.toFixed(0)} req/s; ratio ${(wagate / bare).toFixed(2)}`,
  );
  const { coldStartMs, idleRssMb } = await coldStartAndIdleRss(join(dir, 'cold'));
  console.log(`cold start of wagate serve --sandbox to /health: ${coldStartMs.toFixed(0)} ms`);
  console.log(`idle RSS of wagate serve --sandbox (simulator in-process): ${idleRssMb.toFixed(1)} MB`);
  const messages = await benchMessagesPerSecond(join(dir, 'messages'));
  const ratio = (perSecond: number) => (perSecond / messages.bare).toFixed(2);
  console.log(
    `messages (simulations off), bare Baileys to the same simulator: ${messages.bare.toFixed(1)}/s (frame written, no ack awaited)`,
  );
  console.log(
    `  through the API, synchronous (each answered once the server acked it): ${messages.sync.toFixed(1)}/s; ratio ${ratio(messages.sync)}`,
  );
  console.log(
    `  through the outbox ("async": true, until all delivered): ${messages.outbox.toFixed(1)}/s; ratio ${ratio(messages.outbox)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// Baileys leaves timers behind after its socket ends; the figures are printed, so stop here.
process.exit(0);
