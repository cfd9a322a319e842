import { useEffect, useState } from 'react';

/** The current time, re-read every `everyMs` while `running`: for countdowns and "3 minutes ago" only. */
export function useNow(everyMs: number, running = true): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs, running]);
  return now;
}
