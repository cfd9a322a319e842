import { expect, test, type Page } from '@playwright/test';
import { openScreen, shown } from './dashboard-states.ts';
import { dashboardCaller, sandboxForThisFile, shoot } from './spec-kit.ts';
import { ALICE } from '../support/contacts.ts';
import type { InboxEntry } from '../../server/contract/sandbox.ts';

const served = sandboxForThisFile();

const call = dashboardCaller(served);

/** Alice's inbox once `holds` is true of it. */
async function aliceSees(page: Page, holds: (inbox: InboxEntry[]) => boolean): Promise<InboxEntry[]> {
  let inbox: InboxEntry[] = [];
  await expect
    .poll(async () => {
      inbox = (await call(page, 'GET', `/sandbox/contacts/${ALICE}/inbox`)) as InboxEntry[];
      return holds(inbox);
    })
    .toBe(true);
  return inbox;
}

const recent = (page: Page) => page.getByRole('region', { name: 'Recent messages' });
/** The list's row for a message, by its id or its text (the first, newest, that says it). */
const row = (page: Page, text: string) => recent(page).getByRole('row').filter({ hasText: text }).first();
const result = (page: Page) => page.locator('#recent-result');

test('react, edit and delete from the list, and send a location, a poll and a contact card', async ({ page }) => {
  let orderId = '';

  await test.step('log in, link the virtual phone and send a text', async () => {
    await page.goto(served().loginUrl);
    await page.getByRole('button', { name: 'Scan with virtual phone' }).click();
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
    await openScreen(page, 'Send a message');
    await page.getByLabel('To', { exact: true }).fill(`+${ALICE}`);
    await page.getByLabel(/Show “typing…” before sending/).uncheck();
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Order 12 ships today');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(shown(page, new RegExp(`^Sent to \\+${ALICE} at `))).toBeVisible({ timeout: 30_000 });
    orderId = (await page.locator('.outcome code').textContent())!;
  });

  await test.step('React → 👍 reacts, says so, and Alice sees it', async () => {
    await row(page, orderId).getByRole('button', { name: 'React to “Order 12 ships today”' }).click();
    await page.getByRole('button', { name: 'React with 👍' }).click();
    await expect(result(page)).toHaveText('Reacted 👍 to “Order 12 ships today”.');
    await expect(result(page)).toBeFocused();
    await expect(row(page, orderId)).toContainText('Reactions: 👍 you');
    await aliceSees(page, (inbox) =>
      inbox.some((e) => e.kind === 'reaction' && e.emoji === '👍' && e.target_message_id === orderId),
    );
    await shoot(page, 'actions-01-reacted');
  });

  await test.step('Edit changes the text Alice sees', async () => {
    await row(page, orderId).getByRole('button', { name: 'Edit “Order 12 ships today”' }).click();
    const field = page.getByLabel('New text');
    await expect(field).toBeFocused();
    await field.fill('Order 12 ships tomorrow');
    await shoot(page, 'actions-02-editing');
    await page.getByRole('button', { name: 'Save edit' }).click();
    await expect(result(page)).toHaveText('Edited: the message now says “Order 12 ships tomorrow”.');
    await expect(row(page, orderId)).toContainText('Order 12 ships tomorrow (edited)');
    const inbox = await aliceSees(page, (entries) =>
      entries.some((e) => e.message_id === orderId && e.text === 'Order 12 ships tomorrow'),
    );
    expect(inbox.find((e) => e.message_id === orderId)?.edits).toEqual(['Order 12 ships today']);
  });

  await test.step('Delete asks first, then deletes for everyone', async () => {
    await row(page, orderId)
      .getByRole('button', { name: /^Delete “/ })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Delete this message for everyone?' });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await dialog.getByRole('button', { name: 'Delete for everyone' }).click();
    await expect(result(page)).toHaveText(/^Deleted “.+” for everyone\.$/);
    await expect(row(page, orderId)).toContainText('This message was deleted for everyone.');
    await expect(row(page, orderId).getByRole('button')).toHaveCount(0);
    await aliceSees(page, (inbox) => inbox.some((e) => e.message_id === orderId && e.deleted === true));
    await shoot(page, 'actions-03-deleted');
  });

  await test.step('a location, a poll and a contact card from the folded form', async () => {
    await page.getByText('Send a location, a poll or a contact card').click();
    await page.getByLabel('Latitude').fill('52.3676');
    await page.getByLabel('Longitude').fill('4.9041');
    await page.getByLabel('Place name (optional)').fill('The shop');
    await page.getByRole('button', { name: 'Send the location' }).click();
    await expect(shown(page, new RegExp(`^Sent the location to \\+${ALICE} at `))).toBeVisible({ timeout: 30_000 });

    await page.getByLabel('Poll', { exact: true }).check();
    await page.getByLabel('Question').fill('Which day suits you?');
    await page.getByRole('textbox', { name: /^Options, one per line/ }).fill('Monday');
    await page.getByRole('button', { name: 'Send the poll' }).click();
    await expect(page.getByRole('textbox', { name: /^Options, one per line/ })).toHaveAttribute('aria-invalid', 'true');
    await expect(shown(page, /^A poll has 2 to \d+ options, one per line \(this has 1\)\.$/)).toBeVisible();
    await page.getByRole('textbox', { name: /^Options, one per line/ }).fill('Monday\nTuesday\n\nFriday');
    await page.getByRole('button', { name: 'Send the poll' }).click();
    await expect(shown(page, new RegExp(`^Sent the poll to \\+${ALICE} at `))).toBeVisible({ timeout: 30_000 });

    await page.getByLabel('Contact card', { exact: true }).check();
    await page.getByLabel('Name on the card').fill('Bob Builder');
    await page.getByLabel('Phone number with country code').fill('+1 555 000 2222');
    await page.getByRole('button', { name: 'Send the contact card' }).click();
    await expect(shown(page, new RegExp(`^Sent the contact card to \\+${ALICE} at `))).toBeVisible({
      timeout: 30_000,
    });
    await shoot(page, 'actions-04-other-kinds');

    const inbox = await aliceSees(page, (entries) => entries.some((e) => e.kind === 'contact_card'));
    expect(inbox.find((e) => e.kind === 'location')?.location).toMatchObject({
      latitude: 52.3676,
      longitude: 4.9041,
      name: 'The shop',
    });
    expect(inbox.find((e) => e.kind === 'poll')?.poll).toMatchObject({
      question: 'Which day suits you?',
      options: ['Monday', 'Tuesday', 'Friday'],
    });
    expect(inbox.find((e) => e.kind === 'contact_card')?.contacts?.[0]).toMatchObject({
      name: 'Bob Builder',
      phone: '15550002222',
    });
  });

  await test.step('the list and the Virtual phone show them', async () => {
    await expect(row(page, 'Which day suits you?')).toContainText('Monday · Tuesday · Friday');
    await expect(row(page, 'The shop')).toContainText('52.3676');
    await openScreen(page, 'Virtual phone');
    const inbox = page.getByRole('list', { name: 'Messages Alice received' });
    await expect(inbox).toContainText('Which day suits you?');
    await expect(inbox).toContainText('Bob Builder');
    await expect(inbox).toContainText('This message was deleted');
    await shoot(page, 'actions-05-virtual-phone');
  });
});
