import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { api, errorText } from '../api/client.ts';
import type { AcceptedResult, SendResult } from '../../../server/contract/messages.ts';
import { POLL_OPTIONS } from '../../../server/contract/limits.ts';
import { displayChat, messageTime } from '../format/time.ts';
import { useAnnounce } from '../state/announce.ts';
import { checkChatId } from '../validation/chat-id.ts';
import { BusyButton } from './BusyButton.tsx';

type Kind = 'location' | 'poll' | 'contact';

const KINDS: { kind: Kind; label: string; path: string; sent: string }[] = [
  { kind: 'location', label: 'Location', path: 'locations', sent: 'the location' },
  { kind: 'poll', label: 'Poll', path: 'polls', sent: 'the poll' },
  { kind: 'contact', label: 'Contact card', path: 'contact-cards', sent: 'the contact card' },
];

type Fields = Record<string, string>;

/** The request body for each kind from the form's fields; a string is what to fix (the field's name first). */
function bodyOf(kind: Kind, f: Fields): { body: unknown } | { field: string; problem: string } {
  const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  if (kind === 'location') {
    const latitude = Number(f.latitude);
    const longitude = Number(f.longitude);
    if (!f.latitude?.trim() || !Number.isFinite(latitude) || Math.abs(latitude) > 90)
      return { field: 'latitude', problem: 'Latitude is a number from -90 to 90, for example 52.3676.' };
    if (!f.longitude?.trim() || !Number.isFinite(longitude) || Math.abs(longitude) > 180)
      return { field: 'longitude', problem: 'Longitude is a number from -180 to 180, for example 4.9041.' };
    return { body: { latitude, longitude, name: optional(f.name), address: optional(f.address) } };
  }
  if (kind === 'poll') {
    const options = (f.options ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    if (!f.question?.trim()) return { field: 'question', problem: 'Write the question.' };
    if (options.length < POLL_OPTIONS.min || options.length > POLL_OPTIONS.max)
      return {
        field: 'options',
        problem: `A poll has ${POLL_OPTIONS.min} to ${POLL_OPTIONS.max} options, one per line (this has ${options.length}).`,
      };
    return { body: { question: f.question.trim(), options, selectable_count: f.many === 'true' ? 0 : 1 } };
  }
  if (!f.contact_name?.trim()) return { field: 'contact_name', problem: 'Write the name on the card.' };
  if (!f.phone?.trim()) return { field: 'phone', problem: 'Write the phone number with its country code.' };
  const contact = {
    name: f.contact_name.trim(),
    // The card carries the number as digits with the country code, however it was written.
    phone: f.phone.replace(/\D/g, ''),
    email: optional(f.email),
    organization: optional(f.organization),
  };
  return { body: { contacts: [contact] } };
}

/**
 * A location, a poll or a contact card to the chat in the main form's To field: one compact form, folded away
 * under the text form, since most sends are text or a file.
 */
export function OtherKindsForm({ to, toFieldId }: { to: string; toFieldId: string }) {
  const [kind, setKind] = useState<Kind>('location');
  const [fields, setFields] = useState<Fields>({});
  const [invalid, setInvalid] = useState<{ field: string; problem: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string; id?: string } | null>(null);
  const announce = useAnnounce();
  const errorId = useId();
  const chosen = KINDS.find((k) => k.kind === kind)!;

  function field(name: string, label: string, input: (props: InputProps) => ReactNode = textInput): ReactNode {
    const props: InputProps = {
      id: `other-${name}`,
      value: fields[name] ?? '',
      invalid: invalid?.field === name,
      describedBy: invalid?.field === name ? errorId : undefined,
      onChange: (value) => {
        setFields((now) => ({ ...now, [name]: value }));
        setInvalid(null);
        setOutcome(null);
      },
    };
    return (
      <div className="field">
        <label htmlFor={props.id}>{label}</label>
        {input(props)}
      </div>
    );
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy) return;
    setOutcome(null);
    const check = checkChatId(to);
    if (!check.ok) {
      setOutcome({ ok: false, text: `Fill in To above first: ${check.reason}` });
      document.getElementById(toFieldId)?.focus();
      return;
    }
    const built = bodyOf(kind, fields);
    if ('problem' in built) {
      setInvalid(built);
      document.getElementById(`other-${built.field}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const answer = await api<SendResult | AcceptedResult>(
        'POST',
        `/chats/${encodeURIComponent(check.jid)}/${chosen.path}`,
        built.body,
      );
      const text =
        answer.status === 'sent'
          ? `Sent ${chosen.sent} to ${displayChat(check.jid)} at ${messageTime(answer.timestamp * 1000)}. Message ID: `
          : `WhatsApp has not acknowledged ${chosen.sent} yet: it stays in the outbox and leaves by itself. Message ID: `;
      setOutcome({ ok: true, text, id: answer.message_id });
      announce(text + answer.message_id);
      setFields({});
    } catch (failure) {
      setOutcome({ ok: false, text: `Not sent: ${errorText(failure)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="card other-kinds">
      <summary>Send a location, a poll or a contact card</summary>
      <form className="stack" noValidate onSubmit={(event) => void submit(event)}>
        <fieldset className="kind-choice">
          <legend>What to send to the chat in To</legend>
          {KINDS.map((k) => (
            <label key={k.kind} className="check">
              <input
                type="radio"
                name="other-kind"
                checked={kind === k.kind}
                onChange={() => {
                  setKind(k.kind);
                  setInvalid(null);
                  setOutcome(null);
                }}
              />
              {k.label}
            </label>
          ))}
        </fieldset>
        {kind === 'location' && (
          <div className="row">
            {field('latitude', 'Latitude', numberInput)}
            {field('longitude', 'Longitude', numberInput)}
            {field('name', 'Place name (optional)')}
            {field('address', 'Address (optional)')}
          </div>
        )}
        {kind === 'poll' && (
          <>
            {field('question', 'Question')}
            {field('options', `Options, one per line (${POLL_OPTIONS.min} to ${POLL_OPTIONS.max})`, linesInput)}
            <label className="check">
              <input
                type="checkbox"
                checked={fields.many === 'true'}
                onChange={(event) => setFields((now) => ({ ...now, many: String(event.target.checked) }))}
              />
              People may choose more than one option
            </label>
          </>
        )}
        {kind === 'contact' && (
          <div className="row">
            {field('contact_name', 'Name on the card')}
            {field('phone', 'Phone number with country code')}
            {field('email', 'Email (optional)')}
            {field('organization', 'Organization (optional)')}
          </div>
        )}
        {invalid && (
          <p id={errorId} className="error-text">
            {invalid.problem}
          </p>
        )}
        <BusyButton type="submit" busy={busy}>
          {busy ? 'Sending…' : `Send ${chosen.sent}`}
        </BusyButton>
        {outcome && (
          <p role={outcome.ok ? undefined : 'alert'} className={outcome.ok ? 'ok-text outcome' : 'error-text'}>
            {outcome.text}
            {outcome.id && <code>{outcome.id}</code>}
          </p>
        )}
      </form>
    </details>
  );
}

interface InputProps {
  id: string;
  value: string;
  invalid: boolean;
  describedBy: string | undefined;
  onChange(value: string): void;
}

const textInput = (p: InputProps) => (
  <input
    id={p.id}
    type="text"
    value={p.value}
    aria-invalid={p.invalid}
    aria-describedby={p.describedBy}
    onChange={(event) => p.onChange(event.target.value)}
  />
);

const numberInput = (p: InputProps) => (
  <input
    id={p.id}
    type="text"
    inputMode="decimal"
    value={p.value}
    aria-invalid={p.invalid}
    aria-describedby={p.describedBy}
    onChange={(event) => p.onChange(event.target.value)}
  />
);

const linesInput = (p: InputProps) => (
  <textarea
    id={p.id}
    rows={4}
    value={p.value}
    aria-invalid={p.invalid}
    aria-describedby={p.describedBy}
    onChange={(event) => p.onChange(event.target.value)}
  />
);
