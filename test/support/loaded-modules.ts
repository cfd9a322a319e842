import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

/**
 * `node --import ./loaded-modules.ts` with LOADED_MODULES_FILE set: the URL of every module the process loads (ESM or
 * CommonJS) is appended to that file, one a line, as it loads.
 */
const file = process.env.LOADED_MODULES_FILE!;

registerHooks({
  load(url, context, next) {
    appendFileSync(file, `${url}\n`);
    return next(url, context);
  },
});
