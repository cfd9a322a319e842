export interface StreamCaps {
  /** Takes a place for `caller`'s new stream: a function that gives it back, or why there is none (a 429). */
  take(caller: string): { release: () => void } | { refused: string };
}

/** How many event streams may be open, per caller and in all: each holds a socket and a walk of the event log. */
export function createStreamCaps({ perCaller, total }: { perCaller: number; total: number }): StreamCaps {
  const open = new Map<string, number>();
  let all = 0;
  return {
    take(caller) {
      const mine = open.get(caller) ?? 0;
      if (mine >= perCaller)
        return {
          refused: `This caller already has ${perCaller} open event streams, the most one API key may hold: close one first`,
        };
      if (all >= total)
        return { refused: `WaGate already serves ${total} open event streams, the most it holds: close one first` };
      open.set(caller, mine + 1);
      all++;
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          all--;
          const left = (open.get(caller) ?? 1) - 1;
          if (left === 0) open.delete(caller);
          else open.set(caller, left);
        },
      };
    },
  };
}
