import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiFailure, errorText } from '../api/client.ts';
import type { QrImage } from '../../../server/contract/session.ts';
import { BusyButton } from '../components/BusyButton.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { ScreenHeading } from '../components/ScreenHeading.tsx';
import { ScreenLink } from '../components/ScreenLink.tsx';
import { clockTime, dateTime, displayChat } from '../format/time.ts';
import { useAction } from '../state/action.ts';
import { useAdminInfo } from '../state/admin.ts';
import { useAnnounce } from '../state/announce.ts';
import { focusById, useFocusOnMount } from '../state/focus.ts';
import { useNow } from '../state/clock.ts';
import { useSession, type SessionView } from '../state/session.ts';
import { stateWords } from '../state/session-words.ts';

/** The state line: where the focus goes when what the user pressed (Unlink, Scan) is replaced by the new state. */
const STATE_LINE = 'pairing-state';

/** Linking WhatsApp: the live state, the QR (or a pairing code), and once linked, the account and Unlink. */
export function Pairing() {
  const session = useSession();
  const info = useAdminInfo();

  return (
    <section aria-labelledby="pairing-title" className="screen">
      <ScreenHeading id="pairing-title">Phone link</ScreenHeading>
      {session ? <SessionState session={session} /> : <p>Reading the WhatsApp state…</p>}
      {session?.state === 'connected' && <LinkedAccount session={session} />}
      {session?.state === 'qr' && <LinkPhone session={session} sandbox={info.sandbox} />}
    </section>
  );
}

function SessionState({ session }: { session: SessionView }) {
  const words = stateWords(session.state, session.last_error);
  const announce = useAnnounce();
  const said = words.advice ? `${words.headline} ${words.advice}` : words.headline;
  const shown = useRef(said);
  // A change of state is said through the screen's live region; the state on arrival is read with the page. When
  // the change took away the control that had the focus (the phone linked while "Get a code" had it), the focus
  // comes here rather than stay lost on the page.
  useEffect(() => {
    if (shown.current === said) return;
    shown.current = said;
    announce(said);
    if (document.activeElement === document.body) focusById(STATE_LINE);
  }, [said, announce]);
  return (
    <div className={`state-box ${words.tone}`}>
      <p id={STATE_LINE} className="state-line" tabIndex={-1}>
        {words.headline}
      </p>
      {words.advice && <p className="advice">{words.advice}</p>}
      {session.state === 'connected' && (
        <p className="advice">
          Next: make a key for your app on <ScreenLink path="/keys">API keys</ScreenLink>, or send yourself a test on{' '}
          <ScreenLink path="/send">Send</ScreenLink>.
        </p>
      )}
      <ReconnectSummary session={session} />
    </div>
  );
}

/** "Reconnected 3 times today; last: No answer from WhatsApp for 30 s (14:02:11)." Nothing on a quiet day. */
function ReconnectSummary({ session }: { session: SessionView }) {
  const last = session.last_reconnect;
  if (session.reconnects_today === 0 || !last) return null;
  const times = session.reconnects_today === 1 ? 'once' : `${session.reconnects_today} times`;
  return (
    <p className="advice reconnects">
      Reconnected {times} today; last: {last.cause} ({clockTime(last.at * 1000)}).
    </p>
  );
}

