import { parseArgs } from 'node:util';
export interface LaunchOptions {
  dataDir: string | undefined;
  port: number | undefined;
  /** Linked to the in-process WhatsApp simulator instead of WhatsApp, as `wagate serve --sandbox`. */
  sandbox: boolean;
}

/**
 * The app's own flags, read from the command line among Chromium's and Electron's (which are left alone).
 * The same names as `wagate serve`, so a test or a user can point the app at a temp data dir or the sandbox.
 */
export function parseLaunchOptions(argv: readonly string[]): LaunchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, sandbox: { type: 'boolean' } },
  });
  const port = typeof values.port === 'string' ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`--port must be a number from 0 to 65535, not "${String(values.port)}"`);
  }
  return {
    dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined,
    port,
    sandbox: values.sandbox === true,
  };
}
