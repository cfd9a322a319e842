#!/usr/bin/env node
// The package's command. Node >= 24 runs the TypeScript sources directly (type stripping), so there is no build step;
// an older Node gets one plain sentence instead of a loader error.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `WaGate needs Node.js 24 or newer; this is ${process.version}. In a checkout, run it through npm ` +
      '(npm run serve, npx wagate …), which uses the Node 24 that npm install brought.',
  );
  process.exit(1);
}
await import('../server/cli.ts');
