import { createHash } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { openScreen, shown } from './dashboard-states.ts';
import { serveSandbox, type ServedWagate } from './wagate-process.ts';
import { dashboardCaller, shoot } from './spec-kit.ts';
import { ALICE } from '../support/contacts.ts';
import { imageFile, pdfFile } from '../support/media-files.ts';
import type { InboxEntry } from '../../server/contract/sandbox.ts';

let wagate: ServedWagate;

// Chromium's stand-in microphone (a tone) and no permission prompt, for recording a voice note.
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  },
  permissions: ['microphone'],
});

test.beforeAll(async () => {
  wagate = await serveSandbox();
});

test.afterAll(async () => {
  await wagate?.stop();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const call = dashboardCaller(() => wagate);

/** The bytes behind a link of the page, fetched with the dashboard's session. */
async function download(page: Page, href: string): Promise<Buffer> {
  const res = await page.request.get(`${wagate.apiUrl}${href}`, {
    headers: { origin: wagate.apiUrl, 'sec-fetch-site': 'same-origin' },
  });
  expect(res.status()).toBe(200);
  return res.body();
}

const recentRow = (page: Page, text: string) =>
  page.getByRole('region', { name: 'Recent messages' }).getByRole('row').filter({ hasText: text });

/** A thumbnail's width once the browser has loaded it (0 while it has not, or could not). */
const loadedWidth = (page: Page, text: string) =>
  recentRow(page, text)
    .locator('img.thumb')
    .evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0));

/** What the virtual contact received, once `find` finds it there. */
async function receivedBy(page: Page, number: string, find: (entry: InboxEntry) => boolean): Promise<InboxEntry> {
  let found: InboxEntry | undefined;
  await expect
    .poll(async () => {
      found = ((await call(page, 'GET', `/sandbox/contacts/${number}/inbox`)) as InboxEntry[]).find(find);
      return found !== undefined;
    })
    .toBe(true);
  return found!;
}

/** Drops a file on `selector` as a person dragging it from their file manager would. */
async function dropFile(page: Page, selector: string, file: { name: string; type: string; bytes: Buffer }) {
  const dataTransfer = await page.evaluateHandle(
    ({ name, type, base64 }) => {
      const transfer = new DataTransfer();
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type }));
      return transfer;
    },
    { name: file.name, type: file.type, base64: file.bytes.toString('base64') },
  );
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer });
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

const sent = (page: Page) => shown(page, new RegExp(`^Sent to \\+${ALICE} at `));

