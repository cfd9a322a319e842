import { renameSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';

/**
 * `node --import ./hold-baileys.ts` with HOLD_BAILEYS_DIR set: Baileys cannot finish loading until a file `release`
 * appears in that folder, and `asked` is written there when its first module is asked for, listing the Node built-ins
 * loaded by then (`process.moduleLoadList`). Every path into Baileys
 * goes through its protobuf module (WAProto), which is swapped for one that waits (a top-level await, so the event
 * loop and the HTTP server go on meanwhile), then gives the real module's exports.
 */
const dir = process.env.HOLD_BAILEYS_DIR!;
const release = JSON.stringify(join(dir, 'release'));

/** Node's list of the built-ins it has loaded (not in @types/node). */
const moduleLoadList = () => (process as NodeJS.Process & { moduleLoadList: string[] }).moduleLoadList;

registerHooks({
  load(url, context, next) {
    if (!url.endsWith('/node_modules/@whiskeysockets/baileys/WAProto/index.js')) return next(url, context);
    // Whole or not at all for a test reading it meanwhile: written beside, then renamed into place.
    writeFileSync(join(dir, 'asked.tmp'), moduleLoadList().join('\n'));
    renameSync(join(dir, 'asked.tmp'), join(dir, 'asked'));
    const real = JSON.stringify(`${url}?released`);
    const source = `
      import { existsSync } from 'node:fs';
      await new Promise((resolve) => {
        const timer = setInterval(() => existsSync(${release}) && (clearInterval(timer), resolve()), 10);
      });
      export * from ${real};
      export { default } from ${real};
    `;
    return { format: 'module', source, shortCircuit: true };
  },
});
