import { LOGGED_EVENT_TYPES } from '../../contract/events.ts';
import type { Response } from 'express';
import { createApiRouter, type ApiRouter } from '../operations.ts';
import { publicEvent, type EventLog, type LoggedEvent } from '../../store/event-log.ts';
import { HEARTBEAT_MS, openEventStream, writeEvent } from '../sse.ts';
import { sendFail } from '../envelope.ts';
import type { StreamCaps } from '../stream-caps.ts';
import type { LoggedEventType } from '../../contract/events.ts';
import { EventsHeaders, EventsQuery } from '../../contract/event-stream.ts';

/** Events read from the log per step while a client catches up. */
const PAGE = 200;

export interface EventsRouterDeps {
  eventLog: EventLog;
  caps: StreamCaps;
  heartbeatMs?: number;
}

/** Resolves when the socket takes writes again, or is gone. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * `GET /events`: the logged events as server-sent events. The log is the only source: a client's cursor walks it
 * from its Last-Event-ID to the newest row, and a new event only wakes the walk, so the replay and the live part
 * meet without a gap or a repeat.
 */
export function createEventsRouter({ eventLog, caps, heartbeatMs = HEARTBEAT_MS }: EventsRouterDeps): ApiRouter {
  const api = createApiRouter();

  api.route(
    {
      method: 'get',
      path: '/events',
      summary: `Server-sent events: ${LOGGED_EVENT_TYPES.join(', ')} (resume with Last-Event-ID)`,
      tag: 'Events',
      auth: true,
      query: EventsQuery,
      headers: EventsHeaders,
      queryFromHeaders: { 'Last-Event-ID': 'last_event_id' },
      produces: 'text/event-stream',
      errors: [400, 401],
    },
    ({ query }, res, req) => {
      const types: ReadonlySet<LoggedEventType> = new Set(query.types);
      const lastId = query.last_event_id ?? null;
      const latest = eventLog.latestId();
      // An id from the future belongs to another database (a wiped data dir): the client has seen nothing of this one.
      let cursor = lastId === null || lastId > latest ? latest : lastId;
      const place = caps.take(String(res.locals.callerId));
      if ('refused' in place) return sendFail(res, 429, place.refused);
      let closed = false;
      let unsubscribe = (): void => {};
      const allowed = openEventStream(req, res, heartbeatMs, () => {
        closed = true;
        place.release();
        unsubscribe();
      });

      const oldest = eventLog.oldestId();
      if (lastId !== null && lastId <= latest && oldest !== null && lastId + 1 < oldest) {
        // Events past the retention window are gone; say so rather than pretend the replay is whole.
        writeEvent(res, { type: 'stream.truncated', data: { last_event_id: lastId, oldest_available_id: oldest } });
      }

      let pumping = false;
      let again = false;

      const write = (e: LoggedEvent): boolean => writeEvent(res, { id: e.id, type: e.type, data: publicEvent(e) });

      async function pump(): Promise<void> {
        if (pumping) {
          again = true;
          return;
        }
        pumping = true;
        try {
          do {
            again = false;
            for (
              let page = eventLog.since(cursor, PAGE);
              page.length > 0 && !closed && allowed();
              page = eventLog.since(cursor, PAGE)
            ) {
              let flowing = true;
              for (const e of page) {
                cursor = e.id;
                if (types.has(e.type)) flowing = write(e) && flowing;
              }
              if (!flowing) await drained(res);
            }
          } while (again && !closed);
        } finally {
          pumping = false;
        }
      }

      // A log that cannot be read (the core is stopping) ends the stream; EventSource reconnects with its last id.
      const wake = (): void => {
        pump().catch(() => res.end());
      };
      unsubscribe = eventLog.subscribe(wake);
      wake();
    },
  );

  return api;
}
