import assert from 'node:assert/strict';
import { eventually } from './waits.ts';

/** A WaGate process (`startWagate`) driven over its API as a user would: the kill and SIGTERM suites. */

/** A WaGate process as a user reaches it: its API with a key, and where the simulator's control API is. */
export interface Target {
  api: string;
  key: string;
  /** The simulator's control API root (`…/sandbox`), and the headers it needs. */
  control: string;
  controlHeaders: Record<string, string>;
}

export async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

export async function pair(target: Target): Promise<void> {
  const auth = { authorization: target.key };
  const qr = await eventually(async () => {
    const res = await json(`${target.api}/session/qr?format=json`, { headers: auth });
    return res.status === 200 ? (res.body.data.qr as string) : undefined;
  }, 'a QR from the API');
  const scan = await json(`${target.control}/phone/scan`, {
    method: 'POST',
    headers: { ...target.controlHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ qr }),
  });
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  await connected(target);
}

export const connected = (target: Target) =>
  eventually(
    async () =>
      (await json(`${target.api}/session`, { headers: { authorization: target.key } })).body.data.state === 'connected',
    'the session connected',
    30_000,
  );
