import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../server/config.ts';
import { startCore } from '../../server/core.ts';
import { silentLogger } from '../../server/logger.ts';
import {
  describeMovedPort,
  describePortConflict,
  findFreePort,
  identifyPortHolder,
  rememberPort,
  startWithPortFallback,
  type PortConflict,
} from '../../electron/port-fallback.ts';

const HOST = '127.0.0.1';

function listen(
  handler: Parameters<typeof createServer>[1] = (_req, res) => res.end('hello'),
): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(0, HOST, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A stand-in for startCore that really binds the port, so EADDRINUSE comes from the OS. */
async function startListening(config: Config): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve({ server, port: config.port }));
  });
}

function withDataDir(): { dataDir: string; cleanup: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'wagate-port-'));
  return { dataDir, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

test('a free port starts at once, with nothing asked and nothing remembered', async () => {
  const { dataDir, cleanup } = withDataDir();
  const port = await findFreePort(HOST, 20_000);
  const asked: PortConflict[] = [];
  const result = await startWithPortFallback({
    config: loadConfig({ dataDir, port }),
    start: startListening,
    ask: async (conflict) => (asked.push(conflict), true),
    findFreePort,
    identifyHolder: identifyPortHolder,
    remember: (p) => rememberPort(dataDir, p),
  });
  try {
    assert.ok(result.core);
    assert.equal(result.movedFrom, null);
    assert.equal(asked.length, 0);
  } finally {
    if (result.core) await close(result.core.server);
    cleanup();
  }
});

test('a port taken by another program: the user is offered a free one, it is used and remembered in config.json', async () => {
  const { dataDir, cleanup } = withDataDir();
  const squatter = await listen();
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ typing: { min_ms: 100 } }));
  const asked: PortConflict[] = [];
  const result = await startWithPortFallback({
    config: loadConfig({ dataDir, port: squatter.port }),
    start: startListening,
    ask: async (conflict) => (asked.push(conflict), true),
    findFreePort,
    identifyHolder: identifyPortHolder,
    remember: (p) => rememberPort(dataDir, p),
  });
  try {
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.port, squatter.port);
    assert.equal(asked[0]!.holder, 'other');
    assert.ok(result.core);
    assert.equal(result.movedFrom, squatter.port);
    assert.equal(result.core.port, asked[0]!.offered);
    assert.notEqual(result.core.port, squatter.port);
    const saved = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'));
    assert.deepEqual(saved, { typing: { min_ms: 100 }, port: result.core.port }, 'the other settings are kept');
    assert.equal(loadConfig({ dataDir }).port, result.core.port, 'the next start uses the new port');
  } finally {
    if (result.core) await close(result.core.server);
    await close(squatter.server);
    cleanup();
  }
});

test('declining the offer starts nothing and remembers nothing', async () => {
  const { dataDir, cleanup } = withDataDir();
  const squatter = await listen();
  let remembered = false;
  try {
    const result = await startWithPortFallback({
      config: loadConfig({ dataDir, port: squatter.port }),
      start: startListening,
      ask: async () => false,
      findFreePort,
      identifyHolder: identifyPortHolder,
      remember: () => (remembered = true),
    });
    assert.equal(result.core, null);
    assert.equal(remembered, false);
    if (!result.core)
      assert.match(
        describePortConflict(result.conflict),
        new RegExp(`^Port ${squatter.port} is used by another program\\. WaGate can use port \\d+ instead`),
      );
  } finally {
    await close(squatter.server);
    cleanup();
  }
});

test('when the port holder is WaGate itself, no other port is offered: two cores must not share a data dir', async () => {
  const { dataDir, cleanup } = withDataDir();
  const wagate = await listen((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(
        req.url === '/health'
          ? { status: true, code: 200, message: 'WaGate is running', data: { version: '0.1.0' } }
          : {},
      ),
    );
  });
  let asked = false;
  try {
    assert.equal(await identifyPortHolder(HOST, wagate.port), 'wagate');
    const result = await startWithPortFallback({
      config: loadConfig({ dataDir, port: wagate.port }),
      start: startListening,
      ask: async () => (asked = true),
      findFreePort,
      identifyHolder: identifyPortHolder,
      remember: () => assert.fail('nothing to remember'),
    });
    assert.equal(result.core, null);
    assert.equal(asked, false);
    if (!result.core) {
      assert.deepEqual(result.conflict, { port: wagate.port, holder: 'wagate', offered: null });
      assert.match(describePortConflict(result.conflict), /already running as a server/);
    }
  } finally {
    await close(wagate.server);
    cleanup();
  }
});

test('other start errors are not port conflicts: they reach the caller as they are', async () => {
  const { dataDir, cleanup } = withDataDir();
  try {
    await assert.rejects(
      startWithPortFallback({
        config: loadConfig({ dataDir, port: 0 }),
        start: async () => {
          throw new Error('database is locked');
        },
        ask: async () => true,
        findFreePort,
        identifyHolder: identifyPortHolder,
        remember: () => undefined,
      }),
      /database is locked/,
    );
  } finally {
    cleanup();
  }
});

test('findFreePort skips taken ports; a plain web server or nothing at all is not WaGate', async () => {
  const taken = await listen();
  try {
    const free = await findFreePort(HOST, taken.port);
    assert.notEqual(free, taken.port);
    assert.equal(await identifyPortHolder(HOST, taken.port), 'other');
    assert.equal(await identifyPortHolder(HOST, free), 'other');
  } finally {
    await close(taken.server);
  }
  assert.equal(describeMovedPort(7001, 7002), 'Port 7001 was taken, so the API is on port 7002.');
});

test(
  'with the real core: a taken port moves the API to the offered one, and the probe knows it for WaGate',
  { timeout: 60_000 },
  async () => {
    const { dataDir, cleanup } = withDataDir();
    const squatter = await listen();
    const result = await startWithPortFallback({
      config: loadConfig({ dataDir, port: squatter.port, sandbox: true }),
      start: (config) => startCore(config, { logger: silentLogger() }),
      ask: async () => true,
      findFreePort,
      identifyHolder: identifyPortHolder,
      remember: (p) => rememberPort(dataDir, p),
    });
    try {
      assert.ok(result.core, 'the core started on the offered port');
      const port = Number(new URL(result.core.url).port);
      assert.notEqual(port, squatter.port);
      assert.equal(result.movedFrom, squatter.port);
      assert.equal(await identifyPortHolder(HOST, port), 'wagate');
      assert.equal(loadConfig({ dataDir }).port, port);
    } finally {
      await result.core?.stop();
      await close(squatter.server);
      cleanup();
    }
  },
);
