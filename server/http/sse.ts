import type { Request, Response } from 'express';

/** Proxies and idle-connection reapers drop a silent stream; a comment line keeps it open. */
export const HEARTBEAT_MS = 15_000;

/**
 * Starts a server-sent event stream: the headers, the client's reconnect delay, and a heartbeat until the client
 * leaves, when `onClose` runs.
 */
export function openEventStream(req: Request, res: Response, heartbeatMs: number, onClose: () => void): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
  req.on('close', () => {
    clearInterval(heartbeat);
    onClose();
  });
}

/** One event; answers false when the socket's buffer is full (wait for 'drain'). */
export function writeEvent(res: Response, event: { id?: number; type: string; data: unknown }): boolean {
  const id = event.id === undefined ? '' : `id: ${event.id}\n`;
  return res.write(`${id}event: ${event.type}\ndata: ${JSON.stringify(event.data ?? null)}\n\n`);
}
