import { registerHooks } from 'node:module';

/** zod's index of its locales, which `zod` and `zod/v4/core` re-export whole (`export * as locales`). */
const LOCALES = import.meta.resolve('zod/v4/locales');
/** The same index with English only: the one locale zod's schemas use (they set it themselves, from `en.js`). */
const ENGLISH_ONLY = `data:text/javascript,export { default as en } from ${JSON.stringify(import.meta.resolve('zod/v4/locales/en.js'))};`;

/**
 * Importing zod loads and keeps its 47 locale modules (~1 MB of the JS heap, mostly their text) because its entry
 * re-exports them all; a bundler would shake them off, and the core runs from its sources. Every module this process
 * loads afterwards gets the English-only index instead. WaGate speaks English and never asks zod for another locale,
 * so every error word is the same. Called first thing by the processes that run the core, before zod loads.
 */
export function loadZodInEnglishOnly(): void {
  registerHooks({
    resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      return resolved.url === LOCALES ? { ...resolved, url: ENGLISH_ONLY, format: 'module' } : resolved;
    },
  });
}
