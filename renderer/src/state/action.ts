import { useState } from 'react';
import { errorText } from '../api/client.ts';

export interface Action {
  busy: boolean;
  /** The API's own words when the last run failed. */
  error: string | null;
  /** Runs one request for a button or form: busy while it runs, the error kept when it fails. */
  run(work: () => Promise<void>): Promise<void>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(work: () => Promise<void>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run };
}
