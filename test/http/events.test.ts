import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { openDatabase, type Database } from '../../server/store/database.ts';
import { createEventBus, type CoreEvents } from '../../server/events.ts';
import { createEventLog, type EventLog } from '../../server/store/event-log.ts';
import { createEventsRouter } from '../../server/http/routes/events.ts';
import { serveOperations } from '../../server/http/operations.ts';
import { createStreamCaps } from '../../server/http/stream-caps.ts';
import { errorHandler, notFound } from '../../server/http/middleware/errors.ts';
import { silentLogger } from '../../server/logger.ts';
import type { StoredMessage } from '../../server/contract/messages.ts';
import type { SessionSnapshot } from '../../server/contract/session.ts';

interface SseEvent {
  id: string | null;
  event: string | null;
  data: any;
}

/** A minimal EventSource over fetch: frames in arrival order, every wait bounded. */
async function connect(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const frames: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      const reader = res.body!.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          if (!fields.has('data')) continue;
          frames.push({
            id: fields.get('id') ?? null,
            event: fields.get('event') ?? null,
            data: JSON.parse(fields.get('data')!),
          });
          waiters.splice(0).forEach((wake) => wake());
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    res,
    frames,
    /** Waits until `count` frames have arrived, then returns them all. */
    async take(count: number, timeoutMs = 3000): Promise<SseEvent[]> {
      const deadline = Date.now() + timeoutMs;
      while (frames.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} SSE frames, got ${frames.length}: ${JSON.stringify(frames)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return frames.slice();
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}

let dir: string;
let db: Database;
let bus: CoreEvents;
let log: EventLog;
let server: Server;
let base: string;

function message(id: string, text = `text ${id}`): StoredMessage {
  return {
    message_id: id,
    chat_jid: '15550001111@s.whatsapp.net',
    chat_lid: null,
    direction: 'inbound',
    sender: '15550001111@s.whatsapp.net',
    text,
    quoted_message_id: null,
    timestamp: 1_764_080_000,
    status: 'received',
    kind: 'text',
  };
}

function snapshot(state: SessionSnapshot['state'], qr: string | null = null): SessionSnapshot {
  return {
    state,
    qr,
    qr_expires_at: qr ? Math.floor(Date.now() / 1000) + 20 : null,
    account: null,
    reconnects_today: 0,
    last_reconnect: null,
    last_error: null,
    since: Math.floor(Date.now() / 1000),
    reachout_timelock: null,
    message_capping: null,
  };
}

/** The router alone, without the core's caps (those are tested against the core in client-limits.test.ts). */
const uncapped = () => createStreamCaps({ perCaller: 1000, total: 1000 });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wagate-events-'));
  db = openDatabase(join(dir, 'wagate.db'));
  bus = createEventBus();
  log = createEventLog({ db, events: bus });
  const app = express();
  app.use(serveOperations([createEventsRouter({ eventLog: log, caps: uncapped() })]));
  app.use(notFound, errorHandler(silentLogger()));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  log.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a client gets each bus event with its id, type and data; a rotating QR is one state change', async () => {
  const client = await connect(`${base}/events`);
  assert.equal(client.res.status, 200);
  assert.match(client.res.headers.get('content-type')!, /^text\/event-stream/);
  const start = log.latestId();
  bus.emit('message.received', message('IN1', 'héllo\nwörld'));
  bus.emit('session.state', snapshot('qr', 'QR-1'));
  bus.emit('session.state', snapshot('qr', 'QR-2'));
  bus.emit('message.status', {
    message_id: 'OUT1',
    chat_jid: '15550001111@s.whatsapp.net',
    status: 'delivered',
    at: 1_764_080_001,
  });
  const frames = await client.take(3);
  await client.close();
  assert.deepEqual(
    frames.map((f) => [f.id, f.event]),
    [
      [String(start + 1), 'message.received'],
      [String(start + 2), 'session.state'],
      [String(start + 3), 'message.status'],
    ],
  );
  assert.deepEqual(frames[0]!.data.data, message('IN1', 'héllo\nwörld'));
  assert.equal(frames[0]!.data.id, start + 1);
  assert.equal(frames[0]!.data.type, 'message.received');
  assert.equal(typeof frames[0]!.data.at, 'number');
  assert.equal(frames[1]!.data.data.state, 'qr');
  assert.equal(frames[1]!.data.data.qr, undefined, 'a stale QR is not kept');
  assert.equal(frames[2]!.data.data.status, 'delivered');
});

