import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { shown } from './dashboard-states.ts';
import { serveSandbox, type ServedWagate } from './wagate-process.ts';
import { ALICE } from '../support/contacts.ts';
import { Webhook } from 'standardwebhooks';

const SCREENS = 'test-results/screens';

interface Received {
  headers: Record<string, string>;
  body: Buffer;
}

/** A real HTTP server on 127.0.0.1 that records every request and answers with `status` (and `text`). */
interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

async function startReceiver(status: number, text = ''): Promise<Receiver> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
      requests.push({ headers, body: Buffer.concat(chunks) });
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wagate`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Checked by Standard Webhooks' own library, as a receiver would: true when it takes the delivery. */
function signatureValid(secret: string, request: Received, body: Buffer = request.body): boolean {
  try {
    new Webhook(secret).verify(body, request.headers);
    return true;
  } catch {
    return false;
  }
}

let wagate: ServedWagate;
let receiver: Receiver;
let broken: Receiver;

test.beforeAll(async () => {
  wagate = await serveSandbox();
  receiver = await startReceiver(204);
  broken = await startReceiver(503, 'down for maintenance');
});

test.afterAll(async () => {
  await wagate?.stop();
  await receiver?.close();
  await broken?.close();
});

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENS}/${name}.png`, fullPage: true });
}

async function openScreen(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const controls = page.locator('input, select, textarea, button, a[href], summary');
  for (let i = 0; i < (await controls.count()); i++) {
    const control = controls.nth(i);
    if (await control.isVisible()) await expect(control).toHaveAccessibleName(/\S/);
  }
}

/** Alice writes to WaGate from the Virtual phone screen, as a user trying the sandbox would. */
async function aliceWrites(page: Page, text: string): Promise<void> {
  await openScreen(page, 'Virtual phone');
  await page.getByLabel('Contact', { exact: true }).selectOption({ label: `Alice (+${ALICE})` });
  await page.getByLabel('Write to WaGate as Alice').fill(text);
  await page.getByRole('button', { name: 'Send as Alice' }).click();
  await expect(shown(page, 'Alice sent it.', { exact: false })).toBeVisible({ timeout: 30_000 });
}

/** The request the receiver got whose body holds `text`; fails after 30 s. */
async function waitForDelivery(target: Receiver, text: string): Promise<Received> {
  await expect
    .poll(() => target.requests.some((r) => r.body.toString('utf8').includes(text)), { timeout: 30_000 })
    .toBe(true);
  return target.requests.find((r) => r.body.toString('utf8').includes(text))!;
}

