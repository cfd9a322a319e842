import { applyHeapPolicy } from '../server/heap-policy.ts';
import { serveCore } from './core-service.ts';

// The desktop app's core, in the utility process that electron/core-host.ts forks: every fsync and every Baileys
// crypto step happens here, off the process that draws the tray and the window. The same heap policy as `wagate serve`.
applyHeapPolicy();
serveCore(process.parentPort, (code) => process.exit(code));
