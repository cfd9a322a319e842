import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import { useCoreEvent, useStreamOpen } from '../api/events.ts';
import type { PacingPolicy, PacingState } from '../../../server/contract/pacing.ts';
import { ScreenHeading } from '../components/ScreenHeading.tsx';
import { BusyButton } from '../components/BusyButton.tsx';
import { displayChat, untilTime } from '../format/time.ts';
import { useAction } from '../state/action.ts';
import { useAnnounce } from '../state/announce.ts';
import { PACING_LIMIT_WORDS } from '../../../server/contract/pacing-words.ts';
import { useInOrder } from '../state/in-order.ts';

/** The form's fields: times in seconds (people think in seconds), counts as they are. */
interface Draft {
  enabled: boolean;
  chat_gap_s: string;
  per_minute: string;
  per_hour: string;
  new_chats_per_day: string;
  jitter_s: string;
}

const toDraft = (p: PacingPolicy): Draft => ({
  enabled: p.enabled,
  chat_gap_s: String(p.chat_gap_ms / 1000),
  per_minute: String(p.per_minute),
  per_hour: String(p.per_hour),
  new_chats_per_day: String(p.new_chats_per_day),
  jitter_s: String(p.jitter_ms / 1000),
});

const toPolicy = (d: Draft): PacingPolicy => ({
  enabled: d.enabled,
  chat_gap_ms: Math.round(Number(d.chat_gap_s) * 1000),
  per_minute: Number(d.per_minute),
  per_hour: Number(d.per_hour),
  new_chats_per_day: Number(d.new_chats_per_day),
  jitter_ms: Math.round(Number(d.jitter_s) * 1000),
});

const FIELDS: { key: Exclude<keyof Draft, 'enabled'>; label: string; hint: string; unit?: string }[] = [
  {
    key: 'chat_gap_s',
    label: 'Pause between two messages to the same chat',
    hint: 'A person does not answer in the same second.',
    unit: 'seconds',
  },
  { key: 'per_minute', label: 'Messages per minute, all chats together', hint: 'Counted over any 60 seconds.' },
  { key: 'per_hour', label: 'Messages per hour, all chats together', hint: 'Counted over any 60 minutes.' },
  {
    key: 'new_chats_per_day',
    label: 'New chats per day',
    hint: 'People who have never written to this number, written to in any 24 hours. This is what WhatsApp watches most: 0 allows none.',
  },
  {
    key: 'jitter_s',
    label: 'Random extra wait, up to',
    hint: 'Added whenever a message is held, so the rhythm does not look machine-made.',
    unit: 'seconds',
  },
];

const SAVED = 'Saved. The new pacing applies now, and after a restart too.';

/** Pacing: how fast WaGate lets messages leave, what it has counted, and what it holds back right now. */
export function Pacing() {
  const [state, setState] = useState<PacingState | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const announce = useAnnounce();

  const stateInOrder = useInOrder();

  const load = useCallback(() => {
    stateInOrder(
      api<PacingState>('GET', '/admin/pacing'),
      (loaded) => {
        setState(loaded);
        setDraft((current) => current ?? toDraft(loaded.policy));
        setLoadError(null);
      },
      (failure: unknown) => setLoadError(errorText(failure)),
    );
  }, [stateInOrder]);
  useEffect(load, [load]);
  useStreamOpen(load);
  useCoreEvent('pacing.changed', (changed) => stateInOrder(Promise.resolve(changed), setState));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft || save.busy) return;
    setSaved(false);
    await save.run(async () => {
      const next = await api<PacingState>('PUT', '/admin/pacing', toPolicy(draft));
      setState(next);
      setDraft(toDraft(next.policy));
      setSaved(true);
      announce(SAVED);
    });
  }

  return (
    <section aria-labelledby="pacing-title" className="screen">
      <ScreenHeading id="pacing-title">Pacing</ScreenHeading>
      <p className="intro">
        WhatsApp restricts or bans numbers that send like a machine. WaGate paces what leaves so your number sends like
        a person: a single message goes at once, a burst is spread out. A held message waits in the outbox and leaves as
        soon as pacing allows.
      </p>
      {loadError && (
        <p className="banner error" role="alert">
          Could not read the pacing: {loadError}
        </p>
      )}
      {state && <Usage state={state} />}
      {state && <Held state={state} />}
      {draft && state && (
        <PolicyForm
          draft={draft}
          onChange={(next) => {
            setDraft(next);
            setSaved(false);
          }}
          onSubmit={(event) => void submit(event)}
          onDefaults={() => {
            setDraft(toDraft(state.defaults));
            setSaved(false);
          }}
          busy={save.busy}
          error={save.error}
          saved={saved}
        />
      )}
      <Refusals />
    </section>
  );
}

