import type { InboxEntry } from '../../../server/contract/sandbox.ts';
import { sizeInWords } from '../../../server/contract/limits.ts';
import { KIND_WORDS } from '../../../server/contract/message-content.ts';

/** A message of the inbox in a few words, to say what a reaction, an edit or a delete was about. */
function about(entries: InboxEntry[], id: string | undefined): string {
  const target = entries.find((entry) => entry.message_id === id);
  if (!target) return 'a message';
  const said = target.text ?? target.caption ?? target.poll?.question ?? target.location?.name ?? null;
  return said ? `“${said.length > 40 ? `${said.slice(0, 39)}…` : said}”` : `a ${KIND_WORDS[target.kind].toLowerCase()}`;
}

/**
 * What a virtual contact received, as their phone shows it: the text (edited or deleted afterwards), a location, a
 * contact card, a poll with this contact's votes, a reaction, or a media file as the contact downloaded and
 * decrypted it (kind, name, type, size, and the SHA-256 to compare with what was sent) with its caption.
 */
export function ReceivedContent({ entry, entries }: { entry: InboxEntry; entries: InboxEntry[] }) {
  if (entry.deleted) return <p className="bubble-text deleted">This message was deleted</p>;
  switch (entry.kind) {
    case 'reaction':
      return (
        <p className="bubble-text">
          {entry.emoji ? `Reacted ${entry.emoji}` : 'Took a reaction away'} to {about(entries, entry.target_message_id)}
        </p>
      );
    case 'edit':
      return <p className="bubble-text">Edited {about(entries, entry.target_message_id)}</p>;
    case 'delete':
      return <p className="bubble-text">Deleted {about(entries, entry.target_message_id)} for everyone</p>;
    case 'location':
      return entry.location ? (
        <div className="bubble-media">
          <p>
            <strong>Location</strong>
            {entry.location.name && <> · {entry.location.name}</>}
          </p>
          <p className="hint">
            {entry.location.latitude}, {entry.location.longitude}
            {entry.location.address && `, ${entry.location.address}`}
          </p>
        </div>
      ) : null;
    case 'contact_card':
      return (
        <div className="bubble-media">
          <p>
            <strong>Contact card</strong>
          </p>
          {entry.contacts?.map((contact, i) => (
            <p key={i}>
              {contact.name}
              {contact.phone && <span className="hint"> +{contact.phone}</span>}
            </p>
          ))}
        </div>
      );
    case 'poll':
      return entry.poll ? (
        <div className="bubble-media">
          <p>
            <strong>Poll</strong> · {entry.poll.question}
          </p>
          <ul className="poll-options">
            {entry.poll.options.map((option) => (
              <li key={option}>
                {option}
                {entry.poll!.votes.includes(option) && ' ✓ (voted)'}
              </li>
            ))}
          </ul>
        </div>
      ) : null;
    case 'text':
      return (
        <p className="bubble-text">
          {entry.text}
          {entry.edits?.length ? <span className="hint"> (edited)</span> : null}
        </p>
      );
    default:
      return entry.media ? <ReceivedMedia entry={entry} /> : <p className="bubble-text">{entry.text ?? ''}</p>;
  }
}

function ReceivedMedia({ entry }: { entry: InboxEntry }) {
  const media = entry.media!;
  const facts = [
    media.mime_type,
    sizeInWords(media.size),
    media.seconds !== null ? `${media.seconds} s` : null,
    media.width !== null && media.height !== null ? `${media.width}×${media.height}` : null,
    media.has_thumbnail ? 'with a preview' : null,
  ].filter((fact) => fact !== null);
  return (
    <div className="bubble-media">
      <p>
        <strong>{KIND_WORDS[entry.kind]}</strong>
        {media.file_name && <> · {media.file_name}</>}
      </p>
      <p className="hint">{facts.join(', ')}</p>
      {entry.caption && <p className="bubble-text">{entry.caption}</p>}
      {media.sha256 ? (
        <p className="hint sha">
          SHA-256 <code className="id">{media.sha256}</code>
        </p>
      ) : (
        <p className="error-text">The contact could not open the file: {media.error ?? 'unknown reason'}</p>
      )}
    </div>
  );
}
