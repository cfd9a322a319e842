/** Shown without a dashboard session: how to get in, in plain words. */
export function SignedOut({ reason }: { reason: string }) {
  return (
    <main id="main" className="signed-out">
      <h1>Open WaGate from its link</h1>
      {reason === 'no-session' ? (
        <>
          <p>This page needs the private link WaGate gives you, so that nobody else on this computer can use it.</p>
          <ul>
            <li>
              In the desktop app: click the WaGate icon in the tray, then <strong>Open WaGate</strong>.
            </li>
            <li>
              Without the desktop app: run <code>wagate dashboard</code> in a terminal and open the link it prints. Each link works once.
            </li>
          </ul>
        </>
      ) : (
        <p role="alert">
          WaGate did not answer as expected: {reason} Check that it is still running, then reload this page.
        </p>
      )}
    </main>
  );
}
