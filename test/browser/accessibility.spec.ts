import AxeBuilder from '@axe-core/playwright';
import { sandboxForThisFile } from './spec-kit.ts';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { DASHBOARD_STATES, openScreen, shown } from './dashboard-states.ts';
import { ALICE } from '../support/contacts.ts';

const SCREENS = 'test-results/screens/a11y';
/** What axe checks: WCAG 2.1 A and AA, and its best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
/** 1280×900 at 200 % zoom lays out as 640×450 CSS px; 320 CSS px is WCAG 1.4.10's own width. */
const REFLOW_SIZES = [
  { label: '320px', width: 320, height: 720 },
  { label: 'zoom200', width: 640, height: 450 },
];
const DESKTOP = { width: 1280, height: 900 };

const served = sandboxForThisFile();

/** A fresh dashboard session, waiting until the live stream is up (its banner is part of no state). */
async function signIn(page: Page): Promise<void> {
  await page.goto(await served().freshLoginUrl());
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByText('Connecting to WaGate for live updates…')).toHaveCount(0);
}

async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const found = violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help}\n` +
      violation.nodes.map((node) => `    ${node.target.join(' ')}: ${node.failureSummary ?? ''}`).join('\n'),
  );
  expect(found, `axe on ${where}`).toEqual([]);
}

/**
 * Reflow (WCAG 1.4.10): the page never scrolls sideways, and no box hides or scrolls part of its content sideways
 * (text fields excepted: their value scrolls by design). Lists what breaks it.
 */
async function expectReflow(page: Page, where: string): Promise<void> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const root = document.scrollingElement!;
    if (root.scrollWidth > root.clientWidth) found.push(`the page scrolls sideways (${root.scrollWidth} px wide)`);
    const describe = (element: Element) =>
      `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}.${[...element.classList].join('.')} ` +
      `“${(element.textContent ?? '').trim().slice(0, 40)}”`;
    for (const element of document.body.querySelectorAll('*')) {
      if (element.matches('input, textarea, select, .visually-hidden *')) continue;
      if (element.closest('dialog:not([open])')) continue;
      const style = getComputedStyle(element);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const box = element.getBoundingClientRect();
      // Nothing to see: empty, or hidden for screen readers only.
      if (box.width <= 1 && box.height <= 1) continue;
      if (box.right > root.clientWidth + 1 || box.left < -1)
        found.push(`${describe(element)} sticks out of the window`);
      if (style.overflowX !== 'visible' && element.scrollWidth > element.clientWidth + 1)
        found.push(`${describe(element)} is cut off or scrolls sideways`);
    }
    return found;
  });
  expect(problems, `reflow of ${where}`).toEqual([]);
}

async function shootNarrow(page: Page, name: string): Promise<void> {
  for (const size of REFLOW_SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await expectReflow(page, `${name} at ${size.label}`);
    await page.screenshot({ path: `${SCREENS}/${name}-${size.label}.png`, fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

test('every dashboard state keeps the focus and one live region, passes axe light and dark, reflows at 320 px and 200 %', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await signIn(page);
  for (const state of DASHBOARD_STATES) {
    await test.step(state.name, async () => {
      await state.reach(page);
      // What every state keeps: the focus somewhere (never the page itself) and the screen's one live region.
      expect(await page.evaluate(() => document.activeElement !== document.body), 'focus kept').toBe(true);
      await expect(page.getByRole('main').locator('[role=status], [aria-live]')).toHaveCount(1);
      await expectNoAxeViolations(page, `${state.name} (light)`);
      await page.emulateMedia({ colorScheme: 'dark' });
      await expectNoAxeViolations(page, `${state.name} (dark)`);
      await page.emulateMedia({ colorScheme: 'light' });
      await shootNarrow(page, state.name);
    });
  }
});

test('the signed-out page passes axe, has its own title and reflows', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${served().apiUrl}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Open WaGate from its link' })).toBeVisible();
  await expect(page).toHaveTitle('Open WaGate from its link – WaGate');
  await expectNoAxeViolations(page, 'signed out');
  await shootNarrow(page, 'signed-out');
  await context.close();
});

test('each screen has its own title', async ({ page }) => {
  await signIn(page);
  const names = await page.getByRole('navigation', { name: 'Screens' }).getByRole('link').allTextContents();
  expect(names.length).toBeGreaterThan(3);
  for (const name of names) {
    await openScreen(page, name);
    await expect(page).toHaveTitle(`${name} – WaGate`);
  }
});

/**
 * What axe does not measure: each text field's border against the card around it (WCAG 1.4.11, 3:1) and its
 * placeholder against the field (4.5:1). Colours as the browser computed them, in rgb().
 */
async function fieldContrasts(page: Page): Promise<{ field: string; border: number; placeholder: number }[]> {
  return page.evaluate(() => {
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const luminance = (color: string) => {
      const [r, g, b] = rgb(color).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const ratio = (a: string, b: string) => {
      const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return Math.round(((light! + 0.05) / (dark! + 0.05)) * 100) / 100;
    };
    const backgroundOf = (element: Element | null): string => {
      for (let at = element; at; at = at.parentElement) {
        const color = getComputedStyle(at).backgroundColor;
        if (!color.startsWith('rgba(0, 0, 0, 0)') && color !== 'transparent') return color;
      }
      return 'rgb(255, 255, 255)';
    };
    return [...document.querySelectorAll('main input:not([type=checkbox]), main textarea, main select')].map(
      (field) => {
        const style = getComputedStyle(field);
        return {
          field: field.getAttribute('aria-label') ?? (field as HTMLInputElement).labels?.[0]?.textContent ?? field.id,
          border: ratio(style.borderTopColor, backgroundOf(field.parentElement)),
          placeholder: ratio(getComputedStyle(field, '::placeholder').color, backgroundOf(field)),
        };
      },
    );
  });
}

test('text-field borders and placeholders keep their contrast, light and dark', async ({ page }) => {
  await signIn(page);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const name of ['API keys', 'Send a message', 'Webhooks']) {
      await openScreen(page, name);
      const fields = await fieldContrasts(page);
      expect(fields.length, `${name} has text fields`).toBeGreaterThan(0);
      for (const field of fields) {
        expect(field.border, `${name} (${scheme}): border of “${field.field}”`).toBeGreaterThanOrEqual(3);
        expect(field.placeholder, `${name} (${scheme}): placeholder of “${field.field}”`).toBeGreaterThanOrEqual(4.5);
      }
    }
  }
});

/** Presses Tab (or Shift+Tab) until `target` has the focus, as a keyboard user would. */
async function tabTo(page: Page, target: Locator, key = 'Tab', max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${target} was not reached with ${max} presses of ${key}`);
}

