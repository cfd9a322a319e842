import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { api, errorText } from '../api/client.ts';
import { useCoreEvent, useStreamOpen } from '../api/events.ts';
import type { ContactView, GroupView, InboxEntry, PhoneView } from '../../../server/contract/sandbox.ts';
import type { StoredMessage } from '../../../server/contract/messages.ts';
import { KIND_WORDS } from '../../../server/contract/message-content.ts';
import { BusyButton } from '../components/BusyButton.tsx';
import { MessageTime } from '../components/MessageTime.tsx';
import { ReceivedContent } from '../components/ReceivedContent.tsx';
import { ScreenHeading } from '../components/ScreenHeading.tsx';
import { useAnnounce } from '../state/announce.ts';
import { focusById } from '../state/focus.ts';
import { useSession } from '../state/session.ts';
import { useInOrder } from '../state/in-order.ts';

/** Sandbox mode only: the simulator's phone and contacts, to try WaGate without a real phone. */
export function VirtualPhone() {
  return (
    <section aria-labelledby="sandbox-title" className="screen">
      <ScreenHeading id="sandbox-title">Virtual phone</ScreenHeading>
      <p className="intro">
        In sandbox mode WaGate talks to a WhatsApp simulator on this computer instead of WhatsApp. Its virtual phone
        links to WaGate, and its contacts receive what you send and can write back. Nothing reaches real WhatsApp.
      </p>
      <PhoneCard />
      <Contacts />
      <Groups />
    </section>
  );
}

const PHONE_RESULT = 'phone-result';

function PhoneCard() {
  const session = useSession();
  const [phone, setPhone] = useState<PhoneView | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const announce = useAnnounce();

  const phoneInOrder = useInOrder();

  const load = useCallback(() => {
    phoneInOrder(api<PhoneView>('GET', '/sandbox/phone'), setPhone, (failure: unknown) =>
      setMessage({ ok: false, text: errorText(failure) }),
    );
  }, [phoneInOrder]);
  useEffect(load, [load, session?.state]);

  async function act(path: string, done: string, body: object = {}): Promise<void> {
    setBusy(true);
    setMessage(null);
    try {
      await api('POST', path, body);
      // The button pressed goes away (the phone linked or unlinked): the line that says what happened takes the focus.
      flushSync(() => setMessage({ ok: true, text: done }));
      announce(done);
      focusById(PHONE_RESULT);
    } catch (failure) {
      setMessage({ ok: false, text: errorText(failure) });
    } finally {
      setBusy(false);
      load();
    }
  }

  return (
    <div className="card" role="region" aria-labelledby="phone-title">
      <h2 id="phone-title">The phone</h2>
      {phone && (
        <dl className="facts">
          <dt>Name</dt>
          <dd>{phone.name}</dd>
          <dt>Number</dt>
          <dd>+{phone.number}</dd>
          <dt>Linked devices</dt>
          <dd>
            {phone.linked_devices.length === 0
              ? 'None'
              : phone.linked_devices
                  .map(
                    (d) => `Device ${d.device}${d.platform ? ` (${d.platform})` : ''}${d.connected ? ', online' : ''}`,
                  )
                  .join('; ')}
          </dd>
        </dl>
      )}
      <div className="actions">
        {session?.state === 'qr' && (
          <BusyButton
            type="button"
            className="primary"
            busy={busy}
            onClick={() => void act('/sandbox/phone/scan', 'The virtual phone read the code. Linking…')}
          >
            {busy ? 'Scanning…' : 'Scan with virtual phone'}
          </BusyButton>
        )}
        {phone && phone.linked_devices.length > 0 && (
          <BusyButton
            type="button"
            busy={busy}
            onClick={() =>
              void act(
                '/sandbox/phone/unlink',
                'The phone unlinked WaGate, as if done from Linked devices on a real phone.',
              )
            }
          >
            Unlink WaGate from the phone
          </BusyButton>
        )}
      </div>
      {session?.state === 'qr' && (
        <CodeEntry
          busy={busy}
          onEnter={(code) =>
            void act('/sandbox/phone/pairing-code', 'The virtual phone entered the code. Linking…', { code })
          }
        />
      )}
      {message && (
        <p
          id={PHONE_RESULT}
          tabIndex={-1}
          role={message.ok ? undefined : 'alert'}
          className={message.ok ? 'ok-text' : 'error-text'}
        >
          {message.text}
        </p>
      )}
    </div>
  );
}

