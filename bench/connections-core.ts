import { applyHeapPolicy } from '../server/heap-policy.ts';

/**
 * `node bench/connections-core.ts <dir> <sends|rejected>`: the connections bench's core process. The heap policy comes
 * first, before the core's modules load, as bin/wagate.js does it (the young generation grows while they load and is
 * never given back); then the measurement, whose figures it prints as JSON.
 */
applyHeapPolicy();
const { measureNewConnections } = await import('./new-connections.ts');
const [dir, load] = process.argv.slice(2) as [string, 'sends' | 'rejected'];
console.log(JSON.stringify(await measureNewConnections(dir, load)));
// Baileys leaves timers behind after its socket ends; the figures are printed, so stop here.
process.exit(0);
