import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { ApiFailure, api, errorText } from '../api/client.ts';
import { useCoreEvent, useStreamOpen } from '../api/events.ts';
import type { LoggedEventType } from '../../../server/contract/events.ts';
import type { DeliveryRecord, WebhookRecord } from '../../../server/contract/webhooks.ts';
import { WEBHOOK } from '../../../server/contract/lifetimes.ts';
import { BusyButton } from '../components/BusyButton.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { SecretField } from '../components/SecretField.tsx';
import { ScreenHeading } from '../components/ScreenHeading.tsx';
import { SignatureHelp } from '../components/SignatureHelp.tsx';
import { clockTime, dateTime, durationText, relativeTime } from '../format/time.ts';
import { useAnnounce } from '../state/announce.ts';
import { useNow } from '../state/clock.ts';
import { focusById, useFocusOnMount } from '../state/focus.ts';
import { useOnReturn } from '../state/on-return.ts';
import { useInOrder } from '../state/in-order.ts';

/** The event types a webhook can ask for, in plain words; a Record so a new type on the server fails the type-check here. */
const EVENT_WORDS: Record<LoggedEventType, { label: string; short: string }> = {
  'message.received': { label: 'A message arrives', short: 'new messages' },
  'message.status': { label: 'A sent message is delivered, read or fails', short: 'message status' },
  'message.reaction': { label: 'Someone reacts to a message', short: 'reactions' },
  'message.edited': { label: 'Someone edits a message', short: 'edits' },
  'message.deleted': { label: 'Someone deletes a message for everyone', short: 'deletes' },
  'poll.vote': { label: 'Someone votes on a poll', short: 'poll votes' },
  'session.state': {
    label: 'The link to WhatsApp changes (linked, reconnecting, logged out)',
    short: 'WhatsApp link changes',
  },
};
const EVENT_TYPES = Object.keys(EVENT_WORDS) as LoggedEventType[];

/** Where the focus goes when the control the user pressed is gone: the list the webhook went to or left. */
const LIST_TITLE = 'webhook-list-title';

/** How long a webhook fails before it is paused, and how old an unsent delivery gets before it is given up. */
const PAUSE_AFTER = durationText(WEBHOOK.pauseAfter.ms);
const GIVE_UP_AFTER = durationText(WEBHOOK.maxAgeMs);

/** How many deliveries each webhook's log shows. */
const LOG_LIMIT = 20;

type Created = { webhook: WebhookRecord; secret: string };
type Logs = Record<string, { rows: DeliveryRecord[] } | { error: string }>;

/** Every webhook and the latest deliveries of each; a log that cannot be read says why in its place. */
async function readWebhooks(): Promise<{ list: WebhookRecord[]; logs: Logs }> {
  const list = await api<WebhookRecord[]>('GET', '/admin/webhooks');
  const entries = await Promise.all(
    list.map(async (hook) => {
      try {
        const rows = await api<DeliveryRecord[]>(
          'GET',
          `/admin/webhooks/${encodeURIComponent(hook.id)}/deliveries?limit=${LOG_LIMIT}`,
        );
        return [hook.id, { rows }] as const;
      } catch (failure) {
        return [hook.id, { error: errorText(failure) }] as const;
      }
    }),
  );
  return { list, logs: Object.fromEntries(entries) };
}

/** Webhooks: addresses of other programs that WaGate tells, as it happens, about messages and the WhatsApp link. */
export function Webhooks() {
  const [hooks, setHooks] = useState<WebhookRecord[] | null>(null);
  const [logs, setLogs] = useState<Logs>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const announce = useAnnounce();

  const listInOrder = useInOrder();

  const reload = useCallback(() => {
    listInOrder(
      readWebhooks(),
      ({ list, logs: read }) => {
        setHooks(list);
        setLogs(read);
        setLoadError(null);
      },
      (failure: unknown) => setLoadError(errorText(failure)),
    );
  }, [listInOrder]);

  useEffect(reload, [reload]);
  useStreamOpen(reload);
  useCoreEvent('webhooks.changed', reload);
  // `wagate webhooks …` in a shell is another process, whose changes reach no event here: read again on return.
  useOnReturn(reload);

  return (
    <section aria-labelledby="webhooks-title" className="screen">
      <ScreenHeading id="webhooks-title">Webhooks</ScreenHeading>
      <p className="intro">
        A webhook tells another program the moment something happens, for example that a message arrived. WaGate sends
        each event to the program's address (its URL), signed with a secret so the program knows it came from WaGate. If
        the program does not answer, WaGate tries again later.
      </p>
      {created ? (
        <NewWebhook
          created={created}
          onDone={() => {
            setCreated(null);
            focusById(LIST_TITLE);
          }}
        />
      ) : (
        <AddWebhook
          onCreated={(result) => {
            setCreated(result);
            announce(`Webhook for ${result.webhook.url} added. Copy its signing secret now.`);
            reload();
          }}
        />
      )}
      <WebhookList hooks={hooks} logs={logs} error={loadError} onChanged={reload} />
      <SignatureHelp />
    </section>
  );
}

