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

export function createLogger(level: string = process.env.WAGATE_LOG ?? 'info'): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** For tests and quiet embedding: a logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
