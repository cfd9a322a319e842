import { Router } from 'express';
import type { CoreEvents } from '../../events.ts';
import { HEARTBEAT_MS, openEventStream, writeEvent } from '../sse.ts';
import { CORE_EVENT_NAMES } from '../../contract/events.ts';

/** A dashboard tab that stopped reading is cut off here; its EventSource reconnects and reloads what it shows. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** The dashboard's live view of the core: the bus's events as server-sent events, at /admin/events. */
export function createAdminEventsRouter({
  events,
  heartbeatMs = HEARTBEAT_MS,
}: {
  events: CoreEvents;
  heartbeatMs?: number;
}): Router {
  const router = Router();

  router.get('/events', (req, res) => {
    const listeners = CORE_EVENT_NAMES.map((name) => {
      const listener = (...args: unknown[]): void => {
        if (!allowed()) return;
        if (!writeEvent(res, { type: name, data: args[0] }) && res.writableLength > MAX_BUFFERED_BYTES) res.end();
      };
      return { name, listener };
    });
    const allowed = openEventStream(req, res, heartbeatMs, () => {
      for (const { name, listener } of listeners) events.off(name, listener as never);
    });
    for (const { name, listener } of listeners) events.on(name, listener as never);
  });

  return router;
}
