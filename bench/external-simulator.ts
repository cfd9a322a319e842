import { join } from 'node:path';
import { startWagate } from '../test/support/wagate-process.ts';

export interface ExternalSimulator {
  wsUrl: string;
  rootKey: string;
  /** Its control API's root (…/sandbox/phone/scan and so on). */
  control: string;
  /** The virtual phone scans a QR, as through its control API. */
  scan(qr: string): Promise<void>;
  stop(): Promise<void>;
}

/** The WhatsApp simulator in a process of its own (`wagate sandbox`), as `serve --wa-url` meets it. */
export async function startExternalSimulator(dir: string): Promise<ExternalSimulator> {
  const { running, found } = await startWagate(
    ['sandbox', '--port', '0', '--data-dir', join(dir, 'sim')],
    [/^WhatsApp simulator: (\S+)$/m, /^Root public key: (\S+)$/m, /^Control API: (\S+)\/sandbox\/phone$/m],
  );
  const [wsUrl, rootKey, control] = found as [string, string, string];
  return { wsUrl, rootKey, control, scan: (qr) => scanAt(control, qr), stop: () => running.stop() };
}

/** The virtual phone of the simulator whose control API is at `control` scans a QR. */
export async function scanAt(control: string, qr: string): Promise<void> {
  const res = await fetch(`${control}/sandbox/phone/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ qr }),
  });
  if (!res.ok) throw new Error(`the scan answered ${res.status}: ${await res.text()}`);
}
