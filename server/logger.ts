import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Secrets never reach a log line: API keys, admin tokens, cookies and WhatsApp key material are redacted
 * wherever they appear in a logged object.
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.apiKey',
  '*.key',
  '*.token',
  '*.secret',
  '*.creds',
  '*.privKey',
];

/** Logs are JSON lines; the CLI sends them to stderr (fd 2) so stdout carries only what a person reads. */
export function createLogger(level: string = process.env.WAGATE_LOG ?? 'info', fd: 1 | 2 = 1): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(fd));
}

/** For tests and quiet embedding: a logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
