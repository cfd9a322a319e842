import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe } from 'node:diagnostics_channel';
import { registerHooks } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../server/config.ts';
import { startCore } from '../../server/core.ts';
import { silentLogger } from '../../server/logger.ts';
import { tempDir } from '../support/temp-dir.ts';
import { eventually } from '../support/waits.ts';

/** What happened, in order: Baileys asked for (its protobuf module, first of every path into it), answers sent. */
const happened: string[] = [];
registerHooks({
  load(url, context, next) {
    if (url.endsWith('/node_modules/@whiskeysockets/baileys/WAProto/index.js')) happened.push('baileys');
    return next(url, context);
  },
});
subscribe('http.server.response.finish', (message) => {
  happened.push(`answered ${(message as { request: { url: string } }).request.url}`);
});

/** A core aimed at a simulator that is never there, so nothing but the gate decides when Baileys loads. */
const config = (dataDir: string) =>
  loadConfig({
    dataDir,
    port: 0,
    waUrl: 'ws://127.0.0.1:9/ws/chat',
    waRootKey: Buffer.alloc(32, 1).toString('base64'),
  });

// First in this file: the process has not loaded Baileys yet, and must not.
test('a core stopped before its port has answered anyone never loads Baileys, even once the wait runs out', async (t) => {
  const core = await startCore(config(tempDir(t)), { logger: silentLogger(), firstAnswerWaitMs: 20 });
  await core.stop();
  await sleep(100);
  assert.deepEqual(happened, []);
  assert.equal(core.session.snapshot().state, 'stopped');
});

test('the first request after listen is answered before Baileys loads; then the session starts without more asking', async (t) => {
  const core = await startCore(config(tempDir(t)), { logger: silentLogger(), firstAnswerWaitMs: 60_000 });
  t.after(() => core.stop());
  await sleep(50);
  assert.deepEqual(happened, [], 'Baileys waits for the first answer');

  const health = await fetch(`${core.url}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { data: { whatsapp: string } }).data.whatsapp, 'starting');
  await eventually(() => core.session.snapshot().state !== 'starting' || undefined, 'the session leaving starting');
  assert.deepEqual(happened.slice(0, 2), ['answered /health', 'baileys']);
});

/** Anyone: the sandbox's contacts are not imported here, as their module loads Baileys. */
const PERSON = '4915112345678@s.whatsapp.net';

// Without the bound, a first request that needs WhatsApp would wait for an answer that waits for it.
test('a send as the port’s first request is answered: the wait is bounded', { timeout: 20_000 }, async (t) => {
  const core = await startCore(config(tempDir(t)), { logger: silentLogger() });
  t.after(() => core.stop());
  const key = core.keys.create({ name: 'first', expiresAt: null }).key;
  const res = await fetch(`${core.url}/chats/${PERSON}/messages`, {
    method: 'POST',
    headers: { authorization: key, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'the first thing anyone asks' }),
  });
  // No phone was ever linked: once the session is there, the send meets what it meets while starting.
  assert.deepEqual(await res.json(), {
    status: false,
    code: 503,
    message: 'Service unavailable',
    error: 'WhatsApp is not connected',
  });
});
