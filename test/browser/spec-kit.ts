import { expect, test, type Page } from '@playwright/test';
import { serveSandbox, type ServedWagate } from './wagate-process.ts';

const SCREENS = 'test-results/screens';

/** A full-page screenshot in test-results/screens/, to look at after a run. */
export const shoot = (page: Page, name: string) => page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });

const LOG_TAIL_LINES = 80;
/** The log's last `n` lines, the dashboard's sign-in token left out (CI output is kept). */
const lastLines = (text: string, n: number) =>
  text
    .replace(/token=[\w-]+/g, 'token=…')
    .trimEnd()
    .split('\n')
    .slice(-n)
    .join('\n');

/**
 * One `wagate serve --sandbox` for the spec file that calls this at its top: started before its first test, stopped
 * after its last; a failed test prints its log. Answers the running one (read it inside tests and hooks, not at the file's top).
 */
export function sandboxForThisFile(): () => ServedWagate {
  let wagate: ServedWagate | undefined;
  test.beforeAll(async () => {
    wagate = await serveSandbox();
  });
  test.afterEach(async () => {
    const testInfo = test.info();
    if (!wagate || testInfo.status === testInfo.expectedStatus) return;
    await testInfo.attach('wagate serve log', { body: wagate.output(), contentType: 'text/plain' });
    // CI keeps only what the run prints: the server's last words say why a step waited in vain.
    console.error(`wagate serve's log, last ${LOG_TAIL_LINES} lines:\n${lastLines(wagate.output(), LOG_TAIL_LINES)}`);
  });
  test.afterAll(async () => {
    await wagate?.stop();
  });
  return () => {
    if (!wagate) throw new Error('WaGate is not started yet: read it inside a test or a hook');
    return wagate;
  };
}

export type DashboardCall = (
  page: Page,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  data?: unknown,
) => Promise<any>;

/**
 * A call as the dashboard's page makes it (this browser's admin cookie, from WaGate's own origin), expecting a 2xx;
 * answers the envelope's `data`. `served` is read at call time: the spec starts WaGate in its beforeAll.
 */
export function dashboardCaller(served: () => ServedWagate): DashboardCall {
  return async (page, method, path, data) => {
    const { apiUrl } = served();
    const res = await page.request.fetch(`${apiUrl}${path}`, {
      method,
      data,
      headers: { origin: apiUrl, 'sec-fetch-site': 'same-origin' },
    });
    expect(res.status(), await res.text()).toBeLessThan(300);
    return (await res.json()).data;
  };
}
