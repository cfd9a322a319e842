import { useId, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { api, errorText } from '../api/client.ts';
import type { StoredMessage } from '../../../server/contract/messages.ts';
import { MAX_TEXT_LENGTH, sizeInWords } from '../../../server/contract/limits.ts';
import { KIND_WORDS, type MessageMedia } from '../../../server/contract/message-content.ts';
import type { MediaKind } from '../../../server/contract/media.ts';
import { displayChat } from '../format/time.ts';
import { useAnnounce } from '../state/announce.ts';
import { focusById } from '../state/focus.ts';
import { BusyButton } from './BusyButton.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { MessageTime } from './MessageTime.tsx';

const STATUS_WORDS: Record<StoredMessage['status'], string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
  received: 'Received',
};

/** The reactions offered at one press; any other emoji goes through the API. */
const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

/** The line that says what the last action did: it takes the focus when the pressed control goes away. */
const RESULT_ID = 'recent-result';

/** The start of a text, to name a message in a button or a line ("Replying to …"). */
function shorten(text: string, length = 40): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** A message in a few words, whatever its kind: its text, or what it is ("Poll: Lunch?"). */
export function excerpt(message: StoredMessage | null): string {
  if (!message) return 'a message';
  switch (message.kind) {
    case 'text':
      return shorten(message.text);
    case 'location':
      return shorten(`Location${message.location.name ? `: ${message.location.name}` : ''}`);
    case 'contact_card':
      return shorten(`Contact card: ${message.contacts.map((c) => c.name).join(', ')}`);
    case 'poll':
      return shorten(`Poll: ${message.poll.question}`);
    case 'image':
    case 'video':
    case 'audio':
    case 'voice':
    case 'document':
    case 'sticker':
      return shorten(message.caption ?? `${KIND_WORDS[message.kind]}${name(message.media)}`);
    default:
      return message.text ? shorten(message.text) : KIND_WORDS[message.kind];
  }
}

const name = (media: MessageMedia) => (media.file_name ? `: ${media.file_name}` : '');

/** Reactions, edits and deletes are about another message; the rest are messages of their own. */
const isAbout = (message: StoredMessage) => ['reaction', 'edit', 'delete'].includes(message.kind);
/** Only a message WhatsApp has (not one still waiting or failed) can be quoted, reacted to, edited or deleted. */
const actionable = (message: StoredMessage) =>
  !isAbout(message) && message.kind !== 'other' && !['queued', 'sending', 'failed'].includes(message.status);
const own = (message: StoredMessage) => message.direction === 'outbound';

/** What later reactions, edits and deletes did to a message: the list shows them on it rather than as rows. */
interface Effects {
  /** The text after its last edit. */
  edited: string | null;
  deleted: boolean;
  /** Each sender's current reaction ("you" for this account's). */
  reactions: Map<string, string>;
}

function effectsOf(messages: StoredMessage[]): Map<string, Effects> {
  const effects = new Map<string, Effects>();
  const on = (id: string) => {
    const found = effects.get(id) ?? { edited: null, deleted: false, reactions: new Map<string, string>() };
    effects.set(id, found);
    return found;
  };
  // Oldest first, so the last word wins.
  for (const m of [...messages].reverse()) {
    if (m.status === 'failed') continue;
    if (m.kind === 'reaction') {
      const who = own(m) ? 'you' : displayChat(m.sender);
      if (m.emoji) on(m.target.message_id).reactions.set(who, m.emoji);
      else on(m.target.message_id).reactions.delete(who);
    } else if (m.kind === 'edit') on(m.target.message_id).edited = m.text;
    else if (m.kind === 'delete') on(m.target.message_id).deleted = true;
  }
  return effects;
}

interface Props {
  messages: StoredMessage[] | null;
  error: string | null;
  onReply(message: StoredMessage): void;
  /** A reaction, edit or delete was sent: the list reloads. */
  onChanged(): void;
}

type Open = { id: string; what: 'react' | 'edit' } | null;

