import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import { useCoreEvent, useStreamOpen } from '../api/events.ts';
import type { SendResult, StoredMessage } from '../../../server/contract/messages.ts';
import { MAX_TEXT_LENGTH } from '../../../server/contract/limits.ts';
import type { ContactView } from '../../../server/contract/sandbox.ts';
import type { GroupSummary } from '../../../server/contract/groups.ts';
import { BusyButton } from '../components/BusyButton.tsx';
import { ScreenHeading } from '../components/ScreenHeading.tsx';
import { ScreenLink } from '../components/ScreenLink.tsx';
import { clockTime, dateTime, displayChat } from '../format/time.ts';
import { useAdminInfo } from '../state/admin.ts';
import { useAnnounce } from '../state/announce.ts';
import { useSession } from '../state/session.ts';
import { checkChatId } from '../validation/chat-id.ts';

type Outcome = { ok: true; to: string; result: SendResult } | { ok: false; error: string; code: number };

/** Send a message by hand, as a program would through the API, and see what happened to recent ones. */
export function Send() {
  const [recent, setRecent] = useState<StoredMessage[] | null>(null);
  const [recentError, setRecentError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<StoredMessage[]>('GET', '/admin/messages?limit=50').then(
      (messages) => {
        setRecent(messages.filter((message) => message.direction === 'outbound').slice(0, 20));
        setRecentError(null);
      },
      (failure: unknown) => setRecentError(errorText(failure)),
    );
  }, []);

  useEffect(load, [load]);
  useStreamOpen(load);
  const shown = useRef(recent);
  shown.current = recent;
  useCoreEvent('message.status', (change) => {
    if (!shown.current?.some((message) => message.message_id === change.message_id)) return load();
    setRecent(
      (messages) =>
        messages?.map((message) =>
          message.message_id === change.message_id ? { ...message, status: change.status } : message,
        ) ?? null,
    );
  });

  return (
    <section aria-labelledby="send-title" className="screen">
      <ScreenHeading id="send-title">Send a message</ScreenHeading>
      <p className="intro">Send a WhatsApp message by hand, exactly as a program would through the API.</p>
      <SendForm onSent={load} />
      <RecentSends messages={recent} error={recentError} />
    </section>
  );
}

function SendForm({ onSent }: { onSent: () => void }) {
  const ids = {
    to: useId(),
    toHint: useId(),
    toError: useId(),
    text: useId(),
    count: useId(),
    reply: useId(),
    replyHint: useId(),
  };
  const info = useAdminInfo();
  const session = useSession();
  const toInput = useRef<HTMLInputElement>(null);
  const textInput = useRef<HTMLTextAreaElement>(null);
  const [to, setTo] = useState('');
  const [toTouched, setToTouched] = useState(false);
  const [text, setText] = useState('');
  const [textTouched, setTextTouched] = useState(false);
  const [replyTo, setReplyTo] = useState('');
  const [typing, setTyping] = useState(true);
  const [presence, setPresence] = useState(true);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const announce = useAnnounce();

  const check = checkChatId(to);
  const toError = !check.ok && (toTouched || (check.settled && to.trim() !== '')) ? check.reason : null;
  const textError =
    textTouched && text.trim() === ''
      ? 'Write the message to send.'
      : text.length > MAX_TEXT_LENGTH
        ? `WhatsApp allows at most ${MAX_TEXT_LENGTH.toLocaleString()} characters.`
        : null;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy) return;
    setToTouched(true);
    setTextTouched(true);
    if (!check.ok) {
      toInput.current?.focus();
      return;
    }
    if (text.trim() === '' || text.length > MAX_TEXT_LENGTH) {
      textInput.current?.focus();
      return;
    }
    setBusy(true);
    setOutcome(null);
    const body = {
      text,
      ...(replyTo.trim() ? { reply_to_message_id: replyTo.trim() } : {}),
      typing_simulation: typing,
      presence_simulation: presence,
    };
    try {
      const result = await api<SendResult>('POST', `/chats/${encodeURIComponent(check.jid)}/messages`, body);
      setOutcome({ ok: true, to: check.jid, result });
      announce(sentText(check.jid, result));
      setText('');
      setTextTouched(false);
      setReplyTo('');
      onSent();
    } catch (failure) {
      setOutcome({ ok: false, error: errorText(failure), code: (failure as { code?: number }).code ?? 0 });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card send-form" noValidate onSubmit={(event) => void submit(event)}>
      {session && session.state !== 'connected' && (
        <p className="banner warning">
          WhatsApp is not linked right now, so sending will fail. Link your phone on the{' '}
          <ScreenLink path="/pairing">Phone link</ScreenLink> screen first.
        </p>
      )}
      <div className="field">
        <label htmlFor={ids.to}>To</label>
        <input
          id={ids.to}
          ref={toInput}
          type="text"
          inputMode="tel"
          autoComplete="off"
          spellCheck={false}
          value={to}
          aria-invalid={toError !== null}
          aria-describedby={`${ids.toHint} ${ids.toError}`}
          onChange={(event) => setTo(event.target.value)}
          onBlur={() => to.trim() !== '' && setToTouched(true)}
        />
        <p id={ids.toHint} className="hint">
          A phone number with its country code (+1 555 000 1111) or a chat ID (…@s.whatsapp.net, …@g.us).
        </p>
        <p id={ids.toError} className="error-text field-error">
          {toError ?? (check.ok ? <span className="ok-text">Will send to {displayChat(check.jid)}</span> : '')}
        </p>
        {info.sandbox && <SandboxContacts onPick={(number) => setTo(`+${number}`)} />}
        {session?.state === 'connected' && <GroupPicker chosen={to} onPick={setTo} />}
      </div>
      <div className="field">
        <label htmlFor={ids.text}>Message</label>
        <textarea
          id={ids.text}
          ref={textInput}
          rows={5}
          value={text}
          aria-invalid={textError !== null}
          aria-describedby={ids.count}
          onChange={(event) => setText(event.target.value)}
        />
        <p id={ids.count} className={`hint count ${text.length > MAX_TEXT_LENGTH ? 'over' : ''}`}>
          {text.length.toLocaleString()} / {MAX_TEXT_LENGTH.toLocaleString()} characters
          {textError && <span className="error-text"> — {textError}</span>}
        </p>
      </div>
      <div className="field">
        <label htmlFor={ids.reply}>Reply to message ID (optional)</label>
        <input
          id={ids.reply}
          type="text"
          spellCheck={false}
          value={replyTo}
          aria-describedby={ids.replyHint}
          onChange={(event) => setReplyTo(event.target.value)}
        />
        <p id={ids.replyHint} className="hint">
          To quote an earlier message in the same chat, paste its message ID.
        </p>
      </div>
      <fieldset className="toggles">
        <legend>Look like a person</legend>
        <label className="check">
          <input type="checkbox" checked={typing} onChange={(event) => setTyping(event.target.checked)} />
          Show “typing…” before sending (takes a few seconds, longer for long texts)
        </label>
        <label className="check">
          <input type="checkbox" checked={presence} onChange={(event) => setPresence(event.target.checked)} />
          Appear online while sending
        </label>
      </fieldset>
      <BusyButton type="submit" className="primary" busy={busy}>
        {busy ? 'Sending…' : 'Send'}
      </BusyButton>
      {outcome?.ok === true && (
        <p className="ok-text outcome">
          {sentText(outcome.to, outcome.result, false)}
          <code>{outcome.result.message_id}</code>
        </p>
      )}
      {outcome?.ok === false && (
        <p className="error-text" role="alert">
          Not sent: {outcome.error}
          {outcome.code === 503 && ' Link your phone on the Phone link screen, then try again.'}
        </p>
      )}
    </form>
  );
}