test('a client that reconnects with Last-Event-ID gets what it missed, then live events, without gaps or repeats', async () => {
  const first = await connect(`${base}/events`);
  bus.emit('message.received', message('R1'));
  bus.emit('message.received', message('R2'));
  const seen = await first.take(2);
  await first.close();
  const lastId = seen.at(-1)!.id!;

  // While it is away, more than one page of the replay: events it must get back.
  const away = Array.from({ length: 450 }, (_, i) => `A${i}`);
  for (const id of away) bus.emit('message.received', message(id));
  bus.emit('message.status', { message_id: 'R1', chat_jid: '15550001111@s.whatsapp.net', status: 'read', at: 1 });

  // Events keep coming while it reconnects, to cross the replay/live boundary under load.
  const live = Array.from({ length: 40 }, (_, i) => `L${i}`);
  let next = 0;
  const burst = setInterval(() => {
    if (next < live.length) bus.emit('message.received', message(live[next++]!));
  }, 1);
  const second = await connect(`${base}/events`, { 'Last-Event-ID': lastId });
  const total = away.length + 1 + live.length;
  await second.take(total, 5000).finally(() => clearInterval(burst));
  // One more event after the burst: a repeat of any earlier one would reach the client before it.
  bus.emit('message.received', message('END'));
  const frames = await second.take(total + 1);
  await second.close();

  assert.equal(frames.length, total + 1, 'nothing twice');
  assert.equal(frames.at(-1)!.data.data.message_id, 'END');
  frames.forEach((f, i) => assert.equal(Number(f.id), Number(lastId) + 1 + i, 'ids run on without a gap'));
  const received = frames.filter((f) => f.event === 'message.received').map((f) => f.data.data.message_id);
  assert.deepEqual(received, [...away, ...live, 'END']);
});