function AddWebhook({ onCreated }: { onCreated: (created: Created) => void }) {
  const urlId = useId();
  const urlHintId = useId();
  const errorId = useId();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<LoggedEventType[]>(EVENT_TYPES);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; badUrl: boolean } | null>(null);

  function toggle(type: LoggedEventType, on: boolean): void {
    setEvents((current) => (on ? [...current, type] : current.filter((t) => t !== type)));
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy) return;
    if (events.length === 0) {
      setError({ text: 'Tick at least one event to send', badUrl: false });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Everything ticked is sent as no list: the webhook then also gets event types added in later versions.
      const all = EVENT_TYPES.every((type) => events.includes(type));
      const body = { url: url.trim(), ...(all ? {} : { events }) };
      onCreated(await api<Created>('POST', '/admin/webhooks', body));
    } catch (failure) {
      // A 400 here is about the URL (the boxes cannot make a bad list); anything else is not the user's typing.
      setError({ text: errorText(failure), badUrl: failure instanceof ApiFailure && failure.code === 400 });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby="add-webhook-title">
      <h2 id="add-webhook-title">Add a webhook</h2>
      <div className="field">
        <label htmlFor={urlId}>Receiver URL</label>
        <input
          id={urlId}
          value={url}
          required
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="http://127.0.0.1:3000/wagate"
          aria-invalid={error?.badUrl ? true : undefined}
          aria-describedby={error?.badUrl ? `${urlHintId} ${errorId}` : urlHintId}
          onChange={(event) => setUrl(event.target.value)}
        />
        <p id={urlHintId} className="hint">
          The address the other program listens on, starting with http:// or https://. Its documentation says which one.
        </p>
      </div>
      <fieldset className="toggles event-choices">
        <legend>Send when</legend>
        {EVENT_TYPES.map((type) => (
          <label key={type} className="check">
            <input
              type="checkbox"
              checked={events.includes(type)}
              onChange={(event) => toggle(type, event.target.checked)}
            />
            <span>
              {EVENT_WORDS[type].label} <code>{type}</code>
            </span>
          </label>
        ))}
        <p className="hint">WaGate sends only the events ticked here.</p>
      </fieldset>
      <BusyButton type="submit" className="primary" busy={busy}>
        {busy ? 'Adding…' : 'Add webhook'}
      </BusyButton>
      {error && (
        <p role="alert" id={errorId} className="error-text">
          Could not add the webhook: {error.text}.{error.badUrl && ' Correct the URL and try again.'}
        </p>
      )}
    </form>
  );
}

function NewWebhook({ created, onDone }: { created: Created; onDone: () => void }) {
  const secretId = useId();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <div className="card new-key" role="region" aria-labelledby="new-webhook-title">
      <h2 id="new-webhook-title" ref={heading} tabIndex={-1}>
        Webhook added for {created.webhook.url}
      </h2>
      <p className="warning-text">
        <strong>Copy the signing secret now: this is the only time WaGate shows it.</strong> Give it to the receiving
        program, which uses it to check that each delivery really comes from WaGate (how: “How the receiving program
        checks the signature”, below). If you lose it, remove this webhook and add it again.
      </p>
      <label htmlFor={secretId}>Signing secret</label>
      <div className="row">
        <SecretField id={secretId} value={created.secret} />
        <CopyButton text={created.secret} label="Copy secret" />
      </div>
      <button type="button" onClick={onDone}>
        I have saved it
      </button>
    </div>
  );
}

interface ListProps {
  hooks: WebhookRecord[] | null;
  logs: Logs;
  error: string | null;
  /** After an action here: the list is read again at once, before its event arrives. */
  onChanged: () => void;
}

