import type { StoredMessage } from '../../../server/contract/messages.ts';
import { displayChat } from '../format/time.ts';
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

/** The start of a message's text, to name it in a button or a line ("Replying to …"). */
export function excerpt(text: string | null, length = 40): string {
  if (!text) return 'a message without text';
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** Only a message WhatsApp has (not one still waiting or failed) can be quoted. */
const canQuote = (message: StoredMessage) => !['queued', 'sending', 'failed'].includes(message.status);

interface Props {
  messages: StoredMessage[] | null;
  error: string | null;
  onReply(message: StoredMessage): void;
}

/** What was sent and received lately, newest first, with what the user can do to each message. */
export function RecentMessages({ messages, error, onReply }: Props) {
  return (
    <div className="card" role="region" aria-labelledby="recent-title">
      <h2 id="recent-title">Recent messages</h2>
      {error && (
        <p role="alert" className="error-text">
          Could not read recent messages: {error}
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
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {messages.map((message) => (
                <tr key={message.message_id}>
                  <td data-label="Chat">
                    {/* One box, so a stacked row can put the number under "From" rather than widen the page. */}
                    <span>
                      {message.direction === 'inbound' ? 'From ' : 'To '}
                      <span className="chat">{displayChat(message.chat_jid)}</span>
                    </span>
                  </td>
                  <td className="text-cell" data-label="Message">
                    {message.text ?? ''}
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
                  <td>
                    <div className="row-actions">
                      {canQuote(message) && (
                        <button
                          type="button"
                          aria-label={`Reply to “${excerpt(message.text)}”`}
                          onClick={() => onReply(message)}
                        >
                          Reply
                        </button>
                      )}
                    </div>
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
