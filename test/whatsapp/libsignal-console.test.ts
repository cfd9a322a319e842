import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Writable } from 'node:stream';
import { quietLibsignal } from '../../server/whatsapp/libsignal-console.ts';

test("libsignal's session dumps (private keys included) never reach the console; other lines do", (t) => {
  const logged: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) });
  const printed: unknown[][] = [];
  const info = console.info;
  const warn = console.warn;
  console.info = (...args: unknown[]) => void printed.push(args);
  console.warn = (...args: unknown[]) => void printed.push(args);
  t.after(() => {
    console.info = info;
    console.warn = warn;
  });
  quietLibsignal(pino({ level: 'debug' }, sink));
  const secret = { privKey: Buffer.from('very secret') };
  console.info('Closing session:', secret);
  console.info('Opening session:', secret);
  console.warn('Closing open session in favor of incoming prekey bundle');
  console.info('an ordinary line', 1);
  assert.deepEqual(printed, [['an ordinary line', 1]]);
  assert.ok(logged.some((l) => l.includes('Closing session')));
  assert.ok(logged.every((l) => !l.includes('very secret') && !l.includes('privKey')));
});
