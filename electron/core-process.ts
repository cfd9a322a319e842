import { applyHeapPolicy } from '../server/heap-policy.ts';
import { serveCore } from './core-service.ts';

// The desktop app's core, in the utility process that electron/core-host.ts forks: every fsync and every Baileys
// crypto step happens here, off the process that draws the tray and the window. The same heap policy as `wagate serve`,
// but V8's first young generation size: this process's heap exists before it reads any flag (CORE_NODE_FLAGS).
applyHeapPolicy();
serveCore(process.parentPort, (code) => process.exit(code));