test('a file attached on the Send screen is previewed, sent, and arrives at the virtual contact whole', async ({
  page,
}) => {
  const photo = await imageFile('image/png', 96, 64);
  const invoice = pdfFile(3000);

  await test.step('log in and link the virtual phone', async () => {
    await page.goto(wagate.loginUrl);
    await page.getByRole('button', { name: 'Scan with virtual phone' }).click();
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
    await openScreen(page, 'Send a message');
    await page.getByLabel('To', { exact: true }).fill(`+${ALICE}`);
  });

  await test.step('a picture picked with "Attach a file…" is previewed with its size and the limit', async () => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach a file…' }).click();
    await (await chooser).setFiles({ name: 'blue.png', mimeType: 'image/png', buffer: photo });
    const preview = page.getByRole('figure', { name: 'Attached: blue.png' });
    const thumbnail = preview.getByRole('img', { name: 'Preview of blue.png' });
    await expect(thumbnail).toBeVisible();
    expect(await thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(96);
    await expect(preview).toContainText('image/png');
    await expect(preview.getByLabel('Send as')).toHaveValue('image');
    await expect(preview).toContainText('WhatsApp takes a photo of up to 16 MB.');
    await page.getByRole('textbox', { name: 'Caption (optional)' }).fill('The blue one');
    await shoot(page, 'media-01-preview');
  });

  await test.step('sent, the contact decrypts exactly those bytes, with the caption', async () => {
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(sent(page)).toBeVisible({ timeout: 60_000 });
    await expect(page.getByRole('figure', { name: 'Attached: blue.png' })).toHaveCount(0);
    const entry = await receivedBy(page, ALICE, (e) => e.kind === 'image');
    expect(entry.caption).toBe('The blue one');
    expect(entry.media?.sha256).toBe(sha256(photo));
    expect(entry.media?.mime_type).toBe('image/png');
  });

  await test.step('the list shows the photo with its thumbnail and a download of the same bytes', async () => {
    await expect.poll(() => loadedWidth(page, 'The blue one')).toBe(96);
    const href = await recentRow(page, 'The blue one')
      .getByRole('link', { name: 'Download Photo' })
      .getAttribute('href');
    expect(sha256(await download(page, href!))).toBe(sha256(photo));
  });

  await test.step('a photo a contact sends shows in the list, and downloads whole', async () => {
    const fromAlice = await imageFile('image/jpeg', 80, 60, 0xcc3333ff);
    await call(page, 'POST', `/sandbox/contacts/${ALICE}/media`, {
      kind: 'image',
      base64: fromAlice.toString('base64'),
      mime_type: 'image/jpeg',
      caption: 'A red one, from Alice',
    });
    const row = recentRow(page, 'A red one, from Alice');
    await expect(row).toContainText(`From +${ALICE}`);
    await expect.poll(() => loadedWidth(page, 'A red one, from Alice')).toBe(80);
    const href = await row.getByRole('link', { name: 'Download Photo' }).getAttribute('href');
    expect(sha256(await download(page, href!))).toBe(sha256(fromAlice));
    await shoot(page, 'media-04-list');
  });

  await test.step('a PDF dropped on the form goes as a document, its name kept', async () => {
    await dropFile(page, 'form.send-form', { name: 'invoice.pdf', type: 'application/pdf', bytes: invoice });
    const preview = page.getByRole('figure', { name: 'Attached: invoice.pdf' });
    await expect(preview).toContainText('application/pdf, 3 KB');
    await expect(preview.getByLabel('Send as')).toHaveValue('document');
    await expect(preview.getByRole('img')).toHaveCount(0);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(sent(page)).toBeVisible({ timeout: 60_000 });
    const entry = await receivedBy(page, ALICE, (e) => e.kind === 'document');
    expect(entry.media?.file_name).toBe('invoice.pdf');
    expect(entry.media?.sha256).toBe(sha256(invoice));
  });

  await test.step('a picture over the limit says so before anything is sent, and can go as a document', async () => {
    const requests: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/media')) requests.push(request.url());
    });
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach a file…' }).click();
    await (
      await chooser
    ).setFiles({ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(17 * 1024 * 1024) });
    const kind = page.getByLabel('Send as');
    await expect(kind).toHaveAttribute('aria-invalid', 'true');
    await expect(
      shown(
        page,
        'This file is 17 MB: WhatsApp takes a photo of up to 16 MB. Send it as a document instead (up to 2 GB).',
      ),
    ).toBeVisible();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(kind).toBeFocused();
    expect(requests).toEqual([]);
    await shoot(page, 'media-02-too-big');
    await kind.selectOption('document');
    await expect(kind).toHaveAttribute('aria-invalid', 'false');
    await page.getByRole('button', { name: 'Remove huge.jpg' }).click();
    await expect(page.getByRole('button', { name: 'Attach a file…' })).toBeFocused();
  });

  await test.step('a voice note recorded in the browser arrives as a voice note', async () => {
    await page.getByRole('button', { name: 'Record a voice note' }).click();
    await expect(shown(page, /^Recording… [1-9]\d* s$/)).toBeVisible();
    await page.getByRole('button', { name: 'Stop recording' }).click();
    const preview = page.getByRole('figure', { name: 'Attached: voice-note.ogg' });
    await expect(preview.getByLabel('Send as')).toHaveValue('voice');
    await expect(page.getByRole('textbox', { name: /Caption|Message/ })).toHaveCount(0);
    await expect(shown(page, 'A voice note goes without a caption.')).toBeVisible();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(sent(page)).toBeVisible({ timeout: 60_000 });
    const entry = await receivedBy(page, ALICE, (e) => e.kind === 'voice');
    expect(entry.media?.mime_type).toMatch(/^audio\/ogg/);
    expect(entry.media?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.media?.seconds).toBeGreaterThan(0);
  });

  await test.step('the Virtual phone shows what Alice received, media included', async () => {
    await openScreen(page, 'Virtual phone');
    const inbox = page.getByRole('list', { name: 'Messages Alice received' });
    await expect(inbox).toContainText('The blue one');
    await expect(inbox).toContainText(sha256(photo));
    await expect(inbox).toContainText('invoice.pdf');
    await expect(inbox).toContainText(sha256(invoice));
    await shoot(page, 'media-03-virtual-phone');
  });
});
