import { Router } from 'express';
import type { CoreEventMap, CoreEvents } from '../../events.ts';

/** Proxies and idle-connection reapers drop a silent stream; a comment line keeps it open. */
const HEARTBEAT_MS = 15_000;

const FORWARDED = ['session.state', 'message.status', 'message.received', 'keys.changed'] as const satisfies readonly (keyof CoreEventMap)[];

/** The dashboard's live view of the core: the bus's events as server-sent events, at /admin/events. */
export function createAdminEventsRouter({ events, heartbeatMs = HEARTBEAT_MS }: { events: CoreEvents; heartbeatMs?: number }): Router {
  const router = Router();

  router.get('/events', (req, res) => {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 2000\n\n');

    const send = (name: string, data: unknown): void => {
      res.write(`event: ${name}\ndata: ${JSON.stringify(data ?? null)}\n\n`);
    };
    const listeners = FORWARDED.map((name) => {
      const listener = (...args: unknown[]): void => send(name, args[0]);
      events.on(name, listener as never);
      return { name, listener };
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);

    req.on('close', () => {
      clearInterval(heartbeat);
      for (const { name, listener } of listeners) events.off(name, listener as never);
    });
  });

  return router;
}