test('a webhook is added from the dashboard, gets a signed event, shows its log and is removed', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);

  await test.step('log in and link the virtual phone', async () => {
    await page.goto(wagate.loginUrl);
    await expect(page.getByRole('heading', { level: 1, name: 'Phone link' })).toBeVisible();
    await page.getByRole('button', { name: 'Scan with virtual phone' }).click();
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
  });

  await test.step('the screen opens from its address too', async () => {
    await page.goto(`${wagate.apiUrl}/webhooks`);
    await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
    await expect(page.getByText('No webhooks yet.')).toBeVisible();
    await openScreen(page, 'Webhooks');
    await shoot(page, 'webhooks-01-empty');
  });

  await test.step('a bad URL is refused in the API’s own words', async () => {
    await page.getByLabel('Receiver URL').fill('ftp://127.0.0.1/hook');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await expect(
      page.getByRole('alert').filter({ hasText: 'Could not add the webhook: URL must start with http:// or https://' }),
    ).toBeVisible();
    await page.getByLabel('Receiver URL').fill('http://someone:password@127.0.0.1/hook');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await expect(
      page.getByRole('alert').filter({ hasText: 'URL must not contain a user name or password' }),
    ).toBeVisible();
    await expect(page.getByLabel('Receiver URL')).toHaveAttribute('aria-invalid', 'true');
    await shoot(page, 'webhooks-02-bad-url');
  });

  let secret = '';
  await test.step('the new webhook’s secret is shown once, with Copy', async () => {
    await page.getByLabel('Receiver URL').fill(receiver.url);
    await expect(page.getByLabel(/A message arrives/)).toBeChecked();
    await page.getByLabel(/A sent message is delivered, read or fails/).uncheck();
    await page.getByLabel(/The link to WhatsApp changes/).uncheck();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await expect(shown(page, 'this is the only time WaGate shows it')).toBeVisible();
    secret = await page.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await expect(shown(page, 'Copied', { exact: true })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const hook = page.getByRole('article', { name: receiver.url });
    await expect(hook).toContainText('New messages');
    await expect(hook).toContainText('Active');
    await expect(hook).toContainText('No deliveries yet.');
    await shoot(page, 'webhooks-03-new-secret');
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await expect(page.getByLabel('Signing secret')).toHaveCount(0);
    await expect(page.getByText(secret)).toHaveCount(0);
  });

  const text = `Hello webhook ${Date.now()}`;
  await test.step('a message from a contact reaches the receiver, signed with that secret', async () => {
    await aliceWrites(page, text);
    const request = await waitForDelivery(receiver, text);
    expect(request.headers['wagate-event']).toBe('message.received');
    expect(request.headers['webhook-id']).toMatch(/^dlv_/);
    expect(signatureValid(secret, request)).toBe(true);
    expect(signatureValid(secret, request, Buffer.from(request.body.toString('utf8').replace('Hello', 'Hullo')))).toBe(
      false,
    );
    expect(signatureValid(`whsec_${Buffer.alloc(32).toString('base64')}`, request)).toBe(false);
    const event = JSON.parse(request.body.toString('utf8')) as { type: string; data: { text: string } };
    expect(event.type).toBe('message.received');
    expect(event.data.text).toBe(text);
  });

  await test.step('the delivery log says it was delivered', async () => {
    await openScreen(page, 'Webhooks');
    const hook = page.getByRole('article', { name: receiver.url });
    const row = hook.getByRole('row', { name: /message\.received/ });
    // No Refresh: the screen follows the delivery's event.
    await expect(row.first()).toContainText('Delivered', { timeout: 30_000 });
    await expect(row.first().locator('td[data-label="What happened"]')).toHaveText(
      'The receiver accepted it (HTTP 204).',
    );
    await expect(row.first().locator('td[data-label="Tries"]')).toHaveText('1');
    await shoot(page, 'webhooks-04-delivered');
  });

  await test.step('a failing receiver: the log shows the error and when it is retried', async () => {
    await page.getByLabel('Receiver URL').fill(broken.url);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await expect(page.getByLabel('Signing secret')).toHaveValue(/^whsec_/);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    const hook = page.getByRole('article', { name: broken.url });
    await expect(hook).toContainText('All events');

    await aliceWrites(page, `Anyone there? ${Date.now()}`);
    await waitForDelivery(broken, 'Anyone there?');
    await openScreen(page, 'Webhooks');
    await expect(hook.getByRole('row', { name: /message\.received/ }).first()).toContainText('Failed', {
      timeout: 30_000,
    });
    const row = hook.getByRole('row', { name: /message\.received/ }).first();
    await expect(row).toContainText('Last error: HTTP 503: down for maintenance.');
    await expect(row).toContainText(/Next try (in less than a minute|in \d+ minutes?), at /);
    await expect(hook.getByText('The receiver is not answering properly.')).toBeVisible();
    await expect(hook.locator('.status.failing')).toHaveText('Failing');
    await expect(hook.getByText('Active', { exact: true })).toHaveCount(0);
    await expect(hook).toContainText(/\d+ failed tr(y|ies) in a row/);
    await shoot(page, 'webhooks-05-failing');
  });

  await test.step('a paused webhook says so plainly, with Resume', async () => {
    // Pausing takes a day of failures (the dispatcher's own tests cover it); here the real list is shown as paused.
    await page.route('**/admin/webhooks', async (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      const response = await route.fetch();
      const envelope = (await response.json()) as {
        data: { url: string; status: string; paused_reason: string | null; paused_at: number | null }[];
      };
      for (const hook of envelope.data) {
        if (hook.url !== broken.url) continue;
        hook.status = 'paused';
        hook.paused_at = Math.floor(Date.now() / 1000); // Unix seconds, as the API says it
        hook.paused_reason = 'failed 15 times in a row over 24 h; resume it once the receiver works';
      }
      await route.fulfill({ response, json: envelope });
    });
    await openScreen(page, 'Outbox');
    await openScreen(page, 'Webhooks');
    const hook = page.getByRole('article', { name: broken.url });
    await expect(hook.getByText('Paused: the receiver failed for a day. Fix it, then Resume.')).toBeVisible();
    await expect(hook.getByRole('button', { name: `Resume the webhook for ${broken.url}` })).toBeVisible();
    await expect(hook.getByRole('row', { name: /message\.received/ }).first()).toContainText(
      'It is sent when you resume the webhook.',
    );
    await shoot(page, 'webhooks-06-paused');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'webhooks-07-paused-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.unroute('**/admin/webhooks');
    await openScreen(page, 'Outbox');
    await openScreen(page, 'Webhooks');
    await expect(hook.getByText('Paused: the receiver failed for a day.', { exact: false })).toHaveCount(0);
  });

  await test.step('how to verify the signature is one click away', async () => {
    await page.getByText('How the receiving program checks the signature').click();
    await expect(page.getByText('webhook-signature', { exact: true })).toBeVisible();
    await expect(page.getByText(/any Standard Webhooks library checks them/)).toBeVisible();
    await expect(page.getByText(/more than 5 minutes off/)).toBeVisible();
    await expect(page.getByText(/answer any 2xx within 10 seconds;/)).toBeVisible();
    await expect(page.getByRole('link', { name: 'WaGate’s API documentation' })).toHaveAttribute('href', '/docs');
  });

  await test.step('removing asks first; Cancel keeps it, confirming removes it', async () => {
    await page.getByRole('button', { name: `Remove the webhook for ${broken.url}` }).click();
    const dialog = page.getByRole('dialog', { name: `Remove the webhook for ${broken.url}?` });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await shoot(page, 'webhooks-08-remove-confirm');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('article', { name: broken.url })).toBeVisible();

    await page.getByRole('button', { name: `Remove the webhook for ${broken.url}` }).click();
    await dialog.getByRole('button', { name: 'Remove webhook' }).click();
    await expect(page.getByRole('article', { name: broken.url })).toHaveCount(0);
    await expect(page.getByRole('article', { name: receiver.url })).toBeVisible();
    const listed = await page.evaluate(async () =>
      ((await (await fetch('/admin/webhooks')).json()) as { data: { url: string }[] }).data.map((h) => h.url),
    );
    expect(listed).toEqual([receiver.url]);
  });

  await test.step('the form works from the keyboard alone', async () => {
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).focus();
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Receiver URL')).toBeFocused();
    await page.keyboard.type('http://127.0.0.1:9/keyboard');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel(/A message arrives/)).toBeFocused();
    await expect(page.getByLabel(/A message arrives/)).toBeChecked();
    await page.keyboard.press('Space');
    await expect(page.getByLabel(/A message arrives/)).not.toBeChecked();
    await page.keyboard.press('Space');
    await expect(page.getByLabel(/A message arrives/)).toBeChecked();
    // One Tab past each of the other event boxes (as many as the contract names), then the button.
    const boxes = await page.getByRole('group', { name: 'Send when' }).getByRole('checkbox').count();
    for (let i = 0; i < boxes; i++) await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Add webhook' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByLabel('Signing secret')).toHaveValue(/^whsec_/);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await page.getByRole('button', { name: 'Remove the webhook for http://127.0.0.1:9/keyboard' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove webhook' }).click();
    await expect(page.getByRole('article', { name: 'http://127.0.0.1:9/keyboard' })).toHaveCount(0);
  });

  await test.step('dark and narrow', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'webhooks-09-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 480, height: 900 });
    await shoot(page, 'webhooks-10-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