test('a heartbeat comment keeps an idle stream open', async () => {
  const app = express().use(
    serveOperations([createEventsRouter({ eventLog: log, caps: uncapped(), heartbeatMs: 20 })]),
  );
  const hserver = createServer(app);
  await new Promise<void>((resolve) => hserver.listen(0, '127.0.0.1', resolve));
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${(hserver.address() as { port: number }).port}/events`, {
    signal: controller.signal,
    headers: {},
  });
  const timeout = setTimeout(() => controller.abort(), 3000);
  let text = '';
  try {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += decoder.decode(chunk.value, { stream: true });
      if (text.includes(': heartbeat\n\n')) break;
    }
  } finally {
    clearTimeout(timeout);
    controller.abort();
    hserver.closeAllConnections();
    await new Promise((resolve) => hserver.close(resolve));
  }
  assert.match(text, /^retry: \d+\n\n/);
  assert.match(text, /: heartbeat\n\n/);
});

test('?last_event_id= works like the header, and ?types= filters', async () => {
  const before = log.latestId();
  bus.emit('message.received', message('T1'));
  bus.emit('message.status', { message_id: 'T1', chat_jid: 'x@s.whatsapp.net', status: 'read', at: 2 });
  bus.emit('session.state', snapshot('connected'));
  const client = await connect(`${base}/events?last_event_id=${before}&types=message.status,session.state`);
  const frames = await client.take(2);
  bus.emit('message.received', message('T2'));
  bus.emit('message.status', { message_id: 'T2', chat_jid: 'x@s.whatsapp.net', status: 'sent', at: 3 });
  const more = await client.take(3);
  await client.close();
  assert.deepEqual(
    frames.map((f) => f.event),
    ['message.status', 'session.state'],
  );
  assert.deepEqual(
    more.map((f) => f.id),
    [String(before + 2), String(before + 3), String(before + 5)],
  );
});

test('a malformed Last-Event-ID or an unknown type is a 400 in the envelope', async () => {
  for (const [path, headers, error] of [
    ['/events', { 'Last-Event-ID': 'abc' }, /Last-Event-ID/],
    ['/events?last_event_id=-1', {}, /Last-Event-ID/],
    ['/events?types=message.received,message.exploded', {}, /Unknown event type "message.exploded"/],
  ] as const) {
    const res = await fetch(`${base}${path}`, { headers });
    const body = (await res.json()) as { status: boolean; error: string };
    assert.equal(res.status, 400, path);
    assert.equal(body.status, false);
    assert.match(body.error, error);
  }
});

test('pruning takes exactly the events older than the retention, however many there are', () => {
  const file = join(dir, 'pruning.db');
  const hour = 60 * 60 * 1000;
  let t = 1_000_000_000_000;
  let pdb = openDatabase(file);
  const pbus = createEventBus();
  let plog = createEventLog({ db: pdb, events: pbus, now: () => t, retentionMs: 10 * hour });
  for (let i = 0; i < 25; i++) {
    pbus.emit('message.received', message(`M${i}`));
    t += hour;
  }
  plog.close();
  pdb.close();
  // Now is 25 h and 1 ms after the first event: the first 16 (logged 25 h to 10 h and 1 ms ago) are beyond the 10 h.
  t += 1;
  pdb = openDatabase(file);
  plog = createEventLog({ db: pdb, events: pbus, now: () => t, retentionMs: 10 * hour });
  assert.equal(plog.oldestId(), 17);
  assert.equal(plog.latestId(), 25);
  plog.close();
  pdb.close();
});

test('events outlive a restart with growing ids; beyond retention they are pruned and the client is told', async () => {
  const file = join(dir, 'retention.db');
  let t = 1_000_000_000_000;
  let rdb = openDatabase(file);
  const rbus = createEventBus();
  let rlog = createEventLog({ db: rdb, events: rbus, now: () => t, retentionMs: 60 * 60 * 1000 });
  rbus.emit('message.received', message('OLD1'));
  rbus.emit('message.received', message('OLD2'));
  rlog.close();
  rdb.close();

  rdb = openDatabase(file);
  t += 2 * 60 * 60 * 1000;
  rlog = createEventLog({ db: rdb, events: rbus, now: () => t, retentionMs: 60 * 60 * 1000 });
  assert.equal(rlog.latestId(), 2, 'the id survives a restart');
  assert.equal(rlog.oldestId(), null, 'older than retention: pruned');
  rbus.emit('message.received', message('NEW'));
  assert.deepEqual(
    rlog.since(0).map((e) => [e.id, (e.data as StoredMessage).message_id]),
    [[3, 'NEW']],
  );

  const app = express().use(serveOperations([createEventsRouter({ eventLog: rlog, caps: uncapped() })]));
  const rserver = createServer(app);
  await new Promise<void>((resolve) => rserver.listen(0, '127.0.0.1', resolve));
  const client = await connect(`http://127.0.0.1:${(rserver.address() as { port: number }).port}/events`, {
    'Last-Event-ID': '1',
  });
  const frames = await client.take(2);
  await client.close();
  rserver.closeAllConnections();
  await new Promise((resolve) => rserver.close(resolve));
  rlog.close();
  rdb.close();
  assert.equal(frames[0]!.event, 'stream.truncated');
  assert.deepEqual(frames[0]!.data, { last_event_id: 1, oldest_available_id: 3 });
  assert.equal(frames[1]!.id, '3');
});
