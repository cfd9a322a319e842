import type { Logger } from '../logger.ts';

/**
 * libsignal (under Baileys) prints whole Signal session records, private ratchet keys included, through
 * console.info/warn whenever a session opens, closes or is replaced. Those lines must never reach stdout or a log
 * file: they are dropped here, and only their first words go to our logger at debug level.
 */
const LIBSIGNAL_LINES =
  /^(Closing session|Opening session|Removing old closed session|Migrating session|Session already|Closing open session|Decrypted message with closed session)/;

let installed = false;

export function quietLibsignal(logger: Logger): void {
  if (installed) return;
  installed = true;
  for (const level of ['info', 'warn'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      const first = args[0];
      if (typeof first === 'string' && LIBSIGNAL_LINES.test(first)) {
        logger.debug({ part: 'libsignal' }, first.replace(/:$/, ''));
        return;
      }
      original(...args);
    };
  }
}
