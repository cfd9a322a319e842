import { useCallback, useEffect, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import { useCoreEvent, useStreamOpen } from '../api/events.ts';
import type { OutboxEntry, OutboxStage } from '../../../server/contract/outbox.ts';
import type { PacedMessage, PacingState } from '../../../server/contract/pacing.ts';
import { PACING_LIMIT_WORDS } from '../../../server/contract/pacing-words.ts';
import { failureWords } from '../../../server/contract/failure-words.ts';
import { KIND_WORDS } from '../../../server/contract/message-content.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ScreenHeading } from '../components/ScreenHeading.tsx';
import { dateTime, displayChat, untilTime } from '../format/time.ts';
import { useAnnounce } from '../state/announce.ts';
import { useSession } from '../state/session.ts';
import { useInOrder } from '../state/in-order.ts';

type Action = 'retry' | 'drop' | 'cancel';
type Pending = { action: Action; entry: OutboxEntry };

const GROUPS: { stage: OutboxStage; title: string }[] = [
  { stage: 'failed', title: 'Failed' },
  { stage: 'sending', title: 'Waiting for WhatsApp to confirm' },
  { stage: 'queued', title: 'Waiting to leave' },
  { stage: 'scheduled', title: 'Scheduled' },
];

const TITLE = 'outbox-title';

/** The outbox: messages WaGate accepted that have not reached WhatsApp yet, or failed; follows the core's events. */
export function Outbox() {
  const [entries, setEntries] = useState<OutboxEntry[] | null>(null);
  const [held, setHeld] = useState<PacedMessage[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const announce = useAnnounce();
  const listInOrder = useInOrder();
  const heldInOrder = useInOrder();

  const load = useCallback(() => {
    listInOrder(
      api<OutboxEntry[]>('GET', '/outbox'),
      (list) => {
        setEntries(list);
        setLoadError(null);
      },
      (failure: unknown) => setLoadError(errorText(failure)),
    );
    heldInOrder(
      api<PacingState>('GET', '/admin/pacing'),
      (state) => setHeld(state.waiting),
      () => setHeld([]),
    );
  }, [listInOrder, heldInOrder]);

  useEffect(load, [load]);
  useStreamOpen(load);
  useCoreEvent('message.status', load);
  useCoreEvent('outbox.changed', load);
  useCoreEvent('pacing.changed', (state) => heldInOrder(Promise.resolve(state), (latest) => setHeld(latest.waiting)));

  async function act({ action, entry }: Pending): Promise<void> {
    setPending(null);
    setActionError(null);
    const to = displayChat(entry.chat_jid);
    try {
      if (action === 'retry') await api('POST', `/outbox/${encodeURIComponent(entry.message_id)}/retry`);
      if (action === 'drop') await api('DELETE', `/outbox/${encodeURIComponent(entry.message_id)}`);
      if (action === 'cancel') await api('DELETE', `/messages/${encodeURIComponent(entry.message_id)}`);
      announce(DONE_WORDS[action](to));
      load();
    } catch (failure) {
      setActionError(`Could not ${action} the message to ${to}: ${errorText(failure)}`);
    }
  }

  return (
    <section aria-labelledby={TITLE} className="screen">
      <ScreenHeading id={TITLE}>Outbox</ScreenHeading>
      <p className="intro">
        The outbox holds every message WaGate has accepted until WhatsApp’s server confirms it has it: messages waiting
        their turn, held back by pacing, scheduled for later, or waiting for the connection. If WaGate stops or the
        connection drops, they are sent when it is back, each once. A message that failed stays here until you retry or
        drop it.
      </p>
      {loadError && (
        <p role="alert" className="error-text">
          Could not read the outbox: {loadError}
        </p>
      )}
      {actionError && (
        <p role="alert" className="error-text">
          {actionError}
        </p>
      )}
      {entries === null && !loadError && <p>Reading the outbox…</p>}
      {entries?.length === 0 && (
        <div className="card empty">
          <p>
            <strong>The outbox is empty:</strong> every message WaGate accepted has reached WhatsApp, and none failed.
          </p>
        </div>
      )}
      {entries &&
        GROUPS.map(({ stage, title }) => {
          const inStage = entries.filter((entry) => entry.stage === stage);
          if (inStage.length === 0) return null;
          return (
            <section key={stage} className="card outbox-group" aria-labelledby={`outbox-${stage}`}>
              <h2 id={`outbox-${stage}`}>
                {title} <span className="count">({inStage.length})</span>
              </h2>
              <ul className="outbox-list">
                {inStage.map((entry) => (
                  <Entry
                    key={entry.message_id}
                    entry={entry}
                    held={held.find((paced) => paced.message_id === entry.message_id) ?? null}
                    onAsk={(action) => setPending({ action, entry })}
                  />
                ))}
              </ul>
            </section>
          );
        })}
      <ConfirmDialog
        open={pending !== null}
        title={pending ? QUESTION[pending.action](displayChat(pending.entry.chat_jid)) : ''}
        confirmLabel={pending ? CONFIRM_LABEL[pending.action] : ''}
        cancelLabel="Keep it as it is"
        onConfirm={() => pending && void act(pending)}
        onCancel={() => setPending(null)}
        focusAfterConfirm={TITLE}
      >
        <p>{pending ? CONSEQUENCE[pending.action](pending.entry) : ''}</p>
      </ConfirmDialog>
    </section>
  );
}

function Entry({
  entry,
  held,
  onAsk,
}: {
  entry: OutboxEntry;
  held: PacedMessage | null;
  onAsk: (action: Action) => void;
}) {
  const to = displayChat(entry.chat_jid);
  const says = entry.text ?? KIND_WORDS[entry.kind];
  return (
    <li className="outbox-entry" aria-label={`To ${to}: ${says}`}>
      <p className="to">
        To <strong>{to}</strong> <span className="hint">accepted {dateTime(entry.created_at * 1000)}</span>
      </p>
      <p className="text">{says}</p>
      <p className={entry.stage === 'failed' ? 'why error-text' : 'why'}>
        <StageWords entry={entry} held={held} />
      </p>
      <div className="row-actions">
        {entry.stage === 'failed' && (
          <>
            <button type="button" onClick={() => onAsk('retry')} aria-label={`Retry the message to ${to}`}>
              Retry
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => onAsk('drop')}
              aria-label={`Drop the message to ${to}`}
            >
              Drop
            </button>
          </>
        )}
        {(entry.stage === 'queued' || entry.stage === 'scheduled') && (
          <button
            type="button"
            className="danger"
            onClick={() => onAsk('cancel')}
            aria-label={`Cancel the message to ${to}`}
          >
            Cancel sending
          </button>
        )}
      </div>
    </li>
  );
}

function StageWords({ entry, held }: { entry: OutboxEntry; held: PacedMessage | null }) {
  const session = useSession();
  if (entry.stage === 'failed') return <>{failureWords(entry.failure_reason)}</>;
  if (entry.stage === 'scheduled' && entry.send_at !== null) return <>Leaves at {dateTime(entry.send_at * 1000)}.</>;
  if (entry.stage === 'sending') {
    const times = entry.attempts === 1 ? 'once' : `${entry.attempts} times`;
    return <>Handed to WhatsApp ({times}); waiting for its server to confirm it has the message.</>;
  }
  if (held) {
    const when = held.until === null ? 'until the policy allows it' : `until ${untilTime(held.until * 1000)}`;
    return (
      <>
        Held back by pacing {when}: {PACING_LIMIT_WORDS[held.limit]}.
      </>
    );
  }
  if (session && session.state !== 'connected') return <>Waits for WaGate to be connected to WhatsApp.</>;
  return <>Waits its turn: it leaves after the messages before it in this chat.</>;
}

const QUESTION: Record<Action, (to: string) => string> = {
  retry: (to) => `Send the message to ${to} again?`,
  drop: (to) => `Drop the message to ${to}?`,
  cancel: (to) => `Stop the message to ${to} from being sent?`,
};

const CONFIRM_LABEL: Record<Action, string> = {
  retry: 'Retry',
  drop: 'Drop message',
  cancel: 'Do not send it',
};

const CONSEQUENCE: Record<Action, (entry: OutboxEntry) => string> = {
  retry: (entry) =>
    entry.failure_reason === 'server_rejected:463'
      ? 'WhatsApp refused it because this number may not start new chats right now; a retry counts as another try and can make that restriction longer.'
      : 'It goes back in line with the same message id, so the recipient gets it once.',
  drop: () => 'It leaves the outbox and is never sent. Its history keeps it as failed.',
  cancel: () => 'It has not left yet: it will not be sent, and its status becomes failed (cancelled).',
};

const DONE_WORDS: Record<Action, (to: string) => string> = {
  retry: (to) => `The message to ${to} is queued again.`,
  drop: (to) => `The message to ${to} was dropped. It will not be sent.`,
  cancel: (to) => `The message to ${to} was cancelled. It will not be sent.`,
};
