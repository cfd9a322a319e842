import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import { useCoreEvent, useStreamOpen } from '../api/events.ts';
import type { AcceptedResult, SendResult, StoredMessage } from '../../../server/contract/messages.ts';
import { MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH } from '../../../server/contract/limits.ts';
import { isBlankText, textLength } from '../../../server/contract/text.ts';
import type { ContactView } from '../../../server/contract/sandbox.ts';
import type { GroupSummary } from '../../../server/contract/groups.ts';
import {
  ATTACH_KIND_ID,
  AttachFile,
  CAPTIONED,
  attachmentProblem,
  kindsFor,
  useFileDrop,
  type Attachment,
} from '../components/AttachFile.tsx';
import { BusyButton } from '../components/BusyButton.tsx';
import { OtherKindsForm } from '../components/OtherKindsForm.tsx';
import { RecentMessages, excerpt } from '../components/RecentMessages.tsx';
import { ScreenHeading } from '../components/ScreenHeading.tsx';
import { ScreenLink } from '../components/ScreenLink.tsx';
import { displayChat, messageTime } from '../format/time.ts';
import { KIND_WORDS } from '../../../server/contract/message-content.ts';
import { useAdminInfo } from '../state/admin.ts';
import { useAnnounce } from '../state/announce.ts';
import { focusById } from '../state/focus.ts';
import { stepWords, useSendProgress } from '../state/send-progress.ts';
import { useSession } from '../state/session.ts';
import { checkChatId } from '../validation/chat-id.ts';
import { useInOrder } from '../state/in-order.ts';
import './send.css';

type Outcome =
  | { kind: 'sent'; to: string; result: SendResult }
  | { kind: 'accepted'; to: string; result: AcceptedResult }
  | { kind: 'failed'; error: string; code: number };

/** The Message field's id: "Reply" in the list moves the focus there. */
const TEXT_ID = 'send-text';
/** The To field's id: the form for other kinds sends to it, and points there when it is empty. */
const TO_ID = 'send-to';

/** Send a message by hand, as a program would through the API, and see what happened to recent ones. */
export function Send() {
  const [recent, setRecent] = useState<StoredMessage[] | null>(null);
  const [recentError, setRecentError] = useState<string | null>(null);
  const [to, setTo] = useState('');
  const [replyTo, setReplyTo] = useState('');

  const recentInOrder = useInOrder();

  const load = useCallback(() => {
    recentInOrder(
      api<StoredMessage[]>('GET', '/admin/messages?limit=20'),
      (messages) => {
        setRecent(messages);
        setRecentError(null);
      },
      (failure: unknown) => setRecentError(errorText(failure)),
    );
  }, [recentInOrder]);

  useEffect(load, [load]);
  useStreamOpen(load);
  useCoreEvent('message.received', load);
  const shown = useRef(recent);
  shown.current = recent;
  useCoreEvent('message.status', (change) => {
    if (!shown.current?.some((message) => message.message_id === change.message_id)) return load();
    recentInOrder(Promise.resolve(change), ({ message_id, status }) =>
      setRecent(
        (messages) =>
          messages?.map((message) => (message.message_id === message_id ? { ...message, status } : message)) ?? null,
      ),
    );
  });

  function reply(message: StoredMessage): void {
    setTo(message.chat_jid.endsWith('@s.whatsapp.net') ? displayChat(message.chat_jid) : message.chat_jid);
    setReplyTo(message.message_id);
    focusById(TEXT_ID);
  }

  return (
    <section aria-labelledby="send-title" className="screen">
      <ScreenHeading id="send-title">Send a message</ScreenHeading>
      <p className="intro">Send a WhatsApp message by hand, exactly as a program would through the API.</p>
      <SendForm
        to={to}
        onTo={setTo}
        replyTo={replyTo}
        onReplyTo={setReplyTo}
        quoted={recent?.find((message) => message.message_id === replyTo.trim()) ?? null}
        onSent={load}
      />
      <OtherKindsForm to={to} toFieldId={TO_ID} />
      <RecentMessages messages={recent} error={recentError} onReply={reply} onChanged={load} />
    </section>
  );
}

interface FormProps {
  to: string;
  onTo(to: string): void;
  replyTo: string;
  onReplyTo(id: string): void;
  /** The message replied to, when the recent list has it. */
  quoted: StoredMessage | null;
  onSent(): void;
}