function WebhookList({ hooks, logs, error, onChanged }: ListProps) {
  const now = useNow(30_000);
  const [removing, setRemoving] = useState<WebhookRecord | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const announce = useAnnounce();

  async function remove(hook: WebhookRecord): Promise<void> {
    setRemoving(null);
    setActionError(null);
    try {
      await api('DELETE', `/admin/webhooks/${encodeURIComponent(hook.id)}`);
      announce(`Webhook for ${hook.url} removed.`);
    } catch (failure) {
      setActionError(`Could not remove the webhook for ${hook.url}: ${errorText(failure)}`);
    }
    onChanged();
  }

  async function resume(hook: WebhookRecord): Promise<void> {
    setActionError(null);
    try {
      await api('POST', `/admin/webhooks/${encodeURIComponent(hook.id)}/resume`, {});
      // The Resume button goes away with the pause.
      announce(`Webhook for ${hook.url} resumed.`);
      focusById(LIST_TITLE);
    } catch (failure) {
      setActionError(`Could not resume the webhook for ${hook.url}: ${errorText(failure)}`);
    }
    onChanged();
  }

  return (
    <div className="card" role="region" aria-labelledby={LIST_TITLE}>
      <h2 id={LIST_TITLE} tabIndex={-1}>
        Your webhooks
      </h2>
      {error && (
        <p role="alert" className="error-text">
          Could not read the webhooks: {error}
        </p>
      )}
      {actionError && (
        <p role="alert" className="error-text">
          {actionError}
        </p>
      )}
      {hooks === null && !error && <p>Reading the webhooks…</p>}
      {hooks?.length === 0 && (
        <p>No webhooks yet. Add one above for each program that should hear about new messages.</p>
      )}
      {hooks?.map((hook) => (
        <WebhookCard
          key={hook.id}
          hook={hook}
          log={logs[hook.id]}
          now={now}
          onResume={() => void resume(hook)}
          onRemove={() => setRemoving(hook)}
        />
      ))}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove the webhook for ${removing?.url ?? ''}?`}
        confirmLabel="Remove webhook"
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(null)}
        focusAfterConfirm={LIST_TITLE}
      >
        <p>
          WaGate stops sending events to this address at once, and forgets its waiting deliveries and its log. To send
          there again you add a new webhook, with a new secret.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function eventsText(events: readonly LoggedEventType[] | null): string {
  if (events === null || EVENT_TYPES.every((type) => events.includes(type))) return 'All events';
  const words = events.map((type) => EVENT_WORDS[type].short).join(', ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

interface CardProps {
  hook: WebhookRecord;
  log: Logs[string] | undefined;
  now: number;
  onResume: () => void;
  onRemove: () => void;
}

function WebhookCard({ hook, log, now, onResume, onRemove }: CardProps) {
  const titleId = useId();
  const paused = hook.status === 'paused';
  return (
    <article className="webhook" aria-labelledby={titleId} data-webhook-id={hook.id}>
      <div className="row spread">
        <h3 id={titleId} className="webhook-url">
          {hook.url}
        </h3>
        <HookStatus hook={hook} />
      </div>
      {paused && (
        <div className="state-box problem">
          <p className="state-line">Paused: the receiver failed for {PAUSE_AFTER}. Fix it, then Resume.</p>
          <p className="advice">
            WaGate stopped trying{hook.paused_at !== null && <> {relativeTime(hook.paused_at * 1000, now)}</>}
            {hook.paused_reason && <> ({hook.paused_reason})</>}. {hook.pending_deliveries}{' '}
            {hook.pending_deliveries === 1 ? 'delivery waits' : 'deliveries wait'} and will be sent in order once you
            resume; any older than {GIVE_UP_AFTER} are given up.
          </p>
        </div>
      )}
      {!paused && hook.failing_since !== null && (
        <div className="state-box waiting">
          <p className="state-line">The receiver is not answering properly.</p>
          <p className="advice">
            {hook.consecutive_failures} failed {hook.consecutive_failures === 1 ? 'try' : 'tries'} in a row, since{' '}
            {dateTime(hook.failing_since * 1000)}. WaGate keeps trying; if it still fails after {PAUSE_AFTER}, the
            webhook is paused. Check that the program is running and answers at this address; the log below says what
            went wrong.
          </p>
        </div>
      )}
      <dl className="facts">
        <dt>Sends</dt>
        <dd>{eventsText(hook.events)}</dd>
        <dt>Added</dt>
        <dd>
          <Moment at={hook.created_at} now={now} />
        </dd>
        <dt>Waiting to be sent</dt>
        <dd>{hook.pending_deliveries}</dd>
      </dl>
      <div className="actions">
        {paused && (
          <button
            type="button"
            className="primary"
            aria-label={`Resume the webhook for ${hook.url}`}
            onClick={onResume}
          >
            Resume
          </button>
        )}
        <button type="button" className="danger" aria-label={`Remove the webhook for ${hook.url}`} onClick={onRemove}>
          Remove
        </button>
      </div>
      <DeliveryLog hook={hook} log={log} now={now} />
    </article>
  );
}

/** Active only while deliveries get through: a receiver that keeps failing is not shown as fine. */
function HookStatus({ hook }: { hook: WebhookRecord }) {
  if (hook.status === 'paused') return <span className="status paused">Paused</span>;
  if (hook.failing_since !== null) return <span className="status failing">Failing</span>;
  return <span className="status active">Active</span>;
}

const DELIVERY_WORDS: Record<DeliveryRecord['status'], string> = {
  pending: 'Waiting',
  failed: 'Failed',
  delivered: 'Delivered',
  dead: 'Given up',
};

function DeliveryLog({ hook, log, now }: { hook: WebhookRecord; log: Logs[string] | undefined; now: number }) {
  const captionId = useId();
  if (!log) return null;
  if ('error' in log) {
    return (
      <p role="alert" className="error-text">
        Could not read the delivery log: {log.error}. WaGate reads it again at the next delivery.
      </p>
    );
  }
  if (log.rows.length === 0)
    return <p className="hint">No deliveries yet. Events that happen from now on are sent here.</p>;
  return (
    <div className="table-wrap">
      <p id={captionId} className="log-title">
        Delivery log <span className="hint">(newest first, at most {LOG_LIMIT})</span>
      </p>
      <table className="deliveries stackable" aria-labelledby={captionId}>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">When</th>
            <th scope="col">Status</th>
            <th scope="col">Tries</th>
            <th scope="col">What happened</th>
          </tr>
        </thead>
        <tbody>
          {log.rows.map((row) => (
            <tr key={row.id} data-delivery-id={row.id}>
              <th scope="row">
                <code>{row.event_type}</code>
              </th>
              <td data-label="When">
                <Moment at={row.created_at} now={now} />
              </td>
              <td data-label="Status">
                <span className={`status ${row.status}`}>{DELIVERY_WORDS[row.status]}</span>
              </td>
              <td data-label="Tries">{row.attempts}</td>
              <td data-label="What happened" className="text-cell">
                {outcome(row, hook, now)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One delivery's story in a sentence: when it arrived, or what went wrong and when WaGate tries again. */
function outcome(row: DeliveryRecord, hook: WebhookRecord, now: number): string {
  // "When" already says when it happened: the sentence does not say it again.
  if (row.status === 'delivered')
    return `The receiver accepted it${row.last_status_code !== null ? ` (HTTP ${row.last_status_code})` : ''}.`;
  if (row.status === 'dead')
    return `Not delivered within ${GIVE_UP_AFTER}, so WaGate gave up.${row.last_error ? ` Last error: ${row.last_error}` : ''}`;
  const next = row.next_attempt_at === null ? null : row.next_attempt_at * 1000;
  const retry =
    hook.status === 'paused'
      ? 'It is sent when you resume the webhook.'
      : next === null || next <= now
        ? 'It is sent as soon as the ones before it are through.'
        : `Next try ${next - now < 60_000 ? 'in less than a minute' : relativeTime(next, now)}, at ${clockTime(next)}.`;
  if (row.status === 'pending') return `Not sent yet. ${retry}`;
  return `Last error: ${row.last_error ?? 'unknown'}. ${retry}`;
}

/** A moment the API says in Unix seconds, as "3 minutes ago" with the exact time on hover. */
function Moment({ at, now }: { at: number; now: number }) {
  const ms = at * 1000;
  return (
    <time dateTime={new Date(ms).toISOString()} title={dateTime(ms)}>
      {relativeTime(ms, now)}
    </time>
  );
}