function Usage({ state }: { state: PacingState }) {
  const { usage, policy } = state;
  const rows: [string, number, number][] = [
    ['In the last minute', usage.last_minute, policy.per_minute],
    ['In the last hour', usage.last_hour, policy.per_hour],
    ['New chats in the last 24 hours', usage.new_chats_today, policy.new_chats_per_day],
  ];
  return (
    <div className="card">
      <h2>Sent so far</h2>
      {!policy.enabled && (
        <p className="banner warning" role="status">
          Pacing is off: every message leaves at once.
        </p>
      )}
      <dl className="usage" data-testid="pacing-usage">
        {rows.map(([label, used, cap]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>
              {used} of {cap}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function Held({ state }: { state: PacingState }) {
  return (
    <div className="card">
      <h2>Waiting for pacing</h2>
      {state.waiting.length === 0 ? (
        <p className="hint">No message is being held back right now.</p>
      ) : (
        <ul className="held" data-testid="pacing-waiting">
          {state.waiting.map((held, i) => (
            <li key={`${held.chat_jid}-${i}`}>
              To {displayChat(held.chat_jid)}:{' '}
              {held.until === null
                ? 'held until the policy allows new chats'
                : `leaves at ${untilTime(held.until * 1000)}`}
              , because of {PACING_LIMIT_WORDS[held.limit]}.
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface PolicyFormProps {
  draft: Draft;
  onChange(next: Draft): void;
  onSubmit(event: FormEvent): void;
  onDefaults(): void;
  busy: boolean;
  error: string | null;
  saved: boolean;
}

function PolicyForm({ draft, onChange, onSubmit, onDefaults, busy, error, saved }: PolicyFormProps) {
  const id = useId();
  return (
    <form className="card pacing-form" noValidate onSubmit={onSubmit}>
      <h2>Policy</h2>
      <div className="field">
        <label className="check">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(event) => onChange({ ...draft, enabled: event.target.checked })}
          />{' '}
          Pace messages (recommended)
        </label>
      </div>
      {FIELDS.map((field) => (
        <div className="field" key={field.key}>
          <label htmlFor={`${id}-${field.key}`}>
            {field.label}
            {field.unit ? ` (${field.unit})` : ''}
          </label>
          <input
            id={`${id}-${field.key}`}
            type="number"
            inputMode="decimal"
            min={0}
            step="any"
            value={draft[field.key]}
            disabled={!draft.enabled}
            aria-describedby={`${id}-${field.key}-hint`}
            onChange={(event) => onChange({ ...draft, [field.key]: event.target.value })}
          />
          <p id={`${id}-${field.key}-hint`} className="hint">
            {field.hint}
          </p>
        </div>
      ))}
      <div className="actions">
        <BusyButton type="submit" className="primary" busy={busy}>
          {busy ? 'Saving…' : 'Save'}
        </BusyButton>
        <BusyButton type="button" onClick={onDefaults} busy={busy}>
          Use the recommended values
        </BusyButton>
      </div>
      {error && (
        <p className="banner error" role="alert">
          {error}
        </p>
      )}
      {saved && <p className="ok-text">{SAVED}</p>}
    </form>
  );
}

/** What WhatsApp's refusals mean for the number: the words a failed message's reason links to. */
function Refusals() {
  return (
    <div className="card" id="refusals">
      <h2>When WhatsApp refuses a message</h2>
      <dl className="refusals">
        <dt>
          <code>server_rejected:463</code>
        </dt>
        <dd>
          WhatsApp refused the message because this number may not start new chats right now: it is restricted for
          writing to too many people who never wrote to it. Chats that already exist keep working. WaGate never sends
          such a message again, since each try counts as another reach-out and makes the restriction longer. Wait until
          the restriction ends (the banner above says until when, if WhatsApp said), and lower the new chats per day.
        </dd>
        <dt>
          <code>server_rejected:479</code>
        </dt>
        <dd>
          WhatsApp's server refused the message as malformed, most often because this device's encryption session with
          the recipient is out of date. It is not sent again automatically; sending it anew usually works once WaGate
          has reconnected.
        </dd>
      </dl>
    </div>
  );
}