function SendForm({ to, onTo, replyTo, onReplyTo, quoted, onSent }: FormProps) {
  const ids = {
    to: TO_ID,
    toHint: useId(),
    toError: useId(),
    count: useId(),
    attachError: useId(),
    reply: useId(),
    replyHint: useId(),
  };
  const info = useAdminInfo();
  const session = useSession();
  const toInput = useRef<HTMLInputElement>(null);
  const textInput = useRef<HTMLTextAreaElement>(null);
  const [toTouched, setToTouched] = useState(false);
  const [text, setText] = useState('');
  const [textTouched, setTextTouched] = useState(false);
  const [typing, setTyping] = useState(true);
  const [presence, setPresence] = useState(true);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [attachError, setAttachError] = useState<string | null>(null);
  const announce = useAnnounce();
  const attach = (next: Attachment | null) => {
    setAttachment(next);
    setAttachError(null);
    edited();
  };
  const drop = useFileDrop((file) => {
    attach({ file, kind: kindsFor(file)[0]! });
    announce(`${file.name} attached.`);
  });
  const progress = useSendProgress((step) => {
    // The long waits are said; the quick steps between them would only chatter.
    if (step.kind === 'paced' || step.kind === 'typing') announce(stepWords(step));
  });

  const check = checkChatId(to);
  const toError = !check.ok && (toTouched || (check.settled && to.trim() !== '')) ? check.reason : null;
  /** With a file attached, the text is its caption (optional, shorter), or nothing for kinds without one. */
  const captioned = attachment === null || CAPTIONED.has(attachment.kind);
  const maxText = attachment ? MAX_CAPTION_LENGTH : MAX_TEXT_LENGTH;
  const textError =
    textTouched && isBlankText(text) && !attachment
      ? 'Write the message to send.'
      : captioned && textLength(text) > maxText
        ? `WhatsApp allows at most ${maxText.toLocaleString()} characters${attachment ? ' in a caption' : ''}.`
        : null;

  /** A failure said about an earlier try is not about what the user is changing now. */
  const edited = () => setOutcome((last) => (last?.kind === 'failed' ? null : last));

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy) return;
    setOutcome(null);
    setToTouched(true);
    setTextTouched(true);
    if (!check.ok) {
      toInput.current?.focus();
      return;
    }
    const problem = attachment && attachmentProblem(attachment);
    if (problem) {
      setAttachError(problem);
      focusById(ATTACH_KIND_ID);
      return;
    }
    if ((!attachment && isBlankText(text)) || (captioned && textLength(text) > maxText)) {
      textInput.current?.focus();
      return;
    }
    setBusy(true);
    progress.start(check.jid, attachment?.kind === 'voice');
    const options = {
      ...(replyTo.trim() ? { reply_to_message_id: replyTo.trim() } : {}),
      typing_simulation: typing,
      presence_simulation: presence,
    };
    const chat = encodeURIComponent(check.jid);
    try {
      const answer = attachment
        ? await api<SendResult | AcceptedResult>('POST', `/chats/${chat}/media`, mediaForm(attachment, text, options))
        : await api<SendResult | AcceptedResult>('POST', `/chats/${chat}/messages`, { text, ...options });
      const done: Outcome =
        answer.status === 'sent'
          ? { kind: 'sent', to: check.jid, result: answer }
          : { kind: 'accepted', to: check.jid, result: answer };
      setOutcome(done);
      announce(outcomeText(done, true));
      setText('');
      setTextTouched(false);
      setAttachment(null);
      onReplyTo('');
      onSent();
    } catch (failure) {
      setOutcome({ kind: 'failed', error: errorText(failure), code: (failure as { code?: number }).code ?? 0 });
    } finally {
      progress.stop();
      setBusy(false);
    }
  }

  return (
    <form
      className={`card send-form${drop.over ? ' dropping' : ''}`}
      noValidate
      onSubmit={(event) => void submit(event)}
      {...drop.props}
    >
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
          onChange={(event) => {
            onTo(event.target.value);
            edited();
          }}
          onBlur={() => to.trim() !== '' && setToTouched(true)}
        />
        <p id={ids.toHint} className="hint">
          A phone number with its country code (+1 555 000 1111) or a chat ID (…@s.whatsapp.net, …@g.us).
        </p>
        <p id={ids.toError} className="error-text field-error">
          {toError ?? (check.ok ? <span className="ok-text">Will send to {displayChat(check.jid)}</span> : '')}
        </p>
        {info.sandbox && <SandboxContacts onPick={(number) => onTo(`+${number}`)} />}
        {session?.state === 'connected' && <GroupPicker chosen={to} onPick={onTo} />}
      </div>
      <AttachFile attachment={attachment} onChange={attach} errorId={ids.attachError} error={attachError} />
      <div className="field">
        {captioned ? (
          <label htmlFor={TEXT_ID}>{attachment ? 'Caption (optional)' : 'Message'}</label>
        ) : (
          <p className="hint">A {KIND_WORDS[attachment!.kind].toLowerCase()} goes without a caption.</p>
        )}
        {replyTo.trim() !== '' && (
          <p className="replying">
            <span>
              Replying to{' '}
              {quoted ? (
                <>
                  {quoted.direction === 'inbound' ? displayChat(quoted.sender) : 'your message'}: “{excerpt(quoted)}”
                </>
              ) : (
                <>
                  message <code className="id">{replyTo.trim()}</code>
                </>
              )}
            </span>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                onReplyTo('');
                textInput.current?.focus();
              }}
            >
              Cancel reply
            </button>
          </p>
        )}
        {captioned && (
          <>
            <textarea
              id={TEXT_ID}
              ref={textInput}
              rows={5}
              value={text}
              aria-invalid={textError !== null}
              aria-describedby={ids.count}
              onChange={(event) => {
                setText(event.target.value);
                edited();
              }}
            />
            <p id={ids.count} className={`hint count ${textLength(text) > maxText ? 'over' : ''}`}>
              {textLength(text).toLocaleString()} / {maxText.toLocaleString()} characters
              {textError && <span className="error-text"> — {textError}</span>}
            </p>
          </>
        )}
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
      <details className="developer">
        <summary>Reply by message ID (for developers)</summary>
        <div className="field">
          <label htmlFor={ids.reply}>Reply to message ID</label>
          <input
            id={ids.reply}
            type="text"
            spellCheck={false}
            value={replyTo}
            aria-describedby={ids.replyHint}
            onChange={(event) => {
              onReplyTo(event.target.value);
              edited();
            }}
          />
          <p id={ids.replyHint} className="hint">
            The ID of an earlier message in the same chat, as the API gives it. “Reply” on a message below does the
            same.
          </p>
        </div>
      </details>
      <BusyButton type="submit" className="primary" busy={busy}>
        {busy ? 'Sending…' : 'Send'}
      </BusyButton>
      {busy && progress.step && <p className="send-progress">{stepWords(progress.step)}</p>}
      {outcome && outcome.kind !== 'failed' && (
        <p className="ok-text outcome">
          {outcomeText(outcome, false)}
          <code>{outcome.result.message_id}</code>
        </p>
      )}
      {outcome?.kind === 'failed' && (
        <p className="error-text" role="alert">
          Not sent: {outcome.error}
          {outcome.code === 503 && ' Link your phone on the Phone link screen, then try again.'}
        </p>
      )}
    </form>
  );
}

/** The multipart body of `POST /chats/{chat_jid}/media`: the file, what it goes as, its caption and the options. */
function mediaForm({ file, kind }: Attachment, caption: string, options: Record<string, string | boolean>): FormData {
  const form = new FormData();
  form.append('kind', kind);
  if (CAPTIONED.has(kind) && caption.trim() !== '') form.append('caption', caption);
  for (const [name, value] of Object.entries(options)) form.append(name, String(value));
  form.append('file', file, file.name);
  return form;
}

/** "Sent to +1555… at 10:42:07. Message ID: …", on the page (the id apart, as code) and in the announcement. */
function outcomeText(outcome: Exclude<Outcome, { kind: 'failed' }>, withId: boolean): string {
  const said =
    outcome.kind === 'sent'
      ? `Sent to ${displayChat(outcome.to)} at ${messageTime(outcome.result.timestamp * 1000)}. Message ID: `
      : `WhatsApp has not acknowledged it yet: the message to ${displayChat(outcome.to)} stays in the outbox and leaves by itself; the list below shows its status. Message ID: `;
  return withId ? said + outcome.result.message_id : said;
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
