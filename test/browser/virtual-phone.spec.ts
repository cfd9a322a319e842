import { platform } from 'node:os';
import { expect, test } from '@playwright/test';
import { openScreen, shown } from './dashboard-states.ts';
import { dashboardCaller, sandboxForThisFile } from './spec-kit.ts';
import { ALICE } from '../support/contacts.ts';
import type { InboxEntry } from '../../server/contract/sandbox.ts';

const served = sandboxForThisFile();

const call = dashboardCaller(served);

test('the virtual phone types the pairing code WaGate shows, lists WaGate under this computer’s system, and shows what a contact wrote', async ({
  page,
}) => {
  await page.goto(served().loginUrl);
  await page.getByRole('button', { name: 'Link with phone number instead' }).click();
  await page.getByLabel('Your WhatsApp phone number').fill('+1 555 999 0000');
  await page.getByRole('button', { name: 'Get a code' }).click();
  const code = await page.locator('.pairing-code .code').innerText();
  expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);

  await openScreen(page, 'Virtual phone');
  await page.getByLabel('Or type a pairing code on the virtual phone').fill(code);
  await page.getByRole('button', { name: 'Enter code' }).click();
  await expect(shown(page, 'The virtual phone entered the code. Linking…')).toBeVisible({ timeout: 30_000 });
  const system = platform() === 'darwin' ? 'Mac OS' : platform() === 'win32' ? 'Windows' : 'Ubuntu';
  await expect(page.getByRole('region', { name: 'The phone' })).toContainText(
    new RegExp(`Device \\d+ \\(${system}\\), online`),
    {
      timeout: 30_000,
    },
  );
  await expect(page.getByLabel('Or type a pairing code on the virtual phone')).toHaveCount(0);

  const wrote = page.getByRole('list', { name: 'Messages Alice wrote' });
  await expect(page.getByText('What Alice wrote to WaGate')).toBeVisible();
  await page.getByLabel('Write to WaGate as Alice').fill('Hello from Alice, kept on her side too');
  await page.getByRole('button', { name: 'Send as Alice' }).click();
  await expect(wrote).toContainText('Hello from Alice, kept on her side too', { timeout: 30_000 });

  // What Alice received carries the time the sandbox says (Unix seconds, as the API's own), shown as it is.
  const sent = await call(page, 'POST', `/chats/${ALICE}/messages`, {
    text: 'Timed on her phone',
    typing_simulation: false,
  });
  const received = page
    .getByRole('list', { name: 'Messages Alice received' })
    .getByRole('listitem')
    .filter({ hasText: 'Timed on her phone' });
  await expect(received).toBeVisible({ timeout: 30_000 });
  const inbox = (await call(page, 'GET', `/sandbox/contacts/${ALICE}/inbox`)) as InboxEntry[];
  const entry = inbox.find((e) => e.message_id === sent.message_id)!;
  expect(Math.abs(entry.timestamp - sent.timestamp)).toBeLessThan(60);
  await expect(received.locator('time')).toHaveAttribute('datetime', new Date(entry.timestamp * 1000).toISOString());
  await page.screenshot({ path: 'test-results/screens/virtual-phone-code-linked.png', fullPage: true });
});
