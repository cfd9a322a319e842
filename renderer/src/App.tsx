import { useEffect, useState } from 'react';
import { api, onSignedOut } from './api/client.ts';
import { CoreStream, CoreStreamContext, type LinkState } from './api/events.ts';
import type { AdminInfo } from '../../server/contract/admin.ts';
import { AdminInfoContext } from './state/admin.ts';
import { usePath, type ScreenPath } from './state/route.ts';
import { ScreensNav } from './components/ScreensNav.tsx';
import { SessionContext, useLiveSession, type SessionView } from './state/session.ts';
import { stateBadge } from './state/session-words.ts';
import { useDesktopInfo } from './state/desktop.ts';
import { Pairing } from './screens/Pairing.tsx';
import { ApiKeys } from './screens/ApiKeys.tsx';
import { Send } from './screens/Send.tsx';
import { Webhooks } from './screens/Webhooks.tsx';
import { VirtualPhone } from './screens/VirtualPhone.tsx';
import { SignedOut } from './screens/SignedOut.tsx';
import { Brand } from './components/Brand.tsx';
import { SignOutButton } from './components/SignOutButton.tsx';
import { Announcer } from './components/Announcer.tsx';
import { StandingBanners } from './components/StandingBanners.tsx';
import { Pacing } from './screens/Pacing.tsx';
import { Outbox } from './screens/Outbox.tsx';

type Access = { kind: 'checking' } | { kind: 'signed-out'; reason: string } | { kind: 'in'; info: AdminInfo };

/** Signs in with the admin cookie (GET /admin/me), then shows the dashboard; a 401 anywhere shows how to get in. */
export function App() {
  const [access, setAccess] = useState<Access>({ kind: 'checking' });

  useEffect(() => {
    api<AdminInfo>('GET', '/admin/me').then(
      (info) => setAccess({ kind: 'in', info }),
      (failure: { code?: number; message: string }) =>
        setAccess({ kind: 'signed-out', reason: failure.code === 401 ? 'no-session' : failure.message }),
    );
    return onSignedOut(() => setAccess({ kind: 'signed-out', reason: 'no-session' }));
  }, []);

  if (access.kind === 'checking') return <p className="loading">Opening WaGate…</p>;
  if (access.kind === 'signed-out') return <SignedOut reason={access.reason} />;
  return (
    <AdminInfoContext value={access.info}>
      <LiveDashboard info={access.info} />
    </AdminInfoContext>
  );
}

function LiveDashboard({ info }: { info: AdminInfo }) {
  const [stream, setStream] = useState<CoreStream | null>(null);
  const [link, setLink] = useState<LinkState>('connecting');

  useEffect(() => {
    const created = new CoreStream();
    setStream(created);
    const stop = created.onLink(setLink);
    return () => {
      stop();
      created.close();
    };
  }, []);

  return <CoreStreamContext value={stream}>{stream && <Dashboard info={info} link={link} />}</CoreStreamContext>;
}

const SCREENS: { path: ScreenPath; label: string; sandboxOnly?: boolean }[] = [
  { path: '/pairing', label: 'Phone link' },
  { path: '/keys', label: 'API keys' },
  { path: '/send', label: 'Send a message' },
  { path: '/outbox', label: 'Outbox' },
  { path: '/pacing', label: 'Pacing' },
  { path: '/webhooks', label: 'Webhooks' },
  { path: '/sandbox', label: 'Virtual phone', sandboxOnly: true },
];

function Dashboard({ info, link }: { info: AdminInfo; link: LinkState }) {
  const { session, error } = useLiveSession();
  const desktop = useDesktopInfo();
  const path = usePath() ?? '/pairing';
  const screens = SCREENS.filter((screen) => !screen.sandboxOnly || info.sandbox);
  const shown = screens.some((screen) => screen.path === path) ? path : '/pairing';

  return (
    <SessionContext value={session}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Brand />
        <SessionBadge session={session} />
        {info.sandbox && (
          <span
            className="sandbox-badge"
            title="Nothing is sent to real WhatsApp: WaGate talks to a simulator on this computer."
          >
            Sandbox<span className="long">: not real WhatsApp</span>
          </span>
        )}
        {!window.wagateDesktop && <SignOutButton />}
      </header>
      <ScreensNav screens={screens} shown={shown} />
      {link !== 'open' && (
        <p className="banner warning" role="status">
          {link === 'connecting'
            ? 'Connecting to WaGate for live updates…'
            : 'Lost contact with WaGate. Check that it is still running, then reload this page.'}
        </p>
      )}
      {desktop?.portNotice && (
        <p className="banner warning" role="status">
          {desktop.portNotice}
        </p>
      )}
      {desktop?.credentialProtection && !desktop.credentialProtection.protectedByOs && (
        <p className="banner info">{desktop.credentialProtection.summary}</p>
      )}
      <StandingBanners session={session} />
      {error && (
        <p className="banner error" role="alert">
          Could not read the WhatsApp state: {error}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        <Announcer key={shown}>
          {shown === '/pairing' && <Pairing />}
          {shown === '/keys' && <ApiKeys />}
          {shown === '/send' && <Send />}
          {shown === '/outbox' && <Outbox />}
          {shown === '/pacing' && <Pacing />}
          {shown === '/webhooks' && <Webhooks />}
          {shown === '/sandbox' && <VirtualPhone />}
        </Announcer>
      </main>
      <footer className="foot">
        WaGate {info.version} · API at <code>{info.api_url}</code> · <a href="/docs">API documentation</a>
      </footer>
    </SessionContext>
  );
}

function SessionBadge({ session }: { session: SessionView | null }) {
  const badge = stateBadge(session?.state ?? null);
  return (
    <span className={`pill ${badge.tone}`} role="status" aria-label={`WhatsApp: ${badge.text}`}>
      <span className="dot" aria-hidden="true" />
      {badge.text}
    </span>
  );
}