function LinkedAccount({ session }: { session: SessionView }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();
  const account = session.account;

  async function logout(): Promise<void> {
    setConfirming(false);
    await run(async () => {
      await api('POST', '/session/logout');
    });
  }

  return (
    <div className="card account">
      <h2>Linked account</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{account?.name ?? 'No name set on the phone'}</dd>
        <dt>Number</dt>
        <dd>{account ? displayChat(account.number) : 'Unknown'}</dd>
        <dt>Connected since</dt>
        <dd>{dateTime(session.since * 1000)}</dd>
      </dl>
      <BusyButton type="button" className="danger" busy={busy} onClick={() => setConfirming(true)}>
        {busy ? 'Unlinking…' : 'Unlink this phone'}
      </BusyButton>
      {error && (
        <p role="alert" className="error-text">
          Could not unlink: {error}
        </p>
      )}
      <ConfirmDialog
        open={confirming}
        title="Unlink this phone from WaGate?"
        confirmLabel="Unlink"
        onConfirm={() => void logout()}
        onCancel={() => setConfirming(false)}
        focusAfterConfirm={STATE_LINE}
      >
        <p>
          This unlinks this computer from your phone and deletes WaGate's WhatsApp login here. Apps using your API keys
          will get “WhatsApp is not connected” until you link a phone again.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function LinkPhone({ session, sandbox }: { session: SessionView; sandbox: boolean }) {
  const [withCode, setWithCode] = useState(false);
  // Once the user switched, the card that replaced the button they pressed takes the focus.
  const [switched, setSwitched] = useState(false);
  function show(code: boolean): void {
    setWithCode(code);
    setSwitched(true);
  }
  return (
    <div className="link-phone">
      {withCode ? (
        <PairingCode focus={switched} onBack={() => show(false)} />
      ) : (
        <QrCode session={session} focus={switched} onUseCode={() => show(true)} />
      )}
      {sandbox && <VirtualScan />}
    </div>
  );
}

function QrCode({ session, focus, onUseCode }: { session: SessionView; focus: boolean; onUseCode: () => void }) {
  const heading = useFocusOnMount<HTMLHeadingElement>(focus);
  const [image, setImage] = useState<QrImage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const expiresAt = image?.expires_at ?? session.qr_expires_at;
  const now = useNow(1000, expiresAt !== null);

  // A new code comes with a new expiry (and, on the live stream, a new QR string): fetch its image then.
  useEffect(() => {
    let current = true;
    api<QrImage>('GET', '/session/qr?format=json').then(
      (next) => {
        if (!current) return;
        setImage(next);
        setError(null);
      },
      (failure: unknown) => {
        if (!current) return;
        setImage(null);
        setError(failure instanceof ApiFailure && failure.code === 404 ? null : errorText(failure));
      },
    );
    return () => {
      current = false;
    };
  }, [session.qr_expires_at, session.qr]);

  const secondsLeft = expiresAt === null ? null : Math.max(0, Math.ceil((expiresAt * 1000 - now) / 1000));

  return (
    <div className="card qr-card">
      <h2 ref={heading} tabIndex={-1}>
        Scan this code with your phone
      </h2>
      <div className="qr-layout">
        <div className="qr-frame">
          {image ? (
            <img
              className="qr"
              src={image.data_url}
              data-qr={image.qr}
              width={320}
              height={320}
              alt="QR code for linking WhatsApp to WaGate"
            />
          ) : (
            <p className="qr-placeholder">
              {error ? `Could not show the code: ${error}` : 'Getting a code from WhatsApp…'}
            </p>
          )}
          <p className="countdown">
            {secondsLeft === null
              ? ''
              : secondsLeft > 0
                ? `This code changes in ${secondsLeft} s — a new one appears by itself.`
                : 'Getting a new code…'}
          </p>
        </div>
        <div>
          <ol className="steps">
            <li>On your phone, open WhatsApp.</li>
            <li>
              Go to <strong>Settings → Linked devices → Link a device</strong>.
            </li>
            <li>Point the camera here, at the code.</li>
          </ol>
          <button type="button" className="link-button" onClick={onUseCode}>
            Link with phone number instead
          </button>
        </div>
      </div>
    </div>
  );
}

function PairingCode({ focus, onBack }: { focus: boolean; onBack: () => void }) {
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const heading = useFocusOnMount<HTMLHeadingElement>(focus);
  const input = useRef<HTMLInputElement>(null);
  const [number, setNumber] = useState('');
  const [numberError, setNumberError] = useState<string | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const announce = useAnnounce();

  function refuseNumber(reason: string): void {
    setNumberError(reason);
    input.current?.focus();
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (number.trim() === '') return refuseNumber('Write your phone number first.');
    setNumberError(null);
    await run(async () => {
      try {
        const answer = await api<{ code: string }>('POST', '/session/pairing-code', { phone_number: number });
        setCode(answer.code);
        announce(`Your pairing code is ${spelled(answer.code)}. Enter it on your phone.`);
      } catch (failure) {
        // A 400 is about the number typed; anything else is not the user's typing.
        if (!(failure instanceof ApiFailure && failure.code === 400)) throw failure;
        refuseNumber(errorText(failure));
      }
    });
  }

  return (
    <div className="card">
      <h2 ref={heading} tabIndex={-1}>
        Link with a phone number
      </h2>
      <form onSubmit={(event) => void submit(event)} className="stack" noValidate>
        <label htmlFor={inputId}>Your WhatsApp phone number</label>
        <input
          id={inputId}
          ref={input}
          type="tel"
          autoComplete="tel"
          aria-required="true"
          aria-invalid={numberError !== null}
          aria-describedby={numberError === null ? hintId : `${hintId} ${errorId}`}
          value={number}
          onChange={(event) => setNumber(event.target.value)}
        />
        <p id={hintId} className="hint">
          With the country code, for example +1 555 000 1111.
        </p>
        {numberError && (
          <p id={errorId} className="error-text">
            {numberError}
          </p>
        )}
        <div className="actions">
          <BusyButton type="submit" className="primary" busy={busy}>
            {busy ? 'Asking WhatsApp…' : 'Get a code'}
          </BusyButton>
          <button type="button" className="link-button" onClick={onBack}>
            Use the QR code instead
          </button>
        </div>
      </form>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {code && (
        <div className="pairing-code">
          <p>
            On your phone open WhatsApp → Settings → Linked devices → Link a device →{' '}
            <strong>Link with phone number instead</strong>, and enter this code:
          </p>
          <p className="code" aria-label={`Pairing code ${spelled(code)}`}>
            {code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code}
          </p>
        </div>
      )}
    </div>
  );
}

function VirtualScan() {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const announce = useAnnounce();

  async function scan(): Promise<void> {
    setBusy(true);
    setFailed(null);
    try {
      await api('POST', '/sandbox/phone/scan', {});
      // This card goes away as the phone links: the state line that says so takes the focus.
      announce('The virtual phone read the code. Linking…');
      focusById(STATE_LINE);
    } catch (failure) {
      setFailed(`The virtual phone could not link: ${errorText(failure)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <aside className="card sandbox-card" aria-labelledby="virtual-scan-title">
      <h2 id="virtual-scan-title">No phone needed in sandbox mode</h2>
      <p>WaGate is talking to a simulator on this computer. Its virtual phone can read the code for you.</p>
      <BusyButton type="button" className="primary" busy={busy} onClick={() => void scan()}>
        {busy ? 'Scanning…' : 'Scan with virtual phone'}
      </BusyButton>
      {failed && (
        <p role="alert" className="error-text">
          {failed}
        </p>
      )}
    </aside>
  );
}

/** A code said one character at a time, as it is typed. */
function spelled(code: string): string {
  return code.split('').join(' ');
}
