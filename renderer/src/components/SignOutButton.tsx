import { api } from '../api/client.ts';
import { useAction } from '../state/action.ts';

/** Ends this browser's dashboard session; the page then says how to get back in. (The desktop window has none.) */
export function SignOutButton() {
  const { busy, error, run } = useAction();
  const signOut = () =>
    run(async () => {
      await api('POST', '/admin/logout');
      window.location.assign('/');
    });
  return (
    <>
      <button type="button" className="sign-out" disabled={busy} onClick={() => void signOut()}>
        {busy ? 'Signing out…' : 'Sign out'}
      </button>
      {error && (
        <p role="alert" className="error-text">
          Could not sign out: {error}
        </p>
      )}
    </>
  );
}
