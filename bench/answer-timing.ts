import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * `--import`ed into the messages bench's `wagate serve` (never into WaGate itself): how a synchronous send's time
 * splits between WaGate, from its request's arrival to its 200's last byte handed to the kernel, and its client's turn,
 * from that 200 to the next request's arrival, with how busy WaGate's event loop was meanwhile (receipts and the
 * simulator's timers come then too). Written to the file WAGATE_BENCH_TIMING names, as totals since the last
 * SIGUSR2, on each SIGUSR2: the bench signals after each block, so no turn spans the other side's.
 */
export interface AnswerTiming {
  seq: number;
  answered: number;
  answerMs: number;
  turns: number;
  turnMs: number;
  turnBusyMs: number;
}

const file = process.env.WAGATE_BENCH_TIMING;
if (!file) throw new Error('bench/answer-timing.ts needs WAGATE_BENCH_TIMING: the file to write its totals to');

const fresh = () => ({ answered: 0, answerMs: 0, turns: 0, turnMs: 0, turnBusyMs: 0 });
let totals = fresh();
let seq = 0;
let started = 0;
let answeredAt = 0;
let loopAt: EventLoopUtilization | null = null;

subscribe('http.server.request.start', (message) => {
  if ((message as { request: IncomingMessage }).request.method !== 'POST') return;
  started = performance.now();
  if (!answeredAt || !loopAt) return;
  totals.turns++;
  totals.turnMs += started - answeredAt;
  totals.turnBusyMs += performance.eventLoopUtilization(loopAt).active;
  answeredAt = 0;
});

// Only a synchronous send is answered 200 to a POST here (the outbox's sends are 202).
subscribe('http.server.response.finish', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  if (request.method !== 'POST' || response.statusCode !== 200 || !started) return;
  answeredAt = performance.now();
  totals.answered++;
  totals.answerMs += answeredAt - started;
  loopAt = performance.eventLoopUtilization();
});

process.on('SIGUSR2', () => {
  writeFileSync(file, JSON.stringify({ seq: ++seq, ...totals } satisfies AnswerTiming));
  totals = fresh();
  answeredAt = 0;
});
