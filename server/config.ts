import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_LIMITS, type HttpLimits } from './contract/limits.ts';
import { WatchdogConfigSchema, type WatchdogConfig } from './whatsapp/watchdog.ts';
import { PacingPolicySchema, type PacingPolicy } from './contract/pacing.ts';

/** How long the "is typing…" indicator shows before a message, derived from how people type on phones. */
export const TypingConfigSchema = z.object({
  /** Roughly 200 characters a minute on a phone keyboard. */
  chars_per_second: z.number().positive().default(3.5),
  min_ms: z.number().int().nonnegative().default(800),
  /** Keeps the HTTP call short even for long texts. */
  max_ms: z.number().int().nonnegative().default(8000),
  /** +/- this fraction of the computed time, so the rhythm does not look machine-made. */
  jitter: z.number().min(0).max(1).default(0.2),
  /** WhatsApp drops the indicator after about ten seconds; it is re-sent this often on long waits. */
  refresh_ms: z.number().int().positive().default(4000),
});
export type TypingConfig = z.infer<typeof TypingConfigSchema>;

/** How sends wait and how long the outbox keeps trying. */
export const OutboxConfigSchema = z.object({
  /**
   * How long `POST /chats/{chat_jid}/messages` waits for WhatsApp's server to ack the message (through reconnects)
   * before it answers 202 pending and lets the outbox go on.
   */
  sync_wait_ms: z.number().int().positive().max(600_000).default(60_000),
  /** A message that could not leave within this time of its own (send_at, or acceptance) fails as `expired` instead of arriving late. */
  expire_after_s: z
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  /** With the connection up but no ack from the server this long, the message is sent again with the same id. */
  ack_timeout_ms: z.number().int().positive().default(30_000),
});
export type OutboxConfig = z.infer<typeof OutboxConfigSchema>;

/** Media: where URL sources may point, and how much received media is kept for how long. */
export const MediaConfigSchema = z.object({
  /**
   * Lets a `url` source point at this machine or a private network. Off: a URL is fetched from public addresses only,
   * so an API caller cannot make WaGate read a local service. On: an app on this machine may serve its own files.
   */
  allow_private_urls: z.boolean().default(false),
  /** Received media larger than this is not downloaded (the event still says what it was); bytes. */
  inbound_max_bytes: z
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /**
   * Received media is deleted from the data folder this many days after it came, and a sent message's file as long
   * after it was accepted once it has left or failed (0 keeps them forever).
   */
  inbound_retention_days: z.number().int().nonnegative().default(30),
});
export type MediaConfig = z.infer<typeof MediaConfigSchema>;

const ConfigFileSchema = z
  .object({
    host: z.string().optional(),
    port: z.number().int().min(0).max(65535).optional(),
    typing: TypingConfigSchema.partial().optional(),
    watchdog: WatchdogConfigSchema.partial().optional(),
    outbox: OutboxConfigSchema.partial().optional(),
    pacing: PacingPolicySchema.partial().optional(),
    media: MediaConfigSchema.partial().optional(),
  })
  .strict();

export interface Config {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  dataDir: string;
  /** A WhatsApp simulator to talk to instead of WhatsApp (loopback only), and the root key it signs with. */
  waUrl: string | null;
  waRootKey: string | null;
  /** The simulator's media root certificate (a PEM file, `wagate sandbox` writes it): trusted for its media host. */
  waMediaCa: string | null;
  /** Start an in-process simulator and connect to it (`wagate serve --sandbox`). */
  sandbox: boolean;
  typing: TypingConfig;
  /** How soon a dead WhatsApp stream is found (server/whatsapp/watchdog.ts); tests shorten it. */
  watchdog: WatchdogConfig;
  outbox: OutboxConfig;
  /** How fast messages may leave (server/contract/pacing.ts; the pacer is server/whatsapp/pacing.ts); the dashboard's Pacing screen edits it. */
  pacing: PacingPolicy;
  media: MediaConfig;
  logLevel: string;
  /** Deadlines and caps of the HTTP server (server/contract/limits.ts); tests shorten them. */
  limits: HttpLimits;
}

/** The platform's config dir for "WaGate": the same folder Electron's `app.getPath('userData')` gives. */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'WaGate');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'WaGate');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'WaGate');
}

/** 127.0.0.0/8, ::1 and localhost: the only addresses WaGate and its simulator listen on unless told otherwise. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

type ConfigFile = z.infer<typeof ConfigFileSchema>;

const configFile = (dataDir: string) => join(dataDir, 'config.json');

function readConfigFile(dataDir: string): ConfigFile {
  const file = configFile(dataDir);
  return existsSync(file) ? ConfigFileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : {};
}

/**
 * Changes one part of `config.json`, keeping the rest as it is; written whole or not at all (a rename), so a crash
 * never leaves half a file that would stop the next start.
 */
export function saveConfigPart<K extends keyof ConfigFile>(dataDir: string, key: K, value: ConfigFile[K]): void {
  const next = ConfigFileSchema.parse({ ...readConfigFile(dataDir), [key]: value });
  const file = configFile(dataDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Reads `config.json` in the data dir, if there is one; flags given on the command line win over it. */
export function loadConfig(overrides: Partial<Config> & { dataDir?: string }): Config {
  const dataDir = overrides.dataDir ?? defaultDataDir();
  const fromFile = readConfigFile(dataDir);
  const config: Config = {
    host: overrides.host ?? fromFile.host ?? '127.0.0.1',
    port: overrides.port ?? fromFile.port ?? 7001,
    dataDir,
    waUrl: overrides.waUrl ?? null,
    waRootKey: overrides.waRootKey ?? null,
    waMediaCa: overrides.waMediaCa ?? null,
    sandbox: overrides.sandbox ?? false,
    typing: TypingConfigSchema.parse({ ...fromFile.typing, ...overrides.typing }),
    watchdog: WatchdogConfigSchema.parse({ ...fromFile.watchdog, ...overrides.watchdog }),
    outbox: OutboxConfigSchema.parse({ ...fromFile.outbox, ...overrides.outbox }),
    pacing: PacingPolicySchema.parse({ ...fromFile.pacing, ...overrides.pacing }),
    media: MediaConfigSchema.parse({ ...fromFile.media, ...overrides.media }),
    logLevel: overrides.logLevel ?? process.env.WAGATE_LOG ?? 'info',
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
  };
  if (config.waUrl && !isLoopbackUrl(config.waUrl)) {
    throw new Error(`--wa-url must point at this machine (127.0.0.1 or localhost), not ${config.waUrl}`);
  }
  // Checked here, before anything starts: the key is only handed to Baileys once it has loaded, after the port opens.
  const rootKeyBytes = config.waRootKey ? Buffer.from(config.waRootKey, 'base64').length : 32;
  if (rootKeyBytes !== 32) {
    throw new Error(`--wa-root-key is a simulator root key, 32 bytes of base64; this one is ${rootKeyBytes} bytes`);
  }
  return config;
}