/** "Sent to +1555… at 10:42. Message ID: …", on the page (the id apart, as code) and in the announcement. */
function sentText(to: string, result: SendResult, withId = true): string {
  const said = `Sent to ${displayChat(to)} at ${clockTime(result.timestamp * 1000)}. Message ID: `;
  return withId ? said + result.message_id : said;
}

/** The groups the phone is in, by name: picking one puts its JID in the To field. */
function GroupPicker({ chosen, onPick }: { chosen: string; onPick: (jid: string) => void }) {
  const id = useId();
  const [groups, setGroups] = useState<GroupSummary[]>([]);
  useEffect(() => {
    api<GroupSummary[]>('GET', '/groups').then(setGroups, () => setGroups([]));
  }, []);
  if (groups.length === 0) return null;
  return (
    <div className="group-picker">
      <label htmlFor={id}>Or a group</label>
      <select
        id={id}
        value={groups.some((g) => g.jid === chosen) ? chosen : ''}
        onChange={(event) => event.target.value && onPick(event.target.value)}
      >
        <option value="">Pick a group…</option>
        {groups.map((g) => (
          <option key={g.jid} value={g.jid}>
            {g.subject} ({g.size} members)
          </option>
        ))}
      </select>
    </div>
  );
}

function SandboxContacts({ onPick }: { onPick: (number: string) => void }) {
  const [contacts, setContacts] = useState<ContactView[]>([]);
  useEffect(() => {
    api<ContactView[]>('GET', '/sandbox/contacts').then(setContacts, () => setContacts([]));
  }, []);
  if (contacts.length === 0) return null;
  return (
    <div className="quick-contacts" role="group" aria-label="Sandbox contacts">
      <span className="hint">Sandbox contacts:</span>
      {contacts.map((contact) => (
        <button type="button" key={contact.number} className="chip" onClick={() => onPick(contact.number)}>
          {contact.name} (+{contact.number}){contact.on_whatsapp ? '' : ', not on WhatsApp'}
        </button>
      ))}
    </div>
  );
}

const STATUS_WORDS: Record<StoredMessage['status'], string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
  received: 'Received',
};

function RecentSends({ messages, error }: { messages: StoredMessage[] | null; error: string | null }) {
  return (
    <div className="card" role="region" aria-labelledby="recent-title">
      <h2 id="recent-title">Recent sends</h2>
      {error && (
        <p role="alert" className="error-text">
          Could not read recent messages: {error}
        </p>
      )}
      {messages?.length === 0 && <p>Nothing sent yet.</p>}
      {messages && messages.length > 0 && (
        <div className="table-wrap">
          <table className="recent stackable">
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Message</th>
                <th scope="col">Time</th>
                <th scope="col">Status</th>
                <th scope="col">Message ID</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((message) => (
                <tr key={message.message_id}>
                  <td data-label="To">{displayChat(message.chat_jid)}</td>
                  <td className="text-cell" data-label="Message">
                    {message.text ?? ''}
                  </td>
                  <td data-label="Time">{dateTime(message.timestamp * 1000)}</td>
                  <td data-label="Status">
                    <span className={`status ${message.status}`}>{STATUS_WORDS[message.status]}</span>
                  </td>
                  <td data-label="Message ID">
                    <code className="id">{message.message_id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
