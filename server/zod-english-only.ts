import { registerHooks } from 'node:module';

/** zod's index of its locales, which `zod` and `zod/v4/core` re-export whole (`export * as locales`). */
const LOCALES = import.meta.resolve('zod/v4/locales');
/** The same index with English only: the one locale zod's schemas use (they set it themselves, from `en.js`). */
const ENGLISH_ONLY = `data:text/javascript,export { default as en } from ${JSON.stringify(import.meta.resolve('zod/v4/locales/en.js'))};`;

/**
 * Importing zod loads and keeps its 47 locale modules (~1 MB of the JS heap, mostly their text) because its entry
 * re-exports them all; a bundler would shake them off, and the core runs from its sources. zod loads here, with the
 * English-only index in their place. WaGate speaks English and never asks zod for another locale, so every error word
 * is the same. Called first thing by the processes that run the core, before anything imports zod. The hook goes once
 * zod is in: every module resolved while a hook is registered runs through Node's hook machinery in JS (~800 more
 * here, Baileys' among them), whose allocations and compiled code stayed in an idle core (~0.5 MB; NOTES.md, idle3).
 */
export async function loadZodInEnglishOnly(): Promise<void> {
  const hook = registerHooks({
    resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      return resolved.url === LOCALES ? { ...resolved, url: ENGLISH_ONLY, format: 'module' } : resolved;
    },
  });
  await import('zod');
  hook.deregister();
}
