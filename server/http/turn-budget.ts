/**
 * At most this many requests start in one turn of the event loop. A request of the send path costs ~0.5 ms of the
 * loop's CPU, so a turn stays near 5 ms of request work (twice that when nothing waits: the poll's and the check's).
 */
const REQUESTS_PER_TURN = 10;

/** Starts a request's handling now, or in a later turn of the event loop. */
export type TurnBudget = (start: () => void) => void;

/**
 * Keeps a turn of the event loop short when many clients send at once. Without it, every request that arrived
 * together is handled in the same turn: 50 keep-alive clients answered by one fsync send again together, and their
 * next turn took 30–35 ms of CPU, while timers waited and a new connection needed about two such turns (libuv accepts
 * one connection per turn, and reads it in the next). Now the requests past the budget wait, in the order they came,
 * and start a budget's worth per turn: each batch from a `setImmediate` queued in the previous one, which runs in the
 * next turn, after its timers and its poll (new connections, answers from the disk and WhatsApp).
 */
export function createTurnBudget(perTurn = REQUESTS_PER_TURN): TurnBudget {
  const waiting: (() => void)[] = [];
  let startedThisTurn = 0;
  let turnEnds: NodeJS.Immediate | null = null;

  /** Until the next one, at most `perTurn` requests start (this batch counts). */
  function endOfTurn(): void {
    const batch = waiting.splice(0, perTurn);
    startedThisTurn = batch.length;
    turnEnds = waiting.length > 0 ? setImmediate(endOfTurn) : null;
    for (const start of batch) start();
  }

  return (start) => {
    turnEnds ??= setImmediate(endOfTurn);
    if (waiting.length > 0 || startedThisTurn >= perTurn) {
      waiting.push(start);
      return;
    }
    startedThisTurn++;
    start();
  };
}
