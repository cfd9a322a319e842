import { expect, test, type Page } from '@playwright/test';
import { serveSandbox, type ServedWagate } from './wagate-process.ts';

const SCREENS = 'test-results/screens';

/** A full-page screenshot in test-results/screens/, to look at after a run. */
export const shoot = (page: Page, name: string) => page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });

/**
 * One `wagate serve --sandbox` for the spec file that calls this at its top: started before its first test, stopped
 * after its last. Answers the running one (read it inside tests and hooks, not at the file's top).
 */
export function sandboxForThisFile(): () => ServedWagate {
  let wagate: ServedWagate | undefined;
  test.beforeAll(async () => {
    wagate = await serveSandbox();
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