/** Where the focus is, and never the page itself. */
async function expectFocusOn(page: Page, target: Locator): Promise<void> {
  await expect(target).toBeFocused();
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(false);
}

/** Confirms the open dialog from the keyboard: its safe "Cancel" has the focus, the action is one Shift+Tab back. */
async function confirmDialog(page: Page, action: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: action })).toBeFocused();
  await page.keyboard.press('Enter');
}

const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { name });
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const stateLine = (page: Page) => page.locator('.state-line');
const LINKED = 'Your phone is linked. WaGate can send messages.';

test('from the keyboard, the focus lands on what replaced the control after each action', async ({ page }) => {
  await signIn(page);
  await openScreen(page, 'Phone link');
  await expect(page.getByRole('img', { name: 'QR code for linking WhatsApp to WaGate' })).toBeVisible();

  await test.step('the skip link lands on the content', async () => {
    // The screen's heading has the focus on arrival; the skip link is the first thing on the page.
    await tabTo(page, page.getByRole('link', { name: 'Skip to content' }), 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expectFocusOn(page, page.getByRole('main'));
  });

  await test.step('"Link with phone number instead" and back: the card that replaced it', async () => {
    await tabTo(page, button(page, 'Link with phone number instead'));
    await page.keyboard.press('Enter');
    await expectFocusOn(page, heading(page, 'Link with a phone number'));
    await tabTo(page, button(page, 'Use the QR code instead'));
    await page.keyboard.press('Enter');
    await expectFocusOn(page, heading(page, 'Scan this code with your phone'));
  });

  await test.step('"Scan with virtual phone" on Phone link: the state line', async () => {
    await tabTo(page, button(page, 'Scan with virtual phone'));
    await page.keyboard.press('Enter');
    await expectFocusOn(page, stateLine(page));
    await expect(stateLine(page)).toHaveText(LINKED, { timeout: 30_000 });
    await expectFocusOn(page, stateLine(page));
  });

  await test.step('confirming Unlink: the state line', async () => {
    await tabTo(page, button(page, 'Unlink this phone'));
    await page.keyboard.press('Enter');
    await confirmDialog(page, 'Unlink');
    await expectFocusOn(page, stateLine(page));
    await expect(page.getByRole('img', { name: 'QR code for linking WhatsApp to WaGate' })).toBeVisible();
    await expectFocusOn(page, stateLine(page));
  });

  await test.step('"Scan with virtual phone" on Virtual phone: the line that says what happened', async () => {
    await openScreen(page, 'Virtual phone');
    await tabTo(page, button(page, 'Scan with virtual phone'));
    await page.keyboard.press('Enter');
    const result = shown(page, 'The virtual phone read the code. Linking…');
    await expectFocusOn(page, result);
    await expect(button(page, 'Unlink WaGate from the phone')).toBeVisible({ timeout: 30_000 });
    await expectFocusOn(page, result);
  });

  await test.step('Create key: the reveal card; "I have saved it" and Revoke: the list', async () => {
    await openScreen(page, 'API keys');
    await tabTo(page, page.getByLabel('Name', { exact: true }));
    await page.keyboard.type('Keyboard key');
    await tabTo(page, button(page, 'Create key'));
    await page.keyboard.press('Enter');
    await expectFocusOn(page, heading(page, 'Your new key “Keyboard key”'));
    await tabTo(page, button(page, 'I have saved it'));
    await page.keyboard.press('Enter');
    await expectFocusOn(page, heading(page, 'Your keys'));
    await tabTo(page, button(page, 'Revoke Keyboard key'));
    await page.keyboard.press('Enter');
    await confirmDialog(page, 'Revoke key');
    await expect(page.getByRole('row', { name: /Keyboard key/ })).toContainText('Revoked');
    await expectFocusOn(page, heading(page, 'Your keys'));
  });

  await test.step('Send keeps the focus on Send, busy or not', async () => {
    await openScreen(page, 'Send a message');
    await tabTo(page, page.getByLabel('To', { exact: true }));
    await page.keyboard.type(`+${ALICE}`);
    await tabTo(page, page.getByRole('textbox', { name: 'Message', exact: true }));
    await page.keyboard.type('Sent from the keyboard');
    const send = button(page, 'Send');
    const sending = button(page, 'Sending…');
    await tabTo(page, send);
    await page.keyboard.press('Enter');
    await expect(sending).toHaveAttribute('aria-disabled', 'true');
    await expectFocusOn(page, sending);
    // The busy label is the only sign of progress: it is not dimmed.
    await expect(sending).toHaveCSS('opacity', '1');
    await expect(page.locator('.outcome')).toContainText(`Sent to +${ALICE}`, { timeout: 30_000 });
    await expectFocusOn(page, send);
  });

  await test.step('Add webhook: the reveal card; "I have saved it" and Remove: the list', async () => {
    await openScreen(page, 'Webhooks');
    await tabTo(page, page.getByLabel('Receiver URL'));
    await page.keyboard.type('http://127.0.0.1:9/keyboard');
    await tabTo(page, button(page, 'Add webhook'));
    await page.keyboard.press('Enter');
    await expectFocusOn(page, heading(page, 'Webhook added for http://127.0.0.1:9/keyboard'));
    await tabTo(page, button(page, 'I have saved it'));
    await page.keyboard.press('Enter');
    await expectFocusOn(page, heading(page, 'Your webhooks'));
    await tabTo(page, button(page, 'Remove the webhook for http://127.0.0.1:9/keyboard'));
    await page.keyboard.press('Enter');
    await confirmDialog(page, 'Remove webhook');
    await expect(page.getByText('No webhooks yet.')).toBeVisible();
    await expectFocusOn(page, heading(page, 'Your webhooks'));
  });

  await test.step('"Send as" keeps the focus on its button', async () => {
    await openScreen(page, 'Virtual phone');
    await tabTo(page, page.getByLabel('Write to WaGate as Alice'));
    await page.keyboard.type('Typed as Alice');
    await tabTo(page, button(page, 'Send as Alice'));
    await page.keyboard.press('Enter');
    await expect(shown(page, /^Alice sent it\./)).toBeVisible();
    await expectFocusOn(page, button(page, 'Send as Alice'));
  });
});

test('errors are tied to their fields', async ({ page }) => {
  await signIn(page);

  await test.step('Create key without a name', async () => {
    await openScreen(page, 'API keys');
    const name = page.getByLabel('Name', { exact: true });
    await expect(name).toHaveAttribute('aria-invalid', 'false');
    await button(page, 'Create key').click();
    await expectFocusOn(page, name);
    await expect(name).toHaveAttribute('aria-invalid', 'true');
    await expect(name).toHaveAccessibleDescription(/Give the key a name first\./);
    await name.fill('Named now');
    await button(page, 'Create key').click();
    await expect(heading(page, 'Your new key “Named now”')).toBeVisible();
    await button(page, 'I have saved it').click();
  });

  await test.step('the pairing-code phone number, empty and refused by WaGate', async () => {
    await openScreen(page, 'Phone link');
    await page.evaluate(() => fetch('/session/logout', { method: 'POST' }));
    await button(page, 'Link with phone number instead').click();
    const number = page.getByLabel('Your WhatsApp phone number');
    await button(page, 'Get a code').click();
    await expectFocusOn(page, number);
    await expect(number).toHaveAttribute('aria-invalid', 'true');
    await expect(number).toHaveAccessibleDescription(/Write your phone number first\./);
    await number.fill('12');
    await button(page, 'Get a code').click();
    await expect(number).toHaveAccessibleDescription(/phone number with country code/);
    await expect(number).toHaveAttribute('aria-invalid', 'true');
    await button(page, 'Use the QR code instead').click();
  });
});

/** The screen's one live region: always in the page, never `display: none`, even while it has nothing to say. */
async function liveRegion(page: Page): Promise<Locator> {
  const regions = page.getByRole('main').locator('[role=status], [role=alert], [aria-live]');
  await expect(regions).toHaveCount(1);
  const region = regions.first();
  expect(await region.evaluate((element) => getComputedStyle(element).display)).not.toBe('none');
  return region;
}

test('outcomes are announced in the screen’s one live region', async ({ page }) => {
  await signIn(page);
  await openScreen(page, 'Phone link');
  if (await button(page, 'Scan with virtual phone').isVisible()) await button(page, 'Scan with virtual phone').click();
  await expect(stateLine(page)).toHaveText(LINKED, { timeout: 30_000 });

  await test.step('key created, key revoked', async () => {
    await openScreen(page, 'API keys');
    const region = await liveRegion(page);
    await expect(region).toHaveText('');
    await page.getByLabel('Name', { exact: true }).fill('Announced key');
    await button(page, 'Create key').click();
    await expect(region).toHaveText(/^Key “Announced key” created\. Copy it now/);
    await button(page, 'I have saved it').click();
    await button(page, 'Revoke Announced key').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await expect(region).toHaveText(/^Key “Announced key” revoked\./);
    await expect(await liveRegion(page)).toBeAttached();
  });

  await test.step('"Sent to …"', async () => {
    await openScreen(page, 'Send a message');
    const region = await liveRegion(page);
    await expect(region).toHaveText('');
    await page.getByLabel('To', { exact: true }).fill(`+${ALICE}`);
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Announced message');
    await page.getByLabel(/Show “typing…” before sending/).uncheck();
    await button(page, 'Send').click();
    await expect(region).toHaveText(new RegExp(`^Sent to \\+${ALICE} at .+\\. Message ID: \\S+`), { timeout: 30_000 });
    const id = await page.locator('.outcome code').textContent();
    await expect(region).toContainText(id!);
  });

  await test.step('webhook added, webhook removed', async () => {
    await openScreen(page, 'Webhooks');
    const region = await liveRegion(page);
    await expect(region).toHaveText('');
    await page.getByLabel('Receiver URL').fill('http://127.0.0.1:9/announced');
    await button(page, 'Add webhook').click();
    await expect(region).toHaveText(/^Webhook for http:\/\/127\.0\.0\.1:9\/announced added\./);
    await button(page, 'I have saved it').click();
    await button(page, 'Remove the webhook for http://127.0.0.1:9/announced').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove webhook' }).click();
    await expect(region).toHaveText(/^Webhook for http:\/\/127\.0\.0\.1:9\/announced removed\./);
  });

  await test.step('a change of the WhatsApp link, on Phone link', async () => {
    await openScreen(page, 'Phone link');
    const region = await liveRegion(page);
    await button(page, 'Unlink this phone').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Unlink', exact: true }).click();
    await expect(region).toContainText('This phone was unlinked from WaGate.', { timeout: 30_000 });
  });
});

test.describe('/docs', () => {
  // Swagger UI has no dark theme of its own: the dark pass checks that the system's dark mode breaks nothing.
  test('the API documentation passes axe, expanded, trying an operation and answered, light and dark', async ({
    page,
  }) => {
    await page.goto(`${served().apiUrl}/docs/`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectNoAxeViolations(page, '/docs');
    const operation = page.locator('.opblock').filter({ hasText: '/chats/{chat_jid}/messages' }).first();
    await operation.locator('.opblock-summary-control').click();
    await page.getByRole('button', { name: 'Try it out' }).click();
    await expect(page.getByRole('button', { name: 'Execute' })).toBeVisible();
    await expectNoAxeViolations(page, '/docs, trying an operation');
    await operation.locator('tr[data-param-name="chat_jid"] input').fill(ALICE);
    await page.getByRole('button', { name: 'Execute' }).click();
    await expect(operation.locator('.live-responses-table')).toContainText('401');
    await expectNoAxeViolations(page, '/docs, with an answer');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectNoAxeViolations(page, '/docs, dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: `${SCREENS}/docs.png`, fullPage: true });
  });

  test('honours prefers-reduced-motion', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(`${served().apiUrl}/docs/`);
    await expect(page.locator('.opblock').first()).toBeVisible();
    const moving = await page.evaluate(
      () =>
        [...document.querySelectorAll('#swagger-ui *')].filter((element) => {
          const style = getComputedStyle(element);
          const seconds = (value: string) => Math.max(...value.split(',').map((part) => parseFloat(part) || 0));
          return seconds(style.transitionDuration) > 0.01 || seconds(style.animationDuration) > 0.01;
        }).length,
    );
    expect(moving).toBe(0);
  });
});
