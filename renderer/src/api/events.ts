import { createContext, useContext, useEffect, useRef } from 'react';
import { CORE_EVENT_NAMES, type CoreEventMap, type CoreEventName } from '../../../server/contract/events.ts';

export type EventName = CoreEventName;
type Payload<K extends EventName> = CoreEventMap[K] extends [infer P] ? P : null;
type Handler<K extends EventName> = (payload: Payload<K>) => void;

export type LinkState = 'connecting' | 'open' | 'lost';

/**
 * The core's live events (GET /admin/events, server-sent events): one stream for the whole page, so screens
 * update when something changes instead of asking again and again. The browser reconnects by itself.
 */
export class CoreStream {
  private readonly source: EventSource;
  private readonly handlers = new Map<EventName, Set<(payload: never) => void>>();
  private readonly linkListeners = new Set<(state: LinkState) => void>();
  link: LinkState = 'connecting';

  constructor(url = '/admin/events') {
    this.source = new EventSource(url);
    for (const name of CORE_EVENT_NAMES) {
      this.source.addEventListener(name, (event) => this.dispatch(name, (event as MessageEvent<string>).data));
    }
    this.source.addEventListener('open', () => this.setLink('open'));
    this.source.addEventListener('error', () =>
      this.setLink(this.source.readyState === EventSource.CLOSED ? 'lost' : 'connecting'),
    );
  }

  on<K extends EventName>(name: K, handler: Handler<K>): () => void {
    const set = this.handlers.get(name) ?? new Set();
    set.add(handler as (payload: never) => void);
    this.handlers.set(name, set);
    return () => {
      set.delete(handler as (payload: never) => void);
    };
  }

  onLink(listener: (state: LinkState) => void): () => void {
    this.linkListeners.add(listener);
    return () => {
      this.linkListeners.delete(listener);
    };
  }

  close(): void {
    this.source.close();
  }

  private setLink(state: LinkState): void {
    this.link = state;
    for (const listener of this.linkListeners) listener(state);
  }

  private dispatch(name: EventName, data: string): void {
    let payload: never;
    try {
      payload = JSON.parse(data) as never;
    } catch {
      return;
    }
    for (const handler of this.handlers.get(name) ?? []) handler(payload);
  }
}

export const CoreStreamContext = createContext<CoreStream | null>(null);

/** Runs `handler` on every `name` event; the latest handler is used without resubscribing. */
export function useCoreEvent<K extends EventName>(name: K, handler: Handler<K>): void {
  const stream = useContext(CoreStreamContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => stream?.on(name, (payload) => latest.current(payload)), [stream, name]);
}

/** Runs `handler` each time the stream (re)opens: the moment to catch up on anything missed while it was down. */
export function useStreamOpen(handler: () => void): void {
  const stream = useContext(CoreStreamContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => stream?.onLink((state) => state === 'open' && latest.current()), [stream]);
}
