import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { useCoreEvent, useStreamOpen } from '../api/events.ts';
import type { SessionSnapshot } from '../../../server/contract/session.ts';
import { useInOrder } from './in-order.ts';

/** What the page knows of the WhatsApp session: GET /session once, then every 'session.state' event. */
export type SessionView = Omit<SessionSnapshot, 'qr'> & { qr?: string | null };

export function useLiveSession(): { session: SessionView | null; error: string | null } {
  const [session, setSession] = useState<SessionView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const sessionInOrder = useInOrder();

  const load = useCallback(() => {
    sessionInOrder(
      api<SessionView>('GET', '/session'),
      (snapshot) => {
        setSession(snapshot);
        setError(null);
      },
      (failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)),
    );
  }, [sessionInOrder]);

  useEffect(load, [load]);
  useStreamOpen(load);
  useCoreEvent('session.state', (snapshot) => sessionInOrder(Promise.resolve(snapshot), setSession));
  return { session, error };
}

export const SessionContext = createContext<SessionView | null>(null);

export function useSession(): SessionView | null {
  return useContext(SessionContext);
}
