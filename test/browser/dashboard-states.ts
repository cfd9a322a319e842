import { expect, type Page } from '@playwright/test';
import { ALICE, CAROL } from '../support/contacts.ts';
import { imageFile } from '../support/media-files.ts';
import { nowSeconds } from '../../server/contract/time.ts';

/**
 * Every state of the dashboard a user can reach, in the order one sandbox session reaches them. The accessibility
 * spec checks each one: the focus is not on the page itself, the screen has one live region, axe finds nothing
 * (light and dark), and it reflows at 320 px and at 200 % zoom. A new screen joins by adding its states here,
 * reached from the state before it as a user would, with the mouse.
 */
export interface DashboardState {
  /** Names the screenshots and the failures. */
  name: string;
  reach(page: Page): Promise<void>;
}

const QR = 'QR code for linking WhatsApp to WaGate';
const LINKED = 'Your phone is linked. WaGate can send messages.';

export async function openScreen(page: Page, name: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Screens' });
  // A narrow window shows one button that opens the list of screens.
  const menu = nav.getByRole('button', { expanded: false });
  if (await menu.isVisible()) await menu.click();
  await nav.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** The simulator's virtual phone, driven from the page with its dashboard session, as the sandbox buttons do. */
async function phone(page: Page, path: string, body: object): Promise<void> {
  const status = await page.evaluate(
    async ([to, json]) => {
      const res = await fetch(to, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json });
      return res.status;
    },
    [path, JSON.stringify(body)] as const,
  );
  expect(status).toBe(200);
}

/**
 * Text as it stands on the page, not its repeat in the screen's live region (visually hidden, which Playwright
 * still counts as visible).
 */
export const shown = (page: Page, text: string | RegExp, options?: { exact?: boolean }) =>
  page.getByText(text, options).and(page.locator(':not([role=status])'));

const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

