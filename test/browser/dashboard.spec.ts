import { sandboxForThisFile } from './spec-kit.ts';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { openScreen as openScreenAnyWidth, shown } from './dashboard-states.ts';
import { ALICE } from '../support/contacts.ts';

const SCREENS = 'test-results/screens';

const served = sandboxForThisFile();

/** A call from the test itself, as another program on this machine would make it. */
async function callApi(
  path: string,
  key: string,
): Promise<{ status: number; body: { status: boolean; error?: string; data?: unknown } }> {
  const res = await fetch(`${served().apiUrl}${path}`, { headers: { Authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

/** The simulator's fault switch, called from the page with its dashboard session. */
async function injectFault(
  page: Page,
  fault: { kind: 'drop' | 'refuse' | 'replaced' | 'unlink'; duration_ms?: number },
): Promise<void> {
  const status = await page.evaluate(async (body) => {
    const res = await fetch('/sandbox/faults', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.status;
  }, fault);
  expect(status).toBe(200);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
}

async function openScreen(page: Page, name: string): Promise<void> {
  await openScreenAnyWidth(page, name);
  await expectEveryControlNamed(page);
}

/** Every control on the screen has an accessible name a screen reader can say. */
async function expectEveryControlNamed(page: Page): Promise<void> {
  const controls = page.locator('input, select, textarea, button, a[href]');
  const count = await controls.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const control = controls.nth(i);
    if (await control.isVisible()) await expect(control).toHaveAccessibleName(/\S/);
  }
}

/** Presses Tab until `target` has the focus, as a keyboard user would; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${target} was not reached with ${max} presses of Tab`);
}

test('a newcomer links the virtual phone, makes a key, sends, revokes and logs out', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);

  await test.step('the login link opens the dashboard on the Phone link screen with a QR code', async () => {
    await page.goto(served().loginUrl);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Phone link' })).toBeVisible();
    await expect(page.getByText('Waiting for you to link your phone.')).toBeVisible();
    await expect(page.getByRole('img', { name: 'QR code for linking WhatsApp to WaGate' })).toBeVisible();
    await expect(page.getByText('Settings → Linked devices → Link a device')).toBeVisible();
    await expect(page.getByText(/This code changes in \d+ s/)).toBeVisible();
    await expectEveryControlNamed(page);
    await shoot(page, '01-pairing-qr');
  });

  await test.step('the virtual phone reads the QR the page shows, and the account appears', async () => {
    const qr = await page.getByRole('img', { name: 'QR code for linking WhatsApp to WaGate' }).getAttribute('data-qr');
    expect(qr).toMatch(/^\S+,\S+,\S+,\S+/);
    const scanned = await page.evaluate(async (shown) => {
      const res = await fetch('/sandbox/phone/scan', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ qr: shown }),
      });
      return res.status;
    }, qr);
    expect(scanned).toBe(200);
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
    const account = page.getByRole('heading', { name: 'Linked account' }).locator('..');
    await expect(account).toContainText('Sandbox Phone');
    await expect(account).toContainText('+15559990000');
    await expect(page.getByRole('status', { name: 'WhatsApp: Linked' })).toBeVisible();
    await shoot(page, '02-pairing-linked');
  });

  let key = '';
  await test.step('a new key is shown once, copied, and works for a real request', async () => {
    await openScreen(page, 'API keys');
    await page.getByLabel('Name').fill('Shop notifications');
    await page.getByLabel('Expires').selectOption({ label: 'In 30 days' });
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect(shown(page, 'this is the only time WaGate shows it')).toBeVisible();
    key = await page.getByLabel('New API key').inputValue();
    expect(key).toMatch(/^wg_[0-9a-f]{8}_/);
    await page.getByRole('button', { name: 'Copy key' }).click();
    await expect(shown(page, 'Copied', { exact: true })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await expect(page.locator('.new-key pre')).toContainText(`Authorization: Bearer ${key}`);
    await expect(page.locator('.new-key pre')).toContainText(`${served().apiUrl}/chats/${ALICE}/messages`);
    await shoot(page, '03-keys-new');

    const row = page.getByRole('row', { name: /Shop notifications/ });
    await expect(row.locator('.last-used')).toHaveText('Never');
    await expect(row).toContainText('Active');

    const used = await callApi('/session', key);
    expect(used.status).toBe(200);
    // No Refresh: the list follows the key's use as it happens.
    await expect(row.locator('.last-used')).toHaveText('just now');
    const howToUse = page.getByRole('button', { name: 'How to use Shop notifications' });
    await howToUse.click();
    await expect(page.locator('.example-row pre')).toContainText(`Authorization: Bearer ${key}'`);
    await page.locator('.example-row pre').focus();
    await page.keyboard.press('Escape');
    await expect(page.locator('.example-row')).toHaveCount(0);
    await expect(howToUse).toBeFocused();
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await expect(page.getByLabel('New API key')).toHaveCount(0);
    await expect(page.getByText(key)).toHaveCount(0);
    await howToUse.click();
    await expect(page.locator('.example-row pre')).toContainText(`Authorization: Bearer ${key.slice(0, 11)}_…`);
    await shoot(page, '04-keys-list');
  });

  await test.step('the keys screen works from the keyboard alone', async () => {
    await page.getByRole('heading', { level: 1, name: 'API keys' }).focus();
    await tabTo(page, page.getByLabel('Name'));
    await page.keyboard.type('Keyboard key');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Expires')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Create key' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByLabel('New API key')).toHaveValue(/^wg_/);
    await tabTo(page, page.getByRole('button', { name: 'I have saved it' }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('button', { name: 'Revoke Keyboard key' }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Revoke “Keyboard key”?' });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('row', { name: /Keyboard key/ })).toContainText('Active');
  });

  await test.step('a bad number is refused as you type, and no request goes out', async () => {
    await openScreen(page, 'Send a message');
    const sends: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/chats/')) sends.push(request.url());
    });
    const to = page.getByLabel('To', { exact: true });
    await to.fill('+1 555 abc');
    await expect(page.getByText('A phone number can only have digits')).toBeVisible();
    await expect(to).toHaveAttribute('aria-invalid', 'true');
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('This must not be sent');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await to.fill('555 12');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(page.getByText('Too short: write the whole number with its country code')).toBeVisible();
    await expect(to).toBeFocused();
    await shoot(page, '05-send-invalid');
    expect(sends).toEqual([]);
  });

  await test.step('a message sent from the form reaches the virtual contact', async () => {
    const text = `Hello from the dashboard ${Date.now()}`;
    await page.getByLabel('To', { exact: true }).fill('+1 555-000-1111');
    await expect(page.getByText(`Will send to +${ALICE}`)).toBeVisible();
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
    await expect(page.getByText(`${text.length} / 65,536 characters`)).toBeVisible();
    await expect(page.getByLabel(/Show “typing…” before sending/)).toBeChecked();
    await expect(page.getByLabel('Appear online while sending')).toBeChecked();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(shown(page, new RegExp(`^Sent to \\+${ALICE} at `))).toBeVisible({ timeout: 30_000 });
    const recent = page.getByRole('region', { name: 'Recent messages' });
    await expect(recent.getByRole('row', { name: new RegExp(text) })).toBeVisible();

    const inbox = await callApi(`/sandbox/contacts/${ALICE}/inbox`, key);
    expect(inbox.status).toBe(200);
    expect(JSON.stringify(inbox.body.data)).toContain(text);
    await shoot(page, '06-send-done');
  });

  await test.step('a reply with both simulations off quotes the first message and shows no typing', async () => {
    const firstId = await page.locator('.outcome code').textContent();
    expect(firstId).toBeTruthy();
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('A quick reply');
    const first = page.getByRole('region', { name: 'Recent messages' }).getByRole('row').filter({ hasText: firstId! });
    await first.getByRole('button', { name: /^Reply to/ }).click();
    await page.getByLabel(/Show “typing…” before sending/).uncheck();
    await page.getByLabel('Appear online while sending').uncheck();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(shown(page, new RegExp(`^Sent to \\+${ALICE} at `))).toBeVisible({ timeout: 30_000 });
    const inbox = (await callApi(`/sandbox/contacts/${ALICE}/inbox`, key)).body.data as {
      text: string;
      quoted_message_id: string | null;
      before: { value: string }[];
    }[];
    const reply = inbox.find((entry) => entry.text === 'A quick reply');
    expect(reply?.quoted_message_id).toBe(firstId);
    // The first message's closing "unavailable" comes before this one too; this send itself adds no presence or typing.
    expect(reply?.before.map((frame) => frame.value)).not.toContain('composing');
    expect(reply?.before.map((frame) => frame.value)).not.toContain('available');
    await page.getByLabel(/Show “typing…” before sending/).check();
    await page.getByLabel('Appear online while sending').check();
  });

  await test.step('an error from the API is shown in its own words', async () => {
    await page.getByLabel('To', { exact: true }).fill('+1 555 000 3333');
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Carol is not on WhatsApp');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Not sent: Number is not on WhatsApp' })).toBeVisible({
      timeout: 30_000,
    });
    await shoot(page, '07-send-error');
  });

  await test.step('a group picked by name gets the message, and the virtual phone shows its groups', async () => {
    await page.getByLabel('Or a group').selectOption({ label: 'Family (4 members)' });
    await expect(page.getByLabel('To', { exact: true })).toHaveValue('120363000000000001@g.us');
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Hello, family');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(shown(page, /^Sent to 120363000000000001@g\.us at /)).toBeVisible({ timeout: 30_000 });
    const inbox = (await callApi('/sandbox/groups/120363000000000001@g.us/inbox', key)).body.data as { text: string }[];
    expect(inbox.map((entry) => entry.text)).toContain('Hello, family');
    await openScreen(page, 'Virtual phone');
    const groups = page.getByRole('list', { name: 'Sandbox groups' });
    await expect(groups).toContainText('Family');
    await expect(groups).toContainText('Neighbours');
    await expect(groups).toContainText('the phone is not in this group');
    await openScreen(page, 'Send a message');
  });

  await test.step('the virtual phone shows what the contact received', async () => {
    await openScreen(page, 'Virtual phone');
    await expect(page.getByRole('list', { name: 'Messages Alice received' })).toContainText('Hello from the dashboard');
    await shoot(page, '08-virtual-phone');
  });

  await test.step('a revoked key is refused', async () => {
    await openScreen(page, 'API keys');
    await page.getByRole('button', { name: 'Revoke Shop notifications' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “Shop notifications”?' });
    await expect(dialog).toBeVisible();
    await shoot(page, '09-keys-revoke-confirm');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await expect(page.getByRole('row', { name: /Shop notifications/ })).toContainText('Revoked');
    const refused = await callApi('/session', key);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('API key revoked');
    await shoot(page, '10-keys-revoked');
  });

  await test.step('logging out brings the QR code back', async () => {
    await openScreen(page, 'Phone link');
    await page.getByRole('button', { name: 'Unlink this phone' }).click();
    const dialog = page.getByRole('dialog', { name: 'Unlink this phone from WaGate?' });
    await dialog.getByRole('button', { name: 'Unlink', exact: true }).click();
    await expect(page.getByRole('img', { name: 'QR code for linking WhatsApp to WaGate' })).toBeVisible({
      timeout: 30_000,
    });
    await expect(page.getByRole('status', { name: 'WhatsApp: Not linked' })).toBeVisible();
    await expect(shown(page, 'This phone was unlinked from WaGate. Link with the new code below.')).toBeVisible();
    await shoot(page, '11-pairing-after-logout');
  });

  await test.step('the phone number and code the page shows link the phone instead of the QR', async () => {
    await page.getByRole('button', { name: 'Link with phone number instead' }).click();
    await page.getByLabel('Your WhatsApp phone number').fill('+1 555 999 0000');
    await page.getByRole('button', { name: 'Get a code' }).click();
    const code = page.locator('.pairing-code .code');
    await expect(code).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await expect(page.getByText('Link with phone number instead', { exact: true })).toBeVisible();
    await shoot(page, '12-pairing-code');
    // The virtual phone types the code the page shows, as a person would on their phone.
    const typed = await page.evaluate(
      async (shown) => {
        const res = await fetch('/sandbox/phone/pairing-code', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ code: shown }),
        });
        return res.status;
      },
      await code.innerText(),
    );
    expect(typed).toBe(200);
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
  });

  await test.step('after logging out again, the sandbox button links the virtual phone', async () => {
    await page.getByRole('button', { name: 'Unlink this phone' }).click();
    await page
      .getByRole('dialog', { name: 'Unlink this phone from WaGate?' })
      .getByRole('button', { name: 'Unlink', exact: true })
      .click();
    await page.getByRole('button', { name: 'Scan with virtual phone' }).click();
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
  });

  await test.step('a dropped connection is explained, and clears by itself', async () => {
    await injectFault(page, { kind: 'refuse', duration_ms: 6000 });
    await injectFault(page, { kind: 'drop' });
    await expect(shown(page, 'Reconnecting to WhatsApp…')).toBeVisible();
    await expect(shown(page, /WaGate reconnects by itself/)).toBeVisible();
    await expect(page.getByRole('status', { name: 'WhatsApp: Reconnecting' })).toBeVisible();
    await shoot(page, '13-pairing-reconnecting');
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
    await expect(shown(page, /^Reconnected (once|\d+ times) today; last: .+ \(/)).toBeVisible();
  });

  await test.step('unlinking from the phone is explained, with a new QR code', async () => {
    await openScreen(page, 'Virtual phone');
    await page.getByRole('button', { name: 'Unlink WaGate from the phone' }).click();
    await openScreen(page, 'Phone link');
    await expect(shown(page, 'The phone unlinked this device (logged out). Link with the new code below.')).toBeVisible(
      { timeout: 30_000 },
    );
    await expect(page.getByRole('img', { name: 'QR code for linking WhatsApp to WaGate' })).toBeVisible();
    await shoot(page, '14-pairing-unlinked');
    await page.getByRole('button', { name: 'Scan with virtual phone' }).click();
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
  });

  await test.step('dark mode follows the system', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, '15-pairing-dark');
    await openScreen(page, 'API keys');
    await shoot(page, '16-keys-dark');
    await openScreen(page, 'Send a message');
    await shoot(page, '17-send-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('a narrow window still shows everything', async () => {
    await page.setViewportSize({ width: 480, height: 900 });
    await openScreen(page, 'API keys');
    await shoot(page, '21-keys-narrow');
    await openScreen(page, 'Phone link');
    await shoot(page, '22-pairing-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await test.step('another session taking over is explained', async () => {
    await openScreen(page, 'Phone link');
    await injectFault(page, { kind: 'replaced' });
    await expect(shown(page, 'Another WhatsApp Web session took over this link, so WaGate stopped.')).toBeVisible({
      timeout: 30_000,
    });
    await expect(page.getByRole('status', { name: 'WhatsApp: Stopped' })).toBeVisible();
    await shoot(page, '18-pairing-replaced');
  });
});

test('without the login cookie the page says how to get in', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${served().apiUrl}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Open WaGate from its link' })).toBeVisible();
  await expect(page.getByText('npx wagate dashboard')).toBeVisible();
  await shoot(page, '19-signed-out');
  await context.close();
});

test('inside the desktop app, a moved port and a missing keyring are said on every screen', async ({ page }) => {
  await page.addInitScript(() => {
    // What electron/preload.ts exposes; the shell itself is tested in test/electron.
    Object.defineProperty(window, 'wagateDesktop', {
      value: {
        getInfo: async () => ({
          version: '0.1.0',
          platform: 'linux',
          credentialProtection: {
            protectedByOs: false,
            backend: 'basic_text',
            summary: 'This system has no keyring for WaGate.',
          },
          portNotice: 'Port 7001 was taken, so WaGate now answers on port 7002.',
        }),
      },
    });
  });
  await page.goto(await served().freshLoginUrl());
  await expect(page.getByRole('heading', { level: 1, name: 'Phone link' })).toBeVisible();
  await expect(page.getByText('Port 7001 was taken, so WaGate now answers on port 7002.')).toBeVisible();
  await expect(page.getByText('This system has no keyring for WaGate.')).toBeVisible();
  await shoot(page, '20-desktop-notices');
});

test('a login link works once, signing out ends the session, and a used link sends the user to a fresh one', async ({
  browser,
}) => {
  const link = await served().freshLoginUrl();
  const first = await browser.newContext();
  const firstPage = await first.newPage();
  await firstPage.goto(link);
  await expect(firstPage.getByRole('heading', { level: 1, name: 'Phone link' })).toBeVisible();
  await firstPage.getByRole('button', { name: 'Sign out' }).click();
  await expect(firstPage.getByRole('status').filter({ hasText: 'You signed out of the dashboard.' })).toBeVisible();
  await expect(firstPage.getByText('npx wagate dashboard')).toBeVisible();
  await expect(firstPage.getByRole('link', { name: 'Phone link' })).toHaveCount(0);
  await firstPage.reload();
  await expect(firstPage.getByRole('link', { name: 'Phone link' })).toHaveCount(0);
  await shoot(firstPage, '23-signed-out-by-user');
  await first.close();

  const second = await browser.newContext();
  const secondPage = await second.newPage();
  await secondPage.goto(link);
  await expect(secondPage.getByText(/already used or is too old/)).toBeVisible();
  await expect(secondPage.getByText('npx wagate dashboard')).toBeVisible();
  await expect(secondPage.getByRole('link', { name: 'Phone link' })).toHaveCount(0);
  await second.close();
});
