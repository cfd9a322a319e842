import { applyHeapPolicy } from '../server/heap-policy.ts';

/**
 * `node bench/connections-core.ts <dir> <sends|rejected|bare> [<per second>]`: the connections bench's server process. The heap
 * policy comes first, before the core's modules load, as bin/wagate.js does it (the young generation grows while they
 * load and is never given back); then the server under test and the measurement, whose figures it prints as JSON. The
 * bare server's run loads none of WaGate's modules.
 */
applyHeapPolicy();
const { measureNewConnections } = await import('./new-connections.ts');
const [dir, load, rate] = process.argv.slice(2) as [string, 'sends' | 'rejected' | 'bare', string | undefined];
const server =
  load === 'bare'
    ? await (await import('./bare-send-server.ts')).startBareSendServer()
    : await (await import('./linked-core-server.ts')).startLinkedCore(dir, load);
console.log(JSON.stringify(await measureNewConnections(server, rate ? Number(rate) : undefined)));
// Baileys leaves timers behind after its socket ends; the figures are printed, so stop here.
process.exit(0);