/** Linking by pairing code, as a phone does it: WaGate shows the code (Phone link, "Link with phone number"), the
 * phone types it. */
function CodeEntry({ busy, onEnter }: { busy: boolean; onEnter: (code: string) => void }) {
  const inputId = useId();
  const hintId = useId();
  const [code, setCode] = useState('');
  function submit(event: FormEvent): void {
    event.preventDefault();
    onEnter(code.trim());
  }
  return (
    <form className="code-entry" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor={inputId}>Or type a pairing code on the virtual phone</label>
        <div className="row">
          <input
            id={inputId}
            value={code}
            autoComplete="off"
            spellCheck={false}
            placeholder="ABCD-EFGH"
            aria-describedby={hintId}
            onChange={(event) => setCode(event.target.value)}
          />
          <BusyButton type="submit" busy={busy}>
            Enter code
          </BusyButton>
        </div>
        <p id={hintId} className="hint">
          The 8 characters WaGate shows on Phone link after “Link with phone number instead”.
        </p>
      </div>
    </form>
  );
}

/** The sandbox's groups: who is in each, and whether the phone (so WaGate) is. */
function Groups() {
  const session = useSession();
  const [groups, setGroups] = useState<GroupView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<GroupView[]>('GET', '/sandbox/groups').then(setGroups, (failure: unknown) => setError(errorText(failure)));
  }, [session?.state]);

  return (
    <div className="card" role="region" aria-labelledby="groups-title">
      <h2 id="groups-title">Groups</h2>
      {error && (
        <p role="alert" className="error-text">
          Could not read the groups: {error}
        </p>
      )}
      {groups && (
        <ul className="groups" aria-label="Sandbox groups">
          {groups.map((g) => (
            <li key={g.jid}>
              <strong>{g.subject}</strong> <code>{g.jid}</code>
              {g.phone_is_member ? '' : ' — the phone is not in this group: sending to it fails with “Group not found”'}
              <p className="hint">
                {g.members
                  .map((m) => `${m.name}${m.role === 'superadmin' ? ' (owner)' : m.role === 'admin' ? ' (admin)' : ''}`)
                  .join(', ')}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Contacts() {
  const [contacts, setContacts] = useState<ContactView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const pickerId = useId();

  useEffect(() => {
    api<ContactView[]>('GET', '/sandbox/contacts').then(
      (list) => {
        setContacts(list);
        setSelected((current) => current ?? list.find((c) => c.on_whatsapp)?.number ?? null);
      },
      (failure: unknown) => setError(errorText(failure)),
    );
  }, []);

  const contact = contacts?.find((c) => c.number === selected) ?? null;

  return (
    <div className="card" role="region" aria-labelledby="contacts-title">
      <h2 id="contacts-title">Contacts</h2>
      {error && (
        <p role="alert" className="error-text">
          Could not read the contacts: {error}
        </p>
      )}
      {contacts && (
        <div className="field">
          <label htmlFor={pickerId}>Contact</label>
          <select id={pickerId} value={selected ?? ''} onChange={(event) => setSelected(event.target.value)}>
            {contacts.map((c) => (
              <option key={c.number} value={c.number}>
                {c.name} (+{c.number}){c.on_whatsapp ? '' : ', not on WhatsApp'}
              </option>
            ))}
          </select>
        </div>
      )}
      {contact && <ContactInbox contact={contact} />}
    </div>
  );
}

function ContactInbox({ contact }: { contact: ContactView }) {
  const [inbox, setInbox] = useState<InboxEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<InboxEntry[]>('GET', `/sandbox/contacts/${contact.number}/inbox`).then(
      (entries) => {
        setInbox(entries);
        setError(null);
      },
      (failure: unknown) => setError(errorText(failure)),
    );
  }, [contact.number]);

  useEffect(load, [load]);
  useStreamOpen(load);
  useCoreEvent('message.status', (change) => {
    if (change.chat_jid === contact.jid || change.chat_jid === contact.lid) load();
  });

  return (
    <div className="contact">
      <h3>What {contact.name} received</h3>
      {!contact.on_whatsapp && (
        <p className="hint">
          {contact.name} is not on WhatsApp: sending to this number fails with “Number is not on WhatsApp”.
        </p>
      )}
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {inbox?.length === 0 && <p>Nothing yet.</p>}
      {inbox && inbox.length > 0 && (
        <ol className="inbox" aria-label={`Messages ${contact.name} received`}>
          {inbox.map((entry) => (
            <li key={entry.message_id} className="bubble">
              <ReceivedContent entry={entry} entries={inbox} />
              <p className="bubble-meta">
                <MessageTime seconds={entry.timestamp} />
                {entry.before.some((frame) => frame.value === 'composing') && ' · saw “typing…” first'}
                {entry.before.some((frame) => frame.value === 'recording') && ' · saw “recording audio…” first'}
                {entry.read ? ' · read' : entry.delivered ? ' · delivered' : ''}
              </p>
            </li>
          ))}
        </ol>
      )}
      {contact.on_whatsapp && <ContactWrote contact={contact} />}
      {contact.on_whatsapp && <WriteAsContact contact={contact} />}
    </div>
  );
}

function WriteAsContact({ contact }: { contact: ContactView }) {
  const textId = useId();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const announce = useAnnounce();
  const empty = text.trim() === '';

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy || empty) return;
    setBusy(true);
    setResult(null);
    try {
      await api('POST', `/sandbox/contacts/${contact.number}/messages`, { text });
      const said = `${contact.name} sent it. WaGate stores it and tells programs listening for messages.`;
      setResult({ ok: true, text: said });
      announce(said);
      setText('');
    } catch (failure) {
      setResult({ ok: false, text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack write-as" onSubmit={(event) => void submit(event)}>
      <label htmlFor={textId}>Write to WaGate as {contact.name}</label>
      <textarea id={textId} rows={2} value={text} required onChange={(event) => setText(event.target.value)} />
      <BusyButton type="submit" busy={busy || empty}>
        {busy ? 'Sending…' : `Send as ${contact.name}`}
      </BusyButton>
      {result && (
        <p role={result.ok ? undefined : 'alert'} className={result.ok ? 'ok-text' : 'error-text'}>
          {result.text}
        </p>
      )}
    </form>
  );
}

/** What the contact wrote, as WaGate received it: the other half of the conversation. */
function ContactWrote({ contact }: { contact: ContactView }) {
  const [wrote, setWrote] = useState<StoredMessage[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api<StoredMessage[]>('GET', `/chats/${encodeURIComponent(contact.jid)}/messages?limit=20`).then(
      (list) => {
        setWrote(list.filter((message) => message.direction === 'inbound'));
        setError(null);
      },
      (failure: unknown) => setError(errorText(failure)),
    );
  }, [contact.jid]);

  useEffect(load, [load]);
  useStreamOpen(load);
  useCoreEvent('message.received', (message) => {
    if (message.chat_jid === contact.jid || (contact.lid !== null && message.chat_lid === contact.lid)) load();
  });

  return (
    <>
      <h3>What {contact.name} wrote to WaGate</h3>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {wrote?.length === 0 && <p>Nothing yet.</p>}
      {wrote && wrote.length > 0 && (
        <ol className="inbox" aria-label={`Messages ${contact.name} wrote`}>
          {wrote.map((message) => (
            <li key={message.message_id} className="bubble">
              <p className="bubble-text">
                {'text' in message && message.text ? message.text : KIND_WORDS[message.kind]}
              </p>
              <p className="bubble-meta">
                <MessageTime seconds={message.timestamp} />
              </p>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
