import pino, { type Logger } from 'pino';

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

/** Logs are JSON lines; the CLI sends them to stderr (fd 2) so stdout carries only what a person reads. */
export function createLogger(level: string = process.env.WAGATE_LOG ?? 'info', fd: 1 | 2 = 1): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(fd));
}

/** For tests and quiet embedding: a logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
