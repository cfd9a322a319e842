import { useEffect } from 'react';
import { Brand } from '../components/Brand.tsx';

/** Shown without a dashboard session: how to get in, in plain words. */
export function SignedOut({ reason }: { reason: string }) {
  // The core sends a used or expired login link here with ?login=expired.
  const query = new URLSearchParams(window.location.search);
  const usedLink = query.get('login') === 'expired';
  const signedOut = query.get('signed-out') === '1';
  useEffect(() => {
    document.title = 'Open WaGate from its link – WaGate';
  }, []);
  return (
    <>
      <header className="top">
        <Brand />
      </header>
      <main id="main" className="signed-out" tabIndex={-1}>
        <div className="card">
          <h1>Open WaGate from its link</h1>
          {reason === 'no-session' ? (
            <>
              {signedOut && (
                <p role="status" className="ok-text">
                  You signed out of the dashboard. WaGate keeps running, and your phone stays linked.
                </p>
              )}
              {usedLink && (
                <p role="alert" className="error-text">
                  That login link was already used or is too old. Each link works once: get a fresh one as below.
                </p>
              )}
              <p>
                This page only opens from the private link WaGate gives you, so that nobody else on this computer can
                use it.
              </p>
              <ul>
                <li>
                  In the desktop app: click the WaGate icon in the tray, then <strong>Open WaGate</strong>.
                </li>
                <li>
                  Without the desktop app: in a terminal, in WaGate's folder, run <code>npx wagate dashboard</code> (or{' '}
                  <code>wagate dashboard</code> where WaGate is installed) and open the link it prints. It finds the
                  running WaGate, sandbox or not. Each link works once.
                </li>
              </ul>
            </>
          ) : (
            <p role="alert">
              WaGate did not answer as expected: {reason} Check that it is still running, then reload this page.
            </p>
          )}
        </div>
      </main>
    </>
  );
}
