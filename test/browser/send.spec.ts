import { expect, test, type Page } from '@playwright/test';
import { openScreen, shown } from './dashboard-states.ts';
import { dashboardCaller, sandboxForThisFile, shoot } from './spec-kit.ts';
import { ALICE, CAROL } from '../support/contacts.ts';

const served = sandboxForThisFile();

const call = dashboardCaller(served);

interface Received {
  message_id: string;
  text: string | null;
  quoted_message_id: string | null;
}

/** What the virtual contact received, once `find` finds it there. */
async function receivedBy(page: Page, number: string, find: (entry: Received) => boolean): Promise<Received> {
  let found: Received | undefined;
  await expect
    .poll(async () => {
      const inbox = (await call(page, 'GET', `/sandbox/contacts/${number}/inbox`)) as Received[];
      found = inbox.find(find);
      return found !== undefined;
    })
    .toBe(true);
  return found!;
}

const messageField = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const sendButton = (page: Page) => page.getByRole('button', { name: 'Send', exact: true });
const recent = (page: Page) => page.getByRole('region', { name: 'Recent messages' });

test('the Send screen says what a send is doing, replies from the list and keeps one time format', async ({ page }) => {
  await test.step('log in and link the virtual phone', async () => {
    await page.goto(served().loginUrl);
    await page.getByRole('button', { name: 'Scan with virtual phone' }).click();
    await expect(shown(page, 'Your phone is linked. WaGate can send messages.')).toBeVisible({ timeout: 30_000 });
    await openScreen(page, 'Send a message');
  });

  await test.step('a typing-simulated send says it is typing, and for how long', async () => {
    await page.getByLabel('To', { exact: true }).fill(`+${ALICE}`);
    // Long enough that typing is held at its most, 8 s by default, whatever the jitter.
    await messageField(page).fill('A long message that takes a person a while to type on a phone');
    await sendButton(page).click();
    await expect(page.getByRole('button', { name: 'Sending…' })).toHaveAttribute('aria-disabled', 'true');
    await expect(shown(page, 'Showing “typing…” in the chat for 8 s, as a person would…')).toBeVisible();
    await shoot(page, 'send-01-typing');
    await expect(shown(page, new RegExp(`^Sent to \\+${ALICE} at `))).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('.send-progress')).toHaveCount(0);
  });

  await test.step('the answer and the list say the time the same way', async () => {
    const said = /at (.+)\. Message ID/.exec((await page.locator('.outcome').textContent()) ?? '')?.[1];
    const id = await page.locator('.outcome code').textContent();
    const row = recent(page).getByRole('row').filter({ hasText: id! });
    // The list shows when the message was accepted, the answer when WhatsApp took it: the same shape, digits aside.
    const shape = (time: string) => time.replace(/\d/g, '9');
    expect(shape(said!)).toBe(shape((await row.locator('time').textContent())!));
  });

  await test.step('a message held back by pacing says so, and until when', async () => {
    await call(page, 'PUT', '/admin/pacing', { chat_gap_ms: 6000, jitter_ms: 0 });
    await page.getByLabel(/Show “typing…” before sending/).uncheck();
    // Another program writes to the chat first: the form's message must keep the gap after it.
    await call(page, 'POST', `/chats/${ALICE}/messages`, { text: 'From another program', typing_simulation: false });
    await messageField(page).fill('Right after the first one');
    await sendButton(page).click();
    const held = shown(page, /^Held back by pacing \(the pause between two messages to the same chat\) until /);
    await expect(held).toBeVisible();
    // The time said is the one pacing holds it until (Unix seconds in the API), as this browser writes a time.
    const { waiting } = (await call(page, 'GET', '/admin/pacing')) as { waiting: { until: number }[] };
    const until = await page.evaluate(
      (seconds) =>
        new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(
          seconds * 1000,
        ),
      waiting[0]!.until,
    );
    await expect(held).toContainText(`until ${until},`);
    await shoot(page, 'send-02-paced');
    await expect(shown(page, new RegExp(`^Sent to \\+${ALICE} at `))).toBeVisible({ timeout: 30_000 });
    await call(page, 'PUT', '/admin/pacing', { chat_gap_ms: 0 });
  });

  await test.step('"Reply" on a message from a contact quotes it', async () => {
    await call(page, 'POST', `/sandbox/contacts/${ALICE}/messages`, { text: 'Is my order ready?' });
    const question = recent(page).getByRole('row').filter({ hasText: 'Is my order ready?' });
    await expect(question).toContainText(`From +${ALICE}`);
    const questionId = await question.locator('code.id').textContent();
    await page.getByLabel('To', { exact: true }).fill('');
    await question.getByRole('button', { name: 'Reply to “Is my order ready?”' }).click();
    await expect(messageField(page)).toBeFocused();
    await expect(page.getByLabel('To', { exact: true })).toHaveValue(`+${ALICE}`);
    await expect(shown(page, `Replying to +${ALICE}: “Is my order ready?”`)).toBeVisible();
    await page.keyboard.type('Yes, it ships today');
    await shoot(page, 'send-03-replying');
    await sendButton(page).click();
    await expect(shown(page, new RegExp(`^Sent to \\+${ALICE} at `))).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('.replying')).toHaveCount(0);
    const reply = await receivedBy(page, ALICE, (entry) => entry.text === 'Yes, it ships today');
    expect(reply.quoted_message_id).toBe(questionId);
  });

  await test.step('"Cancel reply" sends a plain message again', async () => {
    const mine = recent(page).getByRole('row').filter({ hasText: 'Yes, it ships today' });
    await mine.getByRole('button', { name: /^Reply to/ }).click();
    await expect(shown(page, 'Replying to your message: “Yes, it ships today”')).toBeVisible();
    await page.getByRole('button', { name: 'Cancel reply' }).click();
    await expect(page.locator('.replying')).toHaveCount(0);
    await expect(messageField(page)).toBeFocused();
  });

  await test.step('an old error goes away when the next problem is a different one', async () => {
    await page.getByLabel('To', { exact: true }).fill(`+${CAROL}`);
    await messageField(page).fill('Carol is not on WhatsApp');
    await sendButton(page).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Not sent: Number is not on WhatsApp' });
    await expect(refused).toBeVisible({ timeout: 30_000 });
    await page.getByLabel('To', { exact: true }).fill('+1 555 abc');
    await expect(page.getByText('A phone number can only have digits')).toBeVisible();
    await expect(refused).toHaveCount(0);
    await shoot(page, 'send-04-new-problem');
  });
});
