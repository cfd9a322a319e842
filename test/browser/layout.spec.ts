import { sandboxForThisFile } from './spec-kit.ts';
import { expect, test, type Page } from '@playwright/test';
import { openScreen, shown } from './dashboard-states.ts';

const SCREENS = 'test-results/screens/layout';

/** The window the tray opens, and a laptop's browser. */
const TRAY = { width: 420, height: 640 };
const LAPTOP = { width: 1280, height: 800 };

const served = sandboxForThisFile();

/**
 * What is wrong with the layout as the user sees it: the page scrolls sideways, an element sticks out of the window
 * (inside a scrolling box, the box is what counts), a box hides part of its content, two controls overlap, or a
 * checkbox shrank.
 */
function layoutProblems(): string[] {
  const width = document.documentElement.clientWidth;
  const problems: string[] = [];
  const name = (element: Element) =>
    `<${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${
      element.className && typeof element.className === 'string' ? `.${element.className.split(' ').join('.')}` : ''
    }> "${(element.textContent ?? '').trim().slice(0, 40)}"`;
  // checkVisibility also sees what a closed <details> keeps out of sight (it may still have a box).
  const hidden = (element: Element) =>
    element.closest('.visually-hidden, .skip:not(:focus), dialog:not([open])') !== null ||
    !element.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });
  const scrolls = (element: Element) => /auto|scroll/.test(getComputedStyle(element).overflowX);
  const insideScroller = (element: Element) => {
    for (let parent = element.parentElement; parent; parent = parent.parentElement) if (scrolls(parent)) return true;
    return false;
  };

  if (document.documentElement.scrollWidth > width)
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px in ${width} px)`);

  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || hidden(element)) continue;
    if (!insideScroller(element) && (box.left < -0.5 || box.right > width + 0.5))
      problems.push(`${name(element)} reaches ${Math.round(box.left)}..${Math.round(box.right)} of ${width} px`);
    const style = getComputedStyle(element);
    const clips = style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis';
    if (clips && element.scrollWidth > element.clientWidth + 1)
      problems.push(`${name(element)} hides ${element.scrollWidth - element.clientWidth} px of its content`);
  }

  const controls = [...document.querySelectorAll('a[href], button, input, select, textarea, summary')].filter(
    (element) => {
      const box = element.getBoundingClientRect();
      return box.width >= 2 && box.height >= 2 && !hidden(element);
    },
  );
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const [a, b] = [controls[i]!, controls[j]!];
      if (a.contains(b) || b.contains(a)) continue;
      const [p, q] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
      const overlapX = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const overlapY = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (overlapX > 1 && overlapY > 1) problems.push(`${name(a)} and ${name(b)} overlap`);
    }
  }

  for (const box of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    const { width: w, height: h } = box.getBoundingClientRect();
    if (!hidden(box) && (w < 16 || h < 16)) problems.push(`${name(box)} shrank to ${w}×${h}`);
  }
  return problems;
}

/** Screenshots the state at both sizes, and checks the layout at each. */
async function atBothSizes(page: Page, name: string): Promise<void> {
  for (const [label, size] of [
    ['tray', TRAY],
    ['laptop', LAPTOP],
  ] as const) {
    await page.setViewportSize(size);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SCREENS}/${name}-${label}.png` });
    await page.screenshot({ path: `${SCREENS}/${name}-${label}-full.png`, fullPage: true });
    expect(await page.evaluate(layoutProblems), `${name} at ${size.width}×${size.height}`).toEqual([]);
  }
}

/** True when the element is wholly inside the window without scrolling. */
async function aboveTheFold(page: Page, locator: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await locator.boundingBox();
  const height = page.viewportSize()?.height ?? 0;
  return box !== null && box.y >= 0 && box.y + box.height <= height;
}

const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

test('every screen at the tray window’s 420×640 and at 1280×800: nothing clipped, sideways or overlapping', async ({
  page,
}) => {
  await page.setViewportSize(TRAY);
  await page.goto(served().loginUrl);

  await test.step('Phone link: at the tray size the QR and the state show without scrolling', async () => {
    const qr = page.getByRole('img', { name: 'QR code for linking WhatsApp to WaGate' });
    await expect(qr).toBeVisible();
    await atBothSizes(page, '01-pairing-qr');
    expect(await aboveTheFold(page, button(page, 'Scan with virtual phone')), 'the virtual scan at 1280×800').toBe(
      true,
    );
    await page.setViewportSize(TRAY);
    expect(await aboveTheFold(page, qr), 'the QR at 420×640').toBe(true);
    expect(await aboveTheFold(page, shown(page, 'Waiting for you to link your phone.')), 'the state').toBe(true);
    const nav = page.getByRole('navigation', { name: 'Screens' });
    const menu = nav.getByRole('button', { name: 'Screens, now Phone link' });
    expect(await aboveTheFold(page, menu), 'one button for the screens, naming the current one').toBe(true);
    expect((await nav.boundingBox())!.y + (await nav.boundingBox())!.height, 'header and navigation').toBeLessThan(100);
    await menu.click();
    await expect(nav.getByRole('link')).toHaveCount(7);
    expect(await page.evaluate(layoutProblems), 'the list of screens, open').toEqual([]);
    await page.screenshot({ path: `${SCREENS}/01-pairing-qr-tray-menu.png` });
    await page.keyboard.press('Escape');
    await expect(nav.getByRole('link')).toHaveCount(0);
    await expect(menu).toBeFocused();
  });

  await test.step('Virtual phone before linking', async () => {
    await openScreen(page, 'Virtual phone');
    await expect(button(page, 'Scan with virtual phone')).toBeVisible();
    await atBothSizes(page, '02-virtual-phone-qr');
    await button(page, 'Scan with virtual phone').click();
    await openScreen(page, 'Phone link');
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
    await atBothSizes(page, '03-pairing-linked');
  });

  await test.step('API keys: a new key, its field and its command', async () => {
    await openScreen(page, 'API keys');
    await page.getByLabel('Name', { exact: true }).fill('Shop notifications');
    await button(page, 'Create key').click();
    await expect(page.getByLabel('New API key')).toHaveValue(/^wg_/);
    await atBothSizes(page, '04-keys-created');
    await button(page, 'I have saved it').click();
    await button(page, 'How to use Shop notifications').click();
    await atBothSizes(page, '05-keys-list');
  });

  await test.step('Send a message', async () => {
    await openScreen(page, 'Send a message');
    await atBothSizes(page, '06-send');
  });

  await test.step('Outbox', async () => {
    await openScreen(page, 'Outbox');
    await atBothSizes(page, '07-outbox');
  });

  await test.step('Pacing', async () => {
    await openScreen(page, 'Pacing');
    await expect(page.getByLabel('Messages per minute, all chats together')).toHaveValue('12');
    await atBothSizes(page, '08-pacing');
  });

  await test.step('Webhooks: a new webhook and its secret, then the list', async () => {
    await openScreen(page, 'Webhooks');
    await page.getByLabel('Receiver URL').fill('http://127.0.0.1:9/a-receiver-with-a-rather-long-path/wagate');
    await button(page, 'Add webhook').click();
    await expect(page.getByLabel('Signing secret')).toHaveValue(/\S/);
    await atBothSizes(page, '09-webhooks-added');
    await button(page, 'I have saved it').click();
    await atBothSizes(page, '10-webhooks-listed');
  });

  await test.step('Virtual phone, linked', async () => {
    await openScreen(page, 'Virtual phone');
    await atBothSizes(page, '11-virtual-phone-linked');
  });
});
