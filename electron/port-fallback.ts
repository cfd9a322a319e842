import { createServer } from 'node:net';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../server/config.ts';
import { FILE_MODE, makeOwnerOnlyFolder } from '../server/data-folder.ts';

/** Who listens on the port WaGate wanted: another WaGate (`wagate serve` on the same machine) or some other program. */
export type PortHolder = 'wagate' | 'other';

export interface PortConflict {
  port: number;
  holder: PortHolder;
  /** A free port to use instead; null when the holder is WaGate itself, since two cores must not share one data dir. */
  offered: number | null;
}

export interface PortFallbackDeps<C> {
  config: Config;
  start(config: Config): Promise<C>;
  /** Tells the user (window and tray) about the conflict; resolves true to move to `offered`. */
  ask(conflict: PortConflict): Promise<boolean>;
  findFreePort(host: string, from: number): Promise<number>;
  identifyHolder(host: string, port: number): Promise<PortHolder>;
  /** Saves the new port so that the next start uses it without asking. */
  remember(port: number): void;
}

export type PortFallbackResult<C> = { core: C; movedFrom: number | null } | { core: null; conflict: PortConflict };

const MAX_ATTEMPTS = 3;

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}

/**
 * Starts the core on the configured port; when it is taken, offers a free one and starts there once the user agrees.
 * A port can be taken again between the check and the start, hence a few attempts.
 */
export async function startWithPortFallback<C>(deps: PortFallbackDeps<C>): Promise<PortFallbackResult<C>> {
  const wanted = deps.config.port;
  let port = wanted;
  for (let attempt = 1; ; attempt++) {
    try {
      const core = await deps.start({ ...deps.config, port });
      return { core, movedFrom: port === wanted ? null : wanted };
    } catch (error) {
      if (!isAddressInUse(error) || attempt === MAX_ATTEMPTS) throw error;
    }
    const holder = await deps.identifyHolder(deps.config.host, port);
    const offered = holder === 'wagate' ? null : await deps.findFreePort(deps.config.host, port + 1);
    const conflict: PortConflict = { port, holder, offered };
    if (offered === null || !(await deps.ask(conflict))) return { core: null, conflict };
    deps.remember(offered);
    port = offered;
  }
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first free port from `from` on (a memorable neighbour of 7001), or any free port the OS hands out. */
export async function findFreePort(host: string, from: number, tries = 20): Promise<number> {
  for (let port = from; port < Math.min(from + tries, 65536); port++) {
    if (await canListen(host, port)) return port;
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

/** WaGate answers `GET /health` without a key, in its `{status, code, message, data}` envelope. */
export async function identifyPortHolder(host: string, port: number, timeoutMs = 1500): Promise<PortHolder> {
  const hostname = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    const response = await fetch(`http://${hostname}:${port}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json()) as { status?: unknown; code?: unknown; data?: { version?: unknown } };
    return body.status === true && typeof body.code === 'number' && typeof body.data?.version === 'string'
      ? 'wagate'
      : 'other';
  } catch {
    return 'other';
  }
}

/** Writes `port` into the data dir's config.json, keeping everything else in it; written whole, then renamed. */
export function rememberPort(dataDir: string, port: number): void {
  const file = join(dataDir, 'config.json');
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  makeOwnerOnlyFolder(dataDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ ...current, port }, null, 2)}\n`, { mode: FILE_MODE });
  renameSync(`${file}.tmp`, file);
}

/** The words the window and the tray use for a moved or blocked port. */
export function describePortConflict(conflict: PortConflict): string {
  if (conflict.holder === 'wagate') {
    return `WaGate is already running as a server on port ${conflict.port} (wagate serve). Stop it, then start the app again.`;
  }
  const offer =
    conflict.offered === null
      ? ''
      : ` WaGate can use port ${conflict.offered} instead; API clients then call that port.`;
  return `Port ${conflict.port} is used by another program.${offer}`;
}

export function describeMovedPort(movedFrom: number, port: number): string {
  return `Port ${movedFrom} was taken, so the API is on port ${port}.`;
}
