/** Time for the parts whose behaviour depends on it (scheduled sends, waiting bounds): tests give a fake one. */
export interface Clock {
  /** Unix ms. */
  now(): number;
  /** Runs `fn` after `ms`; the answer cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
