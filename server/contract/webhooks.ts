import { z } from 'zod';
import { LOGGED_EVENT_TYPES, type LoggedEventType } from './events.ts';
import { DELIVERIES_PAGE, MAX_WEBHOOK_URL_LENGTH } from './limits.ts';
import { pageLimit } from './paging.ts';

/**
 * The headers of every delivery: Standard Webhooks' three (https://www.standardwebhooks.com), so any of its libraries
 * verifies WaGate's deliveries, and the event type. `webhook-id` is the delivery's id, the same on every retry.
 */
export const DELIVERY_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
  event: 'WaGate-Event',
} as const;

export type WebhookStatus = 'active' | 'paused';

/**
 * One event for one webhook. `pending`: not tried yet; `failed`: the last try failed and another is due at
 * next_attempt_at; `delivered`: a 2xx answer; `dead`: given up, too old to send.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';

/** A webhook as the dashboard and the CLI see it: never with its secret. Its times are Unix seconds (TIME_RULE). */
export interface WebhookRecord {
  id: string;
  url: string;
  events: LoggedEventType[];
  status: WebhookStatus;
  paused_reason: string | null;
  /** Unix seconds of when it was paused; null while active. */
  paused_at: number | null;
  /** Unix seconds of the first failure in the current run of failures; null while deliveries succeed. */
  failing_since: number | null;
  consecutive_failures: number;
  /** Deliveries waiting to be sent (never tried, or failed and due again). */
  pending_deliveries: number;
  created_at: number;
}

/** One delivery as the dashboard sees it. Its times are Unix seconds (TIME_RULE). */
export interface DeliveryRecord {
  id: string;
  webhook_id: string;
  event_id: number;
  event_type: LoggedEventType;
  attempts: number;
  /** Unix seconds; null once delivered or given up. */
  next_attempt_at: number | null;
  status: DeliveryStatus;
  last_error: string | null;
  last_status_code: number | null;
  created_at: number;
  delivered_at: number | null;
}

/**
 * Why a URL cannot be a webhook, or null when it can. Any host is fine (local apps mostly listen on loopback, but a
 * LAN or public receiver is legitimate); other schemes are not, nor credentials that would sit in the database.
 */
export function webhookUrlProblem(url: string): string | null {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return `URL must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'URL must be an absolute http:// or https:// URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'URL must start with http:// or https://';
  if (parsed.username || parsed.password) return 'URL must not contain a user name or password';
  if (parsed.hash) return 'URL must not contain a #fragment';
  return null;
}

/** `POST /admin/webhooks`. */
export const CreateWebhookBody = z.object({
  url: z
    .string({ error: 'url is required' })
    .trim()
    .min(1, 'url is required')
    .superRefine((url, ctx) => {
      const problem = webhookUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  events: z
    .array(z.enum(LOGGED_EVENT_TYPES, { error: `events may only hold ${LOGGED_EVENT_TYPES.join(', ')}` }), {
      error: `events must be a list of ${LOGGED_EVENT_TYPES.join(', ')}`,
    })
    .min(1, 'events must name at least one event type (leave it out for all of them)')
    .optional(),
});

export const WebhookParams = z.object({ id: z.string() });

export const DeliveriesQuery = z.object({ limit: pageLimit(DELIVERIES_PAGE) });
