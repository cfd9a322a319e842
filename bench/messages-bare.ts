import { applyHeapPolicy } from '../server/heap-policy.ts';

/**
 * `node bench/messages-bare.ts in-process <dir>` or `… external <ws url> <root key> <control url>`: the messages
 * bench's bare Baileys, in a process of its own under `wagate serve`'s heap policy, applied before any module loads
 * (as bin/wagate.js does it): the same young generation on both sides. Prints its figures as JSON.
 */
applyHeapPolicy();
// The client's end() waits for its socket's close behind an unref'd timer: this keeps the process up until the
// figures are printed (it exits on its own below).
const keepAlive = setInterval(() => undefined, 1_000);
const { bareBaileys, bareBaileysAgainst } = await import('./messages.ts');
const { scanAt } = await import('./external-simulator.ts');
const [where, ...rest] = process.argv.slice(2);
const figures =
  where === 'in-process'
    ? await bareBaileys(rest[0]!)
    : await bareBaileysAgainst({ wsUrl: rest[0]!, rootKey: rest[1]!, scan: (qr) => scanAt(rest[2]!, qr) });
console.log(JSON.stringify(figures));
clearInterval(keepAlive);
// Baileys leaves timers behind after its socket ends; the figures are printed, so stop here.
process.exit(0);
