import { api } from '../api/client.ts';
import { useAction } from '../state/action.ts';
import { BusyButton } from './BusyButton.tsx';

/** Ends this browser's dashboard session; the page then says how to get back in. (The desktop window has none.) */
export function SignOutButton() {
  const { busy, error, run } = useAction();
  const signOut = () =>
    run(async () => {
      await api('POST', '/admin/logout');
      window.location.assign('/?signed-out=1');
    });
  return (
    <>
      <BusyButton type="button" className="sign-out" busy={busy} onClick={() => void signOut()}>
        {busy ? 'Signing out…' : 'Sign out'}
      </BusyButton>
      {error && (
        <p role="alert" className="error-text">
          Could not sign out: {error}
        </p>
      )}
    </>
  );
}
