import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestOnce, type LoadRequest } from './load.ts';

/**
 * `node bench/steady-load-client.ts <url> <init as JSON> <concurrency> [<per second>]`: keeps <concurrency> keep-alive
 * clients sending one request after another until its stdin closes; with a rate, all of them together send no faster
 * than it. Prints `{"ready":true}` once every client has had an answer (all connections open, the load steady), then,
 * at the end, the answers per second counted from then on and the requests that got no answer, by error code: such a
 * client goes on with its next request (the agent opens a new connection), so one reset is a figure, not a crash.
 */
const [url, initJson, concurrency, rate] = process.argv.slice(2) as [string, string, string, string | undefined];
const init = JSON.parse(initJson) as LoadRequest;
const clients = Number(concurrency);
const agent = new Agent({ keepAlive: true, maxSockets: clients });
const interval = rate ? 1000 / Number(rate) : 0;

let stopped = false;
process.stdin.on('end', () => (stopped = true)).resume();

/** Requests that ended without an answer (the server closed the connection, …), by error code. */
const failed: Record<string, number> = {};

/** Requests answered: one that got no answer counts in `failed` instead. */
let answered = 0;
let nextSlot = 0;
/** Each request takes the next free slot of the rate, if there is one. */
const one = async () => {
  const now = performance.now();
  const at = Math.max(nextSlot, now);
  nextSlot = at + interval;
  if (at > now) await sleep(at - now);
  return requestOnce(url, init, agent).then(
    () => void answered++,
    (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      failed[code] = (failed[code] ?? 0) + 1;
    },
  );
};

let warm = 0;
let steadySince = 0n;
let answeredThen = 0;
const client = async () => {
  await one();
  if (++warm === clients) {
    steadySince = process.hrtime.bigint();
    answeredThen = answered;
    console.log(JSON.stringify({ ready: true }));
  }
  while (!stopped) {
    await one();
  }
};
await Promise.all(Array.from({ length: clients }, client));
const seconds = Number(process.hrtime.bigint() - steadySince) / 1e9;
agent.destroy();
console.log(
  JSON.stringify({
    requests: answered - answeredThen,
    seconds,
    perSecond: (answered - answeredThen) / seconds,
    failed,
  }),
);
