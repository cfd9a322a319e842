import { expect, test, type Page } from '@playwright/test';
import { dashboardCaller, sandboxForThisFile, shoot } from './spec-kit.ts';
import { ALICE, BOB } from '../support/contacts.ts';
import { shown } from './dashboard-states.ts';
import type { InboxEntry } from '../../server/contract/sandbox.ts';

const served = sandboxForThisFile();

const call = dashboardCaller(served);

const liveRegion = (page: Page) => page.locator('main .announcer');
const group = (page: Page, name: string | RegExp) => page.getByRole('region', { name });
const EMPTY = 'The outbox is empty:';

test('the Outbox screen shows what waits, what WhatsApp has not confirmed and what failed, live, and acts on it', async ({
  page,
}) => {
  await test.step('log in, link the virtual phone, open the outbox by its address: it says what it is and that it is empty', async () => {
    await page.goto(served().loginUrl);
    await page.getByRole('button', { name: 'Scan with virtual phone' }).click();
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
    await page.goto(`${served().apiUrl}/outbox`);
    await expect(page.getByRole('heading', { level: 1, name: 'Outbox' })).toBeVisible();
    await expect(page.getByText(EMPTY)).toBeVisible();
    await expect(page.getByText('The outbox holds every message WaGate has accepted')).toBeVisible();
    await shoot(page, 'outbox-01-empty');
  });

  await test.step('a scheduled send appears at once, with when it leaves; cancelling is asked, done and said', async () => {
    const sendAt = Math.floor(Date.now() / 1000) + 3600;
    await call(page, 'POST', `/chats/${ALICE}/messages`, { text: 'see you in an hour', send_at: sendAt });
    const scheduled = group(page, /^Scheduled/);
    await expect(scheduled).toContainText('see you in an hour');
    await expect(scheduled).toContainText(`To +${ALICE}`);
    await expect(scheduled).toContainText('Leaves at');
    await shoot(page, 'outbox-02-scheduled');
    await page.getByRole('button', { name: `Cancel the message to +${ALICE}` }).click();
    const dialog = page.getByRole('dialog', { name: `Stop the message to +${ALICE} from being sent?` });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Keep it as it is' }).click();
    await expect(scheduled).toContainText('see you in an hour');
    await page.getByRole('button', { name: `Cancel the message to +${ALICE}` }).click();
    await dialog.getByRole('button', { name: 'Do not send it' }).click();
    await expect(liveRegion(page)).toHaveText(`The message to +${ALICE} was cancelled. It will not be sent.`);
    await expect(page.getByText(EMPTY)).toBeVisible();
  });

  await test.step('a message whose ack WhatsApp holds waits for confirmation; after a reconnect it is sent again and leaves', async () => {
    await call(page, 'POST', '/sandbox/faults', { kind: 'hold_acks' });
    const { message_id } = await call(page, 'POST', `/chats/${BOB}/messages`, {
      text: 'is the ack lost?',
      async: true,
      typing_simulation: false,
    });
    const waiting = group(page, /^Waiting for WhatsApp to confirm/);
    await expect(waiting).toContainText('is the ack lost?');
    await expect(waiting).toContainText('waiting for its server to confirm it has the message');
    await shoot(page, 'outbox-03-waiting-for-ack');
    // The page says "sending" once the attempt is counted, before the frame leaves. Only a message the server has
    // took the held ack: dropped sooner, the resend would take it and wait out the ack timeout (NOTES, "Flake seen").
    await expect
      .poll(async () =>
        ((await call(page, 'GET', `/sandbox/contacts/${BOB}/inbox`)) as InboxEntry[]).map((m) => m.message_id),
      )
      .toContain(message_id);
    await call(page, 'POST', '/sandbox/faults', { kind: 'drop' });
    await expect(page.getByText(EMPTY)).toBeVisible({ timeout: 30_000 });
  });

  await test.step('a message WhatsApp refuses fails with its reason in plain words; retried, it leaves', async () => {
    await call(page, 'POST', `/sandbox/contacts/${BOB}/rejection`, { error: 479 });
    await call(page, 'POST', `/chats/${BOB}/messages`, { text: 'refused once', async: true, typing_simulation: false });
    const failed = group(page, /^Failed/);
    await expect(failed).toContainText('refused once');
    await expect(failed).toContainText('WhatsApp refused it as malformed');
    await shoot(page, 'outbox-04-failed');
    await call(page, 'POST', `/sandbox/contacts/${BOB}/rejection`, { error: null });
    await page.getByRole('button', { name: `Retry the message to +${BOB}` }).click();
    const dialog = page.getByRole('dialog', { name: `Send the message to +${BOB} again?` });
    await expect(dialog).toContainText('same message id');
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await expect(liveRegion(page)).toHaveText(`The message to +${BOB} is queued again.`);
    await expect(page.getByText(EMPTY)).toBeVisible({ timeout: 30_000 });
  });

  await test.step('a refused message can be dropped instead: it leaves the outbox and is never sent', async () => {
    await call(page, 'POST', `/sandbox/contacts/${BOB}/rejection`, { error: 463 });
    await call(page, 'POST', `/chats/${BOB}/messages`, {
      text: 'a new chat too many',
      async: true,
      typing_simulation: false,
    });
    const failed = group(page, /^Failed/);
    await expect(failed).toContainText('this number may not start new chats right now');
    await page.getByRole('button', { name: `Retry the message to +${BOB}` }).click();
    await expect(page.getByRole('dialog')).toContainText('a retry counts as another try');
    await page.getByRole('dialog').getByRole('button', { name: 'Keep it as it is' }).click();
    await page.getByRole('button', { name: `Drop the message to +${BOB}` }).click();
    await page
      .getByRole('dialog', { name: `Drop the message to +${BOB}?` })
      .getByRole('button', { name: 'Drop message' })
      .click();
    await expect(liveRegion(page)).toHaveText(`The message to +${BOB} was dropped. It will not be sent.`);
    await expect(page.getByText(EMPTY)).toBeVisible();
  });

  await test.step('an older answer that arrives after a newer one does not bring back a message that has left', async () => {
    // The page reads /outbox again on every event; here the first read's answer is held until a later read's has
    // arrived, as a busy core may answer them.
    let laterArrived!: () => void;
    const later = new Promise<void>((resolve) => (laterArrived = resolve));
    let olderArrived!: () => void;
    const older = new Promise<void>((resolve) => (olderArrived = resolve));
    let holding = false;
    await page.route(`${served().apiUrl}/outbox`, async (route) => {
      if (route.request().resourceType() !== 'fetch') return route.fallback();
      const response = await route.fetch();
      if (holding) return route.fulfill({ response }).then(laterArrived);
      holding = true;
      await later;
      const finished = page.waitForEvent('requestfinished', (request) => request === route.request());
      await route.fulfill({ response });
      await finished;
      olderArrived();
    });
    const { message_id } = await call(page, 'POST', `/chats/${ALICE}/messages`, {
      text: 'cancelled before its time',
      send_at: Math.floor(Date.now() / 1000) + 3600,
    });
    await call(page, 'DELETE', `/messages/${message_id}`);
    await older;
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await expect(page.getByText('cancelled before its time')).toHaveCount(0);
    await expect(page.getByText(EMPTY)).toBeVisible();
    await page.unroute(`${served().apiUrl}/outbox`);
  });

  await test.step('after a reload the outbox is still the outbox', async () => {
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Outbox' })).toBeVisible();
    await expect(page.getByText(EMPTY)).toBeVisible();
  });
});
