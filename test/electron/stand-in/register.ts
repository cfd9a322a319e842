import { registerHooks } from 'node:module';

// `node --import ./test/electron/stand-in/register.ts dist/electron/main.js`: the bundle's `electron` import
// resolves to the stand-in below, so the shell's wiring runs in plain Node where Electron's binary is missing.
const standIn = new URL('./electron.ts', import.meta.url).href;
registerHooks({
  resolve: (specifier, context, next) =>
    specifier === 'electron' ? { url: standIn, shortCircuit: true } : next(specifier, context),
});
