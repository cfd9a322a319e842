import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Built ahead of time into dist/renderer, which the core serves at `/` and the Electron window loads. */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Everything ships inside the package: nothing is fetched from elsewhere at run time.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
