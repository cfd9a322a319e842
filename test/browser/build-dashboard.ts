import { build } from 'vite';

/** Playwright's global setup: the browser tests always run against a dashboard built from the current sources. */
export default async function buildDashboard(): Promise<void> {
  await build({ configFile: new URL('../../renderer/vite.config.ts', import.meta.url).pathname, logLevel: 'warn' });
}
