import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { PrettyOptions } from 'pino-pretty';

export type { Logger };

const SECRET_FIELDS = ['apiKey', 'key', 'token', 'secret', 'creds', 'privKey'];

/**
 * Secrets never reach a log line: API keys, admin tokens, cookies and WhatsApp key material are redacted at the top
 * of a logged object and one level down (pino's paths do not recurse further; log no deeper objects that hold one).
 */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

export type LogFormat = 'json' | 'pretty';

/** JSON lines for machines; a terminal gets readable lines unless WAGATE_LOG_FORMAT=json asks otherwise. */
export function logFormatFor(fd: 1 | 2, env: NodeJS.ProcessEnv = process.env): LogFormat {
  if (env.WAGATE_LOG_FORMAT === 'json' || env.WAGATE_LOG_FORMAT === 'pretty') return env.WAGATE_LOG_FORMAT;
  const stream = fd === 1 ? process.stdout : process.stderr;
  return stream.isTTY ? 'pretty' : 'json';
}

function destination(fd: 1 | 2, format: LogFormat): DestinationStream {
  if (format === 'json') return pino.destination(fd);
  // Loaded only for a terminal: a service or a pipe never pays for it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: PrettyOptions) => DestinationStream;
  return pretty({
    destination: fd,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,part',
    messageFormat: '{if part}[{part}] {end}{msg}',
  });
}

/** The CLI sends logs to stderr (fd 2) so stdout carries only what a person reads. */
export function createLogger(
  level: string = process.env.WAGATE_LOG ?? 'info',
  fd: 1 | 2 = 1,
  format: LogFormat = logFormatFor(fd),
): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, destination(fd, format));
}

/** For tests and quiet embedding: a logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
