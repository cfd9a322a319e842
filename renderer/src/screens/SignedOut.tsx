import { useEffect } from 'react';
import { Brand } from '../components/Brand.tsx';

/** Shown without a dashboard session: how to get in, in plain words. */
export function SignedOut({ reason }: { reason: string }) {
  // The core sends a used or expired login link here with ?login=expired.
  const usedLink = new URLSearchParams(window.location.search).get('login') === 'expired';
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
                  Without the desktop app: run <code>wagate dashboard</code> in a terminal (add <code>--sandbox</code>{' '}
                  if you started WaGate with it) and open the link it prints. Each link works once.
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