export const DASHBOARD_STATES: DashboardState[] = [
  {
    name: 'pairing-qr',
    reach: async (page) => {
      await openScreen(page, 'Phone link');
      await expect(page.getByRole('img', { name: QR })).toBeVisible();
    },
  },
  {
    name: 'pairing-code-form',
    reach: async (page) => {
      await button(page, 'Link with phone number instead').click();
      await expect(page.getByLabel('Your WhatsApp phone number')).toBeVisible();
    },
  },
  {
    name: 'pairing-code-refused',
    reach: async (page) => {
      await button(page, 'Get a code').click();
      await expect(page.getByLabel('Your WhatsApp phone number')).toHaveAttribute('aria-invalid', 'true');
    },
  },
  {
    name: 'pairing-code-shown',
    reach: async (page) => {
      await page.getByLabel('Your WhatsApp phone number').fill('+1 555 999 0000');
      await button(page, 'Get a code').click();
      await expect(page.locator('.pairing-code .code')).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    },
  },
  {
    name: 'pairing-linked',
    reach: async (page) => {
      await phone(page, '/sandbox/phone/pairing-code', { code: await page.locator('.pairing-code .code').innerText() });
      await expect(shown(page, LINKED)).toBeVisible({ timeout: 30_000 });
      await expect(page.getByRole('heading', { name: 'Linked account' })).toBeVisible();
    },
  },
  {
    name: 'keys-list',
    reach: async (page) => {
      // `serve --sandbox` makes a key named "sandbox" for the walkthrough.
      await openScreen(page, 'API keys');
      await expect(page.getByRole('row', { name: /^sandbox / })).toBeVisible();
    },
  },
  {
    name: 'keys-name-refused',
    reach: async (page) => {
      await button(page, 'Create key').click();
      await expect(page.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    },
  },
  {
    name: 'keys-created',
    reach: async (page) => {
      await page.getByLabel('Name', { exact: true }).fill('Shop notifications');
      await button(page, 'Create key').click();
      await expect(page.getByLabel('New API key')).toHaveValue(/^wg_/);
    },
  },
  {
    name: 'keys-how-to-use',
    reach: async (page) => {
      await button(page, 'I have saved it').click();
      await button(page, 'How to use Shop notifications').click();
      await expect(page.locator('.example-row pre')).toContainText('Authorization: Bearer wg_');
    },
  },
  {
    name: 'keys-revoke-confirm',
    reach: async (page) => {
      await button(page, 'Revoke Shop notifications').click();
      await expect(page.getByRole('dialog', { name: 'Revoke “Shop notifications”?' })).toBeVisible();
    },
  },
  {
    name: 'keys-revoked',
    reach: async (page) => {
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
      await expect(page.getByRole('row', { name: /Shop notifications/ })).toContainText('Revoked');
    },
  },
  {
    name: 'send-empty',
    reach: async (page) => {
      await openScreen(page, 'Send a message');
      await expect(page.getByText('Nothing sent or received yet.')).toBeVisible();
    },
  },
  {
    name: 'send-refused',
    reach: async (page) => {
      await page.getByLabel('To', { exact: true }).fill('+1 555 abc');
      await expect(page.getByLabel('To', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    },
  },
  {
    name: 'send-sent',
    reach: async (page) => {
      await page.getByLabel('To', { exact: true }).fill(`+${ALICE}`);
      await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Hello from the accessibility test');
      await page.getByLabel(/Show “typing…” before sending/).uncheck();
      await button(page, 'Send').click();
      await expect(page.locator('.outcome')).toContainText(`Sent to +${ALICE}`, { timeout: 30_000 });
      await expect(page.getByRole('region', { name: 'Recent messages' }).getByRole('row')).not.toHaveCount(0);
    },
  },
  {
    name: 'send-failed',
    reach: async (page) => {
      await page.getByLabel('To', { exact: true }).fill(`+${CAROL}`);
      await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Carol is not on WhatsApp');
      await button(page, 'Send').click();
      await expect(page.getByRole('alert').filter({ hasText: 'Not sent' })).toBeVisible({ timeout: 30_000 });
    },
  },
  {
    name: 'send-attached',
    reach: async (page) => {
      await page.getByLabel('File to attach').setInputFiles({
        name: 'photo.png',
        mimeType: 'image/png',
        buffer: await imageFile('image/png'),
      });
      await expect(page.getByRole('img', { name: 'Preview of photo.png' })).toBeVisible();
    },
  },
  {
    name: 'send-other-kinds',
    reach: async (page) => {
      await page.getByText('Send a location, a poll or a contact card').click();
      await expect(page.getByLabel('Latitude')).toBeVisible();
    },
  },
  {
    name: 'send-reacting',
    reach: async (page) => {
      await page.getByRole('button', { name: 'React to “Hello from the accessibility test”' }).click();
      await expect(page.getByRole('group', { name: /^Reactions to/ })).toBeVisible();
    },
  },
  {
    name: 'outbox',
    reach: async (page) => {
      await openScreen(page, 'Outbox');
      await expect(page.getByText('The outbox holds every message WaGate has accepted')).toBeVisible();
      await expect(page.getByText('Reading the outbox…')).toHaveCount(0);
    },
  },
  {
    name: 'pacing',
    reach: async (page) => {
      await openScreen(page, 'Pacing');
      await expect(page.getByLabel('Messages per minute, all chats together')).toHaveValue('12');
    },
  },
  {
    name: 'pacing-refused',
    reach: async (page) => {
      await page.getByLabel('Messages per minute, all chats together').fill('0');
      await button(page, 'Save').click();
      await expect(page.locator('.pacing-form .banner.error')).toContainText('messages per minute');
    },
  },
  {
    name: 'pacing-whatsapp-limits',
    reach: async (page) => {
      await button(page, 'Use the recommended values').click();
      await phone(page, '/sandbox/phone/reachout-timelock', { active: true, until: nowSeconds() + 3600 });
      await phone(page, '/sandbox/phone/message-capping', { status: 'FIRST_WARNING', used: 40, quota: 50 });
      await expect(page.getByTestId('standing-reachout_timelock')).toBeVisible();
      await expect(page.getByTestId('standing-message_capping')).toBeVisible();
    },
  },
  {
    name: 'pacing-limits-lifted',
    reach: async (page) => {
      await phone(page, '/sandbox/phone/reachout-timelock', { active: false });
      await phone(page, '/sandbox/phone/message-capping', { status: 'NONE', used: 0, quota: 50 });
      await expect(page.locator('.banner.standing')).toHaveCount(0);
    },
  },
  {
    name: 'webhooks-empty',
    reach: async (page) => {
      await openScreen(page, 'Webhooks');
      await expect(page.getByText('No webhooks yet.')).toBeVisible();
    },
  },
  {
    name: 'webhooks-refused',
    reach: async (page) => {
      await page.getByLabel('Receiver URL').fill('ftp://127.0.0.1/wagate');
      await button(page, 'Add webhook').click();
      await expect(page.getByLabel('Receiver URL')).toHaveAttribute('aria-invalid', 'true');
    },
  },
  {
    name: 'webhooks-added',
    reach: async (page) => {
      // Nothing listens on port 9: the log fills with failures, which is a state of its own to check.
      await page.getByLabel('Receiver URL').fill('http://127.0.0.1:9/wagate');
      await button(page, 'Add webhook').click();
      await expect(page.getByLabel('Signing secret')).toHaveValue(/\S/);
    },
  },
  {
    name: 'webhooks-listed',
    reach: async (page) => {
      await button(page, 'I have saved it').click();
      await page.getByText('How the receiving program checks the signature').click();
      await expect(page.getByRole('article', { name: 'http://127.0.0.1:9/wagate' })).toBeVisible();
    },
  },
  {
    name: 'webhooks-remove-confirm',
    reach: async (page) => {
      await button(page, 'Remove the webhook for http://127.0.0.1:9/wagate').click();
      await expect(page.getByRole('dialog')).toBeVisible();
    },
  },
  {
    name: 'webhooks-removed',
    reach: async (page) => {
      await page.getByRole('dialog').getByRole('button', { name: 'Remove webhook' }).click();
      await expect(page.getByText('No webhooks yet.')).toBeVisible();
    },
  },
  {
    name: 'virtual-phone-linked',
    reach: async (page) => {
      await openScreen(page, 'Virtual phone');
      await expect(page.getByRole('list', { name: 'Messages Alice received' })).toContainText('accessibility test');
    },
  },
  {
    name: 'virtual-phone-wrote',
    reach: async (page) => {
      await page.getByLabel('Write to WaGate as Alice').fill('Hi from Alice');
      await button(page, 'Send as Alice').click();
      await expect(shown(page, /^Alice sent it\./)).toBeVisible();
    },
  },
  {
    name: 'pairing-logout-confirm',
    reach: async (page) => {
      await openScreen(page, 'Phone link');
      await button(page, 'Unlink this phone').click();
      await expect(page.getByRole('dialog', { name: 'Unlink this phone from WaGate?' })).toBeVisible();
    },
  },
  {
    name: 'pairing-logged-out',
    reach: async (page) => {
      await page.getByRole('dialog').getByRole('button', { name: 'Unlink', exact: true }).click();
      await expect(page.getByRole('img', { name: QR })).toBeVisible({ timeout: 30_000 });
    },
  },
  {
    name: 'virtual-phone-qr',
    reach: async (page) => {
      await openScreen(page, 'Virtual phone');
      await expect(button(page, 'Scan with virtual phone')).toBeVisible();
    },
  },
];
