import { useCallback, useRef } from 'react';

/** Hands on `answer`'s value to `apply` (its failure to `fail`) unless a later one was handed on first. */
export type InOrder = <T>(answer: Promise<T>, apply: (value: T) => void, fail?: (failure: unknown) => void) => void;

/**
 * A screen reads again on every event, so two answers to one GET can be on their way at once, and the core answers
 * each when it is ready: the older may arrive last, and would show a list or a state that is no longer true. Each
 * call takes a ticket; an answer whose ticket is older than the last one handed on is dropped. An event's state,
 * given as `Promise.resolve(state)`, takes its ticket when it arrives, so no answer to an earlier request undoes it.
 */
export function useInOrder(): InOrder {
  const tickets = useRef({ issued: 0, handedOn: 0 });
  return useCallback<InOrder>((answer, apply, fail = () => undefined) => {
    const ticket = ++tickets.current.issued;
    const ifLatest =
      <A>(use: (arg: A) => void) =>
      (arg: A) => {
        if (ticket < tickets.current.handedOn) return;
        tickets.current.handedOn = ticket;
        use(arg);
      };
    answer.then(ifLatest(apply), ifLatest(fail));
  }, []);
}
