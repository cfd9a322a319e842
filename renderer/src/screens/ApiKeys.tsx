import { Fragment, useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiFailure, api, errorText } from '../api/client.ts';
import { useCoreEvent, useStreamOpen } from '../api/events.ts';
import type { ApiKeyRecord } from '../../../server/contract/keys.ts';
import { BusyButton } from '../components/BusyButton.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { CopyButton } from '../components/CopyButton.tsx';
import { SecretField } from '../components/SecretField.tsx';
import { CurlExample } from '../components/CurlExample.tsx';
import { ScreenHeading } from '../components/ScreenHeading.tsx';
import { dateOnly, dateTime, relativeTime } from '../format/time.ts';
import { useAction } from '../state/action.ts';
import { useAnnounce } from '../state/announce.ts';
import { useNow } from '../state/clock.ts';
import { focusById, useFocusOnMount } from '../state/focus.ts';
import { useOnReturn } from '../state/on-return.ts';
import { useInOrder } from '../state/in-order.ts';

const EXPIRY_CHOICES = [
  { value: '', label: 'Never' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
];

type Created = { key: string; record: ApiKeyRecord };

/** Where the focus goes when the control the user pressed is gone: the list the key went to or left. */
const LIST_TITLE = 'key-list-title';

/** API keys: the passwords other programs use to send through WaGate. */
export function ApiKeys() {
  const [keys, setKeys] = useState<ApiKeyRecord[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const announce = useAnnounce();

  const keysInOrder = useInOrder();

  const load = useCallback(() => {
    keysInOrder(
      api<ApiKeyRecord[]>('GET', '/admin/keys'),
      (list) => {
        setKeys(list);
        setLoadError(null);
      },
      (failure: unknown) => setLoadError(errorText(failure)),
    );
  }, [keysInOrder]);

  useEffect(load, [load]);
  useStreamOpen(load);
  useCoreEvent('keys.changed', load);
  // "Last used" changes when another program uses a key, which is not an event: read again when the user comes back.
  useOnReturn(load);

  return (
    <section aria-labelledby="keys-title" className="screen">
      <ScreenHeading id="keys-title">API keys</ScreenHeading>
      <p className="intro">
        An API key lets another program on this computer send WhatsApp messages through WaGate. Give each program its
        own key, so you can revoke one without touching the others.
      </p>
      {created ? (
        <NewKey
          created={created}
          onDone={() => {
            setCreated(null);
            focusById(LIST_TITLE);
          }}
        />
      ) : (
        <CreateKey
          onCreated={(result) => {
            setCreated(result);
            announce(`Key “${result.record.name}” created. Copy it now: this is the only time WaGate shows it.`);
          }}
        />
      )}
      <KeyList keys={keys} error={loadError} shownKey={created} onChanged={load} />
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated: (created: Created) => void }) {
  const nameId = useId();
  const expiryId = useId();
  const nameHintId = useId();
  const nameErrorId = useId();
  const nameInput = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  function refuseName(reason: string): void {
    setNameError(reason);
    nameInput.current?.focus();
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (name.trim() === '') return refuseName('Give the key a name first.');
    setNameError(null);
    await run(async () => {
      const body = { name, ...(expiry ? { expires_in_days: Number(expiry) } : {}) };
      try {
        onCreated(await api<Created>('POST', '/admin/keys', body));
      } catch (failure) {
        // The expiry is picked from a list, so a 400 is about the name.
        if (!(failure instanceof ApiFailure && failure.code === 400)) throw failure;
        refuseName(errorText(failure));
      }
    });
  }

  return (
    <form
      className="card create-key"
      noValidate
      onSubmit={(event) => void submit(event)}
      aria-labelledby="create-key-title"
    >
      <h2 id="create-key-title">Create a key</h2>
      <div className="row">
        <div className="field grow">
          <label htmlFor={nameId}>Name</label>
          <input
            id={nameId}
            ref={nameInput}
            value={name}
            maxLength={64}
            aria-required="true"
            aria-invalid={nameError !== null}
            aria-describedby={nameError === null ? nameHintId : `${nameHintId} ${nameErrorId}`}
            onChange={(event) => setName(event.target.value)}
          />
          <p id={nameHintId} className="hint">
            Which program will use it, for example “Shop notifications”.
          </p>
          {nameError && (
            <p id={nameErrorId} className="error-text">
              {nameError}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={expiryId}>Expires</label>
          <select id={expiryId} value={expiry} onChange={(event) => setExpiry(event.target.value)}>
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <BusyButton type="submit" className="primary" busy={busy}>
        {busy ? 'Creating…' : 'Create key'}
      </BusyButton>
      {error && (
        <p role="alert" className="error-text">
          Could not create the key: {error}
        </p>
      )}
    </form>
  );
}

function NewKey({ created, onDone }: { created: Created; onDone: () => void }) {
  const keyId = useId();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <div className="card new-key" role="region" aria-labelledby="new-key-title">
      <h2 id="new-key-title" ref={heading} tabIndex={-1}>
        Your new key “{created.record.name}”
      </h2>
      <p className="warning-text">
        <strong>Copy it now: this is the only time WaGate shows it.</strong> Keep it somewhere safe, like a password
        manager. If you lose it, create a new key and revoke this one.
      </p>
      <label htmlFor={keyId}>New API key</label>
      <div className="row">
        <SecretField id={keyId} value={created.key} />
        <CopyButton text={created.key} label="Copy key" />
      </div>
      <CurlExample apiKey={created.key} />
      <button type="button" onClick={onDone}>
        I have saved it
      </button>
    </div>
  );
}

const STATUS_WORDS: Record<ApiKeyRecord['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

function KeyList({
  keys,
  error,
  shownKey,
  onChanged,
}: {
  keys: ApiKeyRecord[] | null;
  error: string | null;
  /** The key just made, while its card still shows it: its example then carries the whole key. */
  shownKey: Created | null;
  /** After an action here: the list is read again at once, before its event arrives. */
  onChanged: () => void;
}) {
  const now = useNow(30_000);
  const [revoking, setRevoking] = useState<ApiKeyRecord | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);
  const [example, setExample] = useState<string | null>(null);
  const announce = useAnnounce();

  async function revoke(record: ApiKeyRecord): Promise<void> {
    setRevoking(null);
    setRevokeError(null);
    try {
      await api('DELETE', `/admin/keys/${encodeURIComponent(record.id)}`);
      onChanged();
      announce(`Key “${record.name}” revoked. Programs using it are refused from now on.`);
    } catch (failure) {
      setRevokeError(`Could not revoke “${record.name}”: ${errorText(failure)}`);
    }
  }

  return (
    <div className="card" aria-labelledby={LIST_TITLE} role="region">
      <h2 id={LIST_TITLE} tabIndex={-1}>
        Your keys
      </h2>
      {error && (
        <p role="alert" className="error-text">
          Could not read the keys: {error}
        </p>
      )}
      {revokeError && (
        <p role="alert" className="error-text">
          {revokeError}
        </p>
      )}
      {keys === null && !error && <p>Reading the keys…</p>}
      {keys?.length === 0 && <p>No keys yet. Create one above for each program that should send messages.</p>}
      {keys && keys.length > 0 && (
        <div
          className="table-wrap"
          onKeyDown={(event) => {
            // Escape closes the open example, from anywhere in the list, and gives the focus back to its button.
            if (event.key !== 'Escape' || example === null) return;
            event.stopPropagation();
            const id = example;
            setExample(null);
            focusById(howToUseIdOf(id));
          }}
        >
          <table className="keys stackable">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <Fragment key={key.id}>
                  <tr data-key-id={key.id}>
                    <th scope="row">{key.name}</th>
                    <td data-label="Starts with">
                      <code>{key.prefix}</code>
                    </td>
                    <td data-label="Created">
                      <Moment at={key.created_at} now={now} />
                    </td>
                    <td className="last-used" data-label="Last used">
                      <Moment at={key.last_used_at} now={now} />
                    </td>
                    <td data-label="Expires">
                      <Moment at={key.expires_at} now={now} absolute />
                    </td>
                    <td data-label="Status">
                      <span className={`status ${key.status}`}>{STATUS_WORDS[key.status]}</span>
                    </td>
                    <td>
                      <div className="row-actions">
                        {key.status === 'active' && (
                          <>
                            <button
                              type="button"
                              id={howToUseIdOf(key.id)}
                              aria-expanded={example === key.id}
                              aria-label={`How to use ${key.name}`}
                              onClick={() => setExample(example === key.id ? null : key.id)}
                            >
                              How to use
                            </button>
                            <button
                              type="button"
                              className="danger"
                              aria-label={`Revoke ${key.name}`}
                              onClick={() => setRevoking(key)}
                            >
                              Revoke
                            </button>
                          </>
                        )}
                      </div>
                    </td>
                  </tr>
                  {example === key.id && key.status === 'active' && (
                    <HowToUse record={key} wholeKey={shownKey?.record.id === key.id ? shownKey.key : null} />
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        onConfirm={() => revoking && void revoke(revoking)}
        onCancel={() => setRevoking(null)}
        focusAfterConfirm={LIST_TITLE}
      >
        <p>Programs using this key will be refused at once (“API key revoked”). This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}

const howToUseIdOf = (keyId: string) => `how-to-use-${keyId}`;

/** A key's example command: with the whole key while it is still shown, else with a placeholder for it. */
function HowToUse({ record, wholeKey }: { record: ApiKeyRecord; wholeKey: string | null }) {
  return (
    <tr className="example-row">
      <td colSpan={7}>
        <CurlExample apiKey={wholeKey ?? `${record.prefix}_…`} />
        {wholeKey === null && (
          <p className="hint">
            Put the whole key that starts with <code>{record.prefix}</code> (shown once, when it was created) in place
            of <code>{record.prefix}_…</code>.
          </p>
        )}
      </td>
    </tr>
  );
}

/** "3 minutes ago" (or a date, for expiries), with the exact time on hover; "Never" when there is none. */
function Moment({ at, now, absolute = false }: { at: number | null; now: number; absolute?: boolean }) {
  if (at === null) return <>Never</>;
  const ms = at * 1000;
  return (
    <time dateTime={new Date(ms).toISOString()} title={dateTime(ms)}>
      {absolute ? dateOnly(ms) : relativeTime(ms, now)}
    </time>
  );
}
