import { createInterface } from 'node:readline';
import { applyHeapPolicy } from '../server/heap-policy.ts';

/**
 * `node bench/messages-bare.ts in-process <dir>` or `… external <ws url> <root key> <control url>`: the messages
 * bench's bare Baileys, in a process of its own under `wagate serve`'s heap policy, applied before any module loads
 * (as bin/wagate.js does it): the same young generation on both sides. Prints `linked`, then for each line it reads
 * (a number of sends) runs that block and prints its figures as JSON; ends when its input does.
 */
applyHeapPolicy();
// The client's end() waits for its socket's close behind an unref'd timer: this keeps the process up until it ends.
const keepAlive = setInterval(() => undefined, 1_000);
const { linkBare, linkBareInProcess } = await import('./messages.ts');
const { scanAt } = await import('./external-simulator.ts');
const [where, ...rest] = process.argv.slice(2);
const bare =
  where === 'in-process'
    ? await linkBareInProcess(rest[0]!)
    : await linkBare({ wsUrl: rest[0]!, rootKey: rest[1]!, scan: (qr) => scanAt(rest[2]!, qr) });
console.log('linked');
for await (const line of createInterface({ input: process.stdin }))
  console.log(JSON.stringify(await bare.block(Number(line))));
await bare.stop();
clearInterval(keepAlive);
// Baileys leaves timers behind after its socket ends; every block's figures are printed, so stop here.
process.exit(0);
