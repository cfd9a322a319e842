import { expect, test } from '@playwright/test';
import { dashboardCaller, sandboxForThisFile, shoot } from './spec-kit.ts';
import { ALICE } from '../support/contacts.ts';
import { shown } from './dashboard-states.ts';
import { nowSeconds } from '../../server/contract/time.ts';

const served = sandboxForThisFile();

const call = dashboardCaller(served);

test('pacing and the number’s standing: the policy is seen and edited, held messages and WhatsApp’s limits are shown', async ({
  page,
}) => {
  await test.step('log in and link the virtual phone', async () => {
    await page.goto(served().loginUrl);
    await page.getByRole('button', { name: 'Scan with virtual phone' }).click();
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
  });

  await test.step('the Pacing screen shows the recommended policy, on', async () => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Pacing' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Pacing' })).toBeVisible();
    await expect(page.getByLabel('Pace messages (recommended)')).toBeChecked();
    await expect(page.getByLabel('Messages per minute, all chats together')).toHaveValue('12');
    await expect(page.getByLabel('Pause between two messages to the same chat (seconds)')).toHaveValue('3');
    await expect(page.getByText('No message is being held back right now.')).toBeVisible();
    await shoot(page, 'pacing-01-defaults');
  });

  await test.step('a burst to one chat: the second message shows as waiting, then leaves', async () => {
    await call(page, 'POST', `/chats/${ALICE}/messages`, { text: 'one', typing_simulation: false });
    const second = call(page, 'POST', `/chats/${ALICE}/messages`, { text: 'two', typing_simulation: false });
    const waiting = page.getByTestId('pacing-waiting');
    await expect(waiting).toContainText(`To +${ALICE}: leaves at`);
    await expect(waiting).toContainText('the pause between two messages to the same chat');
    await shoot(page, 'pacing-02-waiting');
    const answer = await second;
    expect(answer.paced_ms).toBeGreaterThan(0);
    await expect(page.getByText('No message is being held back right now.')).toBeVisible();
    await expect(page.getByTestId('pacing-usage')).toContainText('In the last minute2 of 12');
  });

  await test.step('a value that makes no sense is refused in the API’s words; a good one is saved and kept', async () => {
    await page.getByLabel('Messages per minute, all chats together').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('.pacing-form .banner.error')).toContainText(
      'per_minute (messages per minute) must be a whole number from 1 to 1000',
    );
    await page.getByLabel('Messages per minute, all chats together').fill('6');
    await page.getByLabel('New chats per day').fill('5');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(shown(page, 'Saved. The new pacing applies now, and after a restart too.')).toBeVisible();
    await page.reload();
    await expect(page.getByLabel('Messages per minute, all chats together')).toHaveValue('6');
    await expect(page.getByTestId('pacing-usage')).toContainText('2 of 6');
    await page.getByRole('button', { name: 'Use the recommended values' }).click();
    await expect(page.getByLabel('Messages per minute, all chats together')).toHaveValue('12');
  });

  await test.step('WhatsApp locks new chats: every screen says so in plain words, until when', async () => {
    // Unix seconds, in the sandbox's control API as in WaGate's: the same moment all the way to the banner.
    const until = nowSeconds() + 2 * 3600;
    const sandbox = await call(page, 'POST', '/sandbox/phone/reachout-timelock', { active: true, until });
    expect(sandbox.reachout_timelock.until).toBe(until);
    await expect.poll(async () => (await call(page, 'GET', '/session')).reachout_timelock?.until).toBe(until);
    const banner = page.getByTestId('standing-reachout_timelock');
    // The time said is that end, as this browser writes a deadline (the time alone if it is today).
    const said = await page.evaluate((seconds) => {
      const ms = seconds * 1000;
      const today = new Date(ms).toDateString() === new Date().toDateString();
      const format = today
        ? new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
        : new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
      return format.format(ms);
    }, until);
    await expect(banner).toContainText(`WhatsApp is limiting messages to new chats until ${said}`);
    await expect(banner).toContainText('error 463');
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Send a message' }).click();
    await expect(banner).toBeVisible();
    await shoot(page, 'pacing-03-timelock');
  });

  await test.step('the new-chat cap shows with what is used; lifting the lock takes its banner away', async () => {
    await call(page, 'POST', '/sandbox/phone/message-capping', { status: 'SECOND_WARNING', used: 45, quota: 50 });
    await expect(page.getByTestId('standing-message_capping')).toContainText(
      'This number is close to WhatsApp’s cap on messages to new chats (45 of 50 used)',
    );
    await call(page, 'POST', '/sandbox/phone/reachout-timelock', { active: false });
    await expect(page.getByTestId('standing-reachout_timelock')).toHaveCount(0);
    await expect(page.getByTestId('standing-message_capping')).toBeVisible();
    await shoot(page, 'pacing-04-capping');
  });
});
