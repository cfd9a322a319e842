import { sandboxForThisFile } from './spec-kit.ts';
import { expect, test } from '@playwright/test';
import { DASHBOARD_SCREEN_PATHS, type ScreenPath } from '../../server/contract/dashboard.ts';

const served = sandboxForThisFile();

/** Each screen's heading, which says the right screen opened (an unknown address falls back to Phone link). */
const HEADINGS: Record<ScreenPath, string> = {
  '/pairing': 'Phone link',
  '/keys': 'API keys',
  '/send': 'Send a message',
  '/outbox': 'Outbox',
  '/pacing': 'Pacing',
  '/webhooks': 'Webhooks',
  '/sandbox': 'Virtual phone',
};

test('every dashboard screen opens from its address, as a bookmark would, and again after a reload', async ({
  page,
}) => {
  await page.goto(served().loginUrl);
  await expect(page.getByRole('heading', { level: 1, name: 'Phone link' })).toBeVisible();
  for (const path of DASHBOARD_SCREEN_PATHS) {
    await test.step(path, async () => {
      const opened = await page.goto(`${served().apiUrl}${path}`);
      expect(opened?.headers()['content-type'], `${path} is the page, not the API`).toMatch(/^text\/html/);
      await expect(page.getByRole('heading', { level: 1, name: HEADINGS[path] })).toBeVisible();
      await expect(page.getByRole('link', { name: HEADINGS[path] })).toHaveAttribute('aria-current', 'page');
      const reloaded = await page.reload();
      expect(reloaded?.headers()['content-type'], `${path} reloaded`).toMatch(/^text\/html/);
      await expect(page.getByRole('heading', { level: 1, name: HEADINGS[path] })).toBeVisible();
    });
  }
});

test('the dashboard links its API documentation, and /docs links back', async ({ page }) => {
  await page.goto(await served().freshLoginUrl());
  await page.getByRole('contentinfo').getByRole('link', { name: 'API documentation' }).click();
  await expect(page.getByRole('heading', { name: /WaGate/ }).first()).toBeVisible();
  await expect(page).toHaveURL(/\/docs\/?$/);
  await page.getByRole('link', { name: '← Back to the WaGate dashboard' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Phone link' })).toBeVisible();
});
