import type { Database } from '../store/database.ts';
import { createWebhookStore } from '../webhooks/webhook-store.ts';
import { fail } from './fail.ts';
import { LOGGED_EVENT_TYPES, type LoggedEventType } from '../contract/events.ts';
import { webhookUrlProblem, type WebhookRecord } from '../contract/webhooks.ts';

const USAGE = `usage: wagate webhooks add URL [--events ${LOGGED_EVENT_TYPES.join(',')}] | list | remove ID | resume ID`;

function parseEvents(text: string | undefined): LoggedEventType[] | string {
  if (text === undefined) return [...LOGGED_EVENT_TYPES];
  const names = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const unknown = names.find((t) => !(LOGGED_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown !== undefined) return `unknown event type "${unknown}": use ${LOGGED_EVENT_TYPES.join(', ')}`;
  if (names.length === 0) return `--events needs at least one of ${LOGGED_EVENT_TYPES.join(', ')}`;
  return names as LoggedEventType[];
}

function describe(w: WebhookRecord): string {
  const date = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
  const state =
    w.status === 'paused'
      ? `paused (${w.paused_reason})`
      : w.failing_since !== null
        ? `failing since ${date(w.failing_since)}`
        : 'active';
  return [
    w.id,
    w.url,
    w.events.join(','),
    state,
    `${w.pending_deliveries} waiting`,
    `created ${date(w.created_at)}`,
  ].join('  ');
}

/** `wagate webhooks add URL [--events …] | list | remove ID | resume ID`; the signing secret is printed once, at add. */
export function webhooksCommand(db: Database, args: string[], flags: { events?: string }): void {
  const store = createWebhookStore(db);
  const [action, value] = args;
  if (action === 'add') {
    if (!value) fail(USAGE);
    const problem = webhookUrlProblem(value);
    if (problem) fail(problem);
    const events = parseEvents(flags.events);
    if (typeof events === 'string') fail(events);
    const { webhook, secret } = store.add({ url: value, events });
    console.log(secret);
    console.error(`Created webhook ${webhook.id} for ${webhook.url} (${webhook.events.join(', ')}).`);
    console.error('The line above is its signing secret. Copy it now: it is not shown again.');
    console.error(
      'Deliveries are signed as Standard Webhooks says: any of its libraries verifies them (see the README).',
    );
  } else if (action === 'list') {
    const all = store.list();
    console.log(all.length ? all.map(describe).join('\n') : 'No webhooks yet: wagate webhooks add URL');
  } else if (action === 'remove' || action === 'resume') {
    if (!value) fail(`usage: wagate webhooks ${action} ID`);
    const record = action === 'remove' ? store.remove(value) : store.resume(value);
    if (!record) fail(`no webhook with id ${value} (see wagate webhooks list)`);
    console.log(
      action === 'remove'
        ? `Removed ${record.id} ${record.url}`
        : `Resumed ${record.id} ${record.url}: a running server sends its waiting deliveries within a minute`,
    );
  } else {
    fail(USAGE);
  }
}
