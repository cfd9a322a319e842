import type { ParseArgsConfig, parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { databaseFile } from '../core.ts';
import { openDatabase, type Database } from '../store/database.ts';
import { lockDownDataFolder } from '../data-folder.ts';
import { fail } from './fail.ts';

export const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  sandbox: { type: 'boolean' },
  'wa-url': { type: 'string' },
  'wa-root-key': { type: 'string' },
  'wa-media-ca': { type: 'string' },
  'expires-in': { type: 'string' },
  events: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

export type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port must be a number from 0 to 65535, not "${value}"`);
  return port;
}

export function configFrom(flags: Flags): Config {
  try {
    return loadConfig({
      dataDir: flags['data-dir'],
      host: flags.host,
      port: parsePort(flags.port),
      sandbox: flags.sandbox,
      waUrl: flags['wa-url'],
      waRootKey: flags['wa-root-key'],
      waMediaCa: flags['wa-media-ca'],
      logLevel: flags['log-level'],
    });
  } catch (error) {
    fail((error as Error).message);
  }
}

/** The database of the commands that work on the data folder without a running server; the folder locked down first. */
export function openData(config: Config): Database {
  lockDownDataFolder(config.dataDir, { logger: createLogger(config.logLevel, 2) });
  return openDatabase(databaseFile(config));
}
