import type { Request, Response } from 'express';

/** Proxies and idle-connection reapers drop a silent stream; a comment line keeps it open. */
export const HEARTBEAT_MS = 15_000;

/**
 * Whether the caller may still read: the auth middleware leaves this check in `res.locals`, so a key revoked
 * while its stream is open (here or by `wagate keys revoke` in another process) stops the stream.
 */
function stillAuthorized(res: Response): boolean {
  const check = res.locals.stillAuthorized as (() => boolean) | undefined;
  return check?.() ?? true;
}

/**
 * Starts a server-sent event stream: the headers, the client's reconnect delay, and a heartbeat until the client
 * leaves, when `onClose` runs. Answers `allowed()`, to ask before each write; it ends the stream once the caller's
 * key or session is gone.
 */
export function openEventStream(_req: Request, res: Response, heartbeatMs: number, onClose: () => void): () => boolean {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  const allowed = (): boolean => {
    if (res.writableEnded) return false;
    if (stillAuthorized(res)) return true;
    res.end();
    return false;
  };
  const heartbeat = setInterval(() => allowed() && res.write(': heartbeat\n\n'), heartbeatMs);
  res.on('close', () => {
    clearInterval(heartbeat);
    onClose();
  });
  return allowed;
}

/** One event; answers false when the socket's buffer is full (wait for 'drain'). */
export function writeEvent(res: Response, event: { id?: number; type: string; data: unknown }): boolean {
  const id = event.id === undefined ? '' : `id: ${event.id}\n`;
  return res.write(`${id}event: ${event.type}\ndata: ${JSON.stringify(event.data ?? null)}\n\n`);
}