/** What was sent and received lately, newest first, with what the user can do to each message. */
export function RecentMessages({ messages, error, onReply, onChanged }: Props) {
  const [open, setOpen] = useState<Open>(null);
  const [deleting, setDeleting] = useState<StoredMessage | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const announce = useAnnounce();
  const effects = effectsOf(messages ?? []);
  const listed = new Set(messages?.map((m) => m.message_id));
  const effectsOn = (message: StoredMessage) => effects.get(message.message_id) ?? null;
  /** A reaction, edit or delete shown on the message it is about (when that message is in the list). */
  const folded = (m: StoredMessage) =>
    (m.kind === 'reaction' || m.kind === 'edit' || m.kind === 'delete') &&
    m.status !== 'failed' &&
    listed.has(m.target.message_id);

  /** One reaction, edit or delete: its outcome in words, on the page and said, then the focus on that line. */
  async function act(
    message: StoredMessage,
    method: 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body: unknown,
    done: string,
  ): Promise<void> {
    setBusy(true);
    setResult(null);
    const base = `/chats/${encodeURIComponent(message.chat_jid)}/messages/${encodeURIComponent(message.message_id)}`;
    try {
      await api(method, base + path, body);
      flushSync(() => {
        setResult({ ok: true, text: done });
        setOpen(null);
      });
      announce(done);
      onChanged();
    } catch (failure) {
      flushSync(() => setResult({ ok: false, text: errorText(failure) }));
    } finally {
      setBusy(false);
      focusById(RESULT_ID);
    }
  }

  const react = (message: StoredMessage, emoji: string) =>
    act(
      message,
      'PUT',
      '/reaction',
      { emoji },
      emoji ? `Reacted ${emoji} to “${excerpt(message)}”.` : `Your reaction to “${excerpt(message)}” was removed.`,
    );

  return (
    <div className="card" role="region" aria-labelledby="recent-title">
      <h2 id="recent-title">Recent messages</h2>
      {error && (
        <p role="alert" className="error-text">
          Could not read recent messages: {error}
        </p>
      )}
      {result && (
        <p
          id={RESULT_ID}
          tabIndex={-1}
          role={result.ok ? undefined : 'alert'}
          className={result.ok ? 'ok-text' : 'error-text'}
        >
          {result.ok ? result.text : `Not done: ${result.text}`}
        </p>
      )}
      {messages?.length === 0 && <p>Nothing sent or received yet.</p>}
      {messages && messages.length > 0 && (
        <div className="table-wrap">
          <table className="recent stackable">
            <thead>
              <tr>
                <th scope="col">Chat</th>
                <th scope="col">Message</th>
                <th scope="col">Time</th>
                <th scope="col">Status</th>
                <th scope="col">Message ID</th>
              </tr>
            </thead>
            <tbody>
              {messages
                .filter((message) => !folded(message))
                .map((message) => (
                  <tr key={message.message_id}>
                    <td data-label="Chat">
                      {/* One box, so a stacked row can put the number under "From" rather than widen the page. */}
                      <span>
                        {message.direction === 'inbound' ? 'From ' : 'To '}
                        <span className="chat">{displayChat(message.chat_jid)}</span>
                      </span>
                    </td>
                    <td className="text-cell" data-label="Message">
                      {/* One box: a stacked (narrow) row lays its cells out side by side. */}
                      <div className="message-cell">
                        {open?.id === message.message_id && open.what === 'edit' ? (
                          <EditForm
                            initial={effectsOn(message)?.edited ?? message.text ?? ''}
                            busy={busy}
                            onSave={(text) =>
                              void act(message, 'PATCH', '', { text }, `Edited: the message now says “${text}”.`)
                            }
                            onCancel={() => {
                              flushSync(() => setOpen(null));
                              focusById(`edit-${message.message_id}`);
                            }}
                          />
                        ) : (
                          <MessageBody message={message} all={messages} effects={effectsOn(message)} />
                        )}
                        {actionable(message) && !effectsOn(message)?.deleted && (
                          <div className="row-actions">
                            <button
                              type="button"
                              aria-label={`Reply to “${excerpt(message)}”`}
                              onClick={() => onReply(message)}
                            >
                              Reply
                            </button>
                            <button
                              type="button"
                              aria-expanded={open?.id === message.message_id && open.what === 'react'}
                              aria-label={`React to “${excerpt(message)}”`}
                              onClick={() =>
                                setOpen((now) =>
                                  now?.id === message.message_id && now.what === 'react'
                                    ? null
                                    : { id: message.message_id, what: 'react' },
                                )
                              }
                            >
                              React
                            </button>
                            {own(message) && message.kind === 'text' && (
                              <button
                                type="button"
                                id={`edit-${message.message_id}`}
                                aria-label={`Edit “${excerpt(message)}”`}
                                onClick={() => setOpen({ id: message.message_id, what: 'edit' })}
                              >
                                Edit
                              </button>
                            )}
                            {own(message) && (
                              <button
                                type="button"
                                className="danger"
                                aria-label={`Delete “${excerpt(message)}”`}
                                onClick={() => setDeleting(message)}
                              >
                                Delete
                              </button>
                            )}
                          </div>
                        )}
                        {open?.id === message.message_id && open.what === 'react' && (
                          <div className="reactions" role="group" aria-label={`Reactions to “${excerpt(message)}”`}>
                            {REACTIONS.map((emoji) => (
                              <BusyButton
                                key={emoji}
                                type="button"
                                busy={busy}
                                className="chip"
                                aria-label={`React with ${emoji}`}
                                onClick={() => void react(message, emoji)}
                              >
                                {emoji}
                              </BusyButton>
                            ))}
                            <BusyButton
                              type="button"
                              busy={busy}
                              className="link-button"
                              onClick={() => void react(message, '')}
                            >
                              Remove my reaction
                            </BusyButton>
                          </div>
                        )}
                      </div>
                    </td>
                    <td data-label="Time">
                      <MessageTime seconds={message.timestamp} />
                    </td>
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
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this message for everyone?"
        confirmLabel="Delete for everyone"
        onConfirm={() => {
          const message = deleting!;
          setDeleting(null);
          void act(message, 'DELETE', '', undefined, `Deleted “${excerpt(message)}” for everyone.`);
        }}
        onCancel={() => setDeleting(null)}
      >
        <p>
          “{excerpt(deleting)}” disappears from the chat on every phone, which shows “This message was deleted” in its
          place. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** What a message says or is, in the list: a poll's options, a location's place, what a reaction is to… */
function MessageBody({
  message,
  all,
  effects,
}: {
  message: StoredMessage;
  all: StoredMessage[];
  effects: Effects | null;
}) {
  if (effects?.deleted) return <p className="deleted">This message was deleted for everyone.</p>;
  const reactions = [...(effects?.reactions ?? [])];
  return (
    <>
      {effects?.edited != null ? (
        <p>
          {effects.edited} <span className="hint">(edited)</span>
        </p>
      ) : (
        <KindBody message={message} all={all} />
      )}
      {reactions.length > 0 && (
        <p className="hint">Reactions: {reactions.map(([who, emoji]) => `${emoji} ${who}`).join(' · ')}</p>
      )}
    </>
  );
}

function KindBody({ message, all }: { message: StoredMessage; all: StoredMessage[] }) {
  const about = (id: string) => `“${excerpt(all.find((m) => m.message_id === id) ?? null)}”`;
  switch (message.kind) {
    case 'text':
      return <>{message.text}</>;
    case 'location':
      return (
        <>
          <strong>Location</strong> {message.location.name ?? ''} ({message.location.latitude},{' '}
          {message.location.longitude}){message.location.address ? `, ${message.location.address}` : ''}
        </>
      );
    case 'contact_card':
      return (
        <>
          <strong>Contact card</strong> {message.contacts.map((c) => `${c.name} (${c.phone})`).join(', ')}
        </>
      );
    case 'poll':
      return (
        <>
          <strong>Poll</strong> {message.poll.question}
          <span className="hint"> — {message.poll.options.join(' · ')}</span>
        </>
      );
    case 'reaction':
      return (
        <>
          {message.emoji ? `Reacted ${message.emoji}` : 'Took the reaction away'} to {about(message.target.message_id)}
        </>
      );
    case 'edit':
      return (
        <>
          Edited {about(message.target.message_id)} to “{message.text}”
        </>
      );
    case 'delete':
      return <>Deleted {about(message.target.message_id)} for everyone</>;
    case 'image':
    case 'video':
    case 'audio':
    case 'voice':
    case 'document':
    case 'sticker':
      return <MediaBody kind={message.kind} media={message.media} caption={message.caption} />;
    default:
      return <>{message.text ?? KIND_WORDS[message.kind]}</>;
  }
}

/** A media message: a thumbnail for pictures, what the file is, and a link to download it from WaGate. */
function MediaBody({ kind, media, caption }: { kind: MediaKind; media: MessageMedia; caption: string | null }) {
  const label = `${KIND_WORDS[kind]}${name(media)}`;
  return (
    <div className="media-cell">
      {(kind === 'image' || kind === 'sticker') && (
        <img className="thumb" src={media.url} alt="" width={72} height={72} />
      )}
      <div>
        <strong>{KIND_WORDS[kind]}</strong>
        {media.file_name && <> {media.file_name}</>}
        <span className="hint">
          {' '}
          ({media.mime_type}, {sizeInWords(media.size)}
          {media.seconds !== null ? `, ${media.seconds} s` : ''})
        </span>
        {caption && <p>{caption}</p>}
        <a href={media.url} download={media.file_name ?? ''} aria-label={`Download ${label}`}>
          Download
        </a>
      </div>
    </div>
  );
}

function EditForm({
  initial,
  busy,
  onSave,
  onCancel,
}: {
  initial: string;
  busy: boolean;
  onSave(text: string): void;
  onCancel(): void;
}) {
  const id = useId();
  const [text, setText] = useState(initial);
  const empty = text.trim() === '';
  function submit(event: FormEvent): void {
    event.preventDefault();
    if (!busy && !empty && text.length <= MAX_TEXT_LENGTH) onSave(text);
  }
  return (
    <form className="stack edit-form" onSubmit={submit}>
      <label htmlFor={id}>New text</label>
      <textarea
        id={id}
        rows={2}
        value={text}
        autoFocus
        aria-invalid={empty}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => event.key === 'Escape' && onCancel()}
      />
      <div className="row">
        <BusyButton type="submit" className="primary" busy={busy || empty}>
          {busy ? 'Saving…' : 'Save edit'}
        </BusyButton>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
