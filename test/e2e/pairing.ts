import { postJson, type Harness } from '../http/core-harness.ts';
import { waitForState } from '../support/waits.ts';

/** Pairs exactly as a user of the API would: read the QR from GET /session/qr, let the virtual phone scan it. */
export async function pairThroughApi(h: Harness): Promise<void> {
  await waitForState(h.core, 'qr');
  const qr = await h.call('/session/qr?format=json');
  if (qr.status !== 200) throw new Error(`GET /session/qr answered ${qr.status}: ${JSON.stringify(qr.body)}`);
  const scan = await h.call('/sandbox/phone/scan', postJson({ qr: qr.body.data.qr }));
  if (scan.status !== 200) throw new Error(`scan answered ${scan.status}: ${JSON.stringify(scan.body)}`);
  await waitForState(h.core, 'connected');
}
