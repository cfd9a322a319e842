import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMediaFiles } from '../../server/store/media-files.ts';
import { sweepMedia } from '../../server/whatsapp/media-retention.ts';
import type { MessageStatus } from '../../server/contract/messages.ts';
import { tempDir } from '../support/temp-dir.ts';

test('files older than the retention go, except those of messages still waiting to leave; 0 keeps all', (t) => {
  const files = createMediaFiles(join(tempDir(t), 'media'));
  const now = Math.floor(Date.now() / 1000);
  const age = (path: string, days: number) => utimesSync(path, now - days * 86_400, now - days * 86_400);
  const sent = (id: string, days: number) => {
    const incoming = files.incomingPath();
    writeFileSync(incoming, 'x');
    files.keepOutbound(incoming, id, null);
    age(join(files.outboundFile(id), '..'), days);
  };
  const received = (id: string, days: number) => {
    writeFileSync(files.inboundFile(id), 'x');
    age(files.inboundFile(id), days);
  };
  sent('OLDSENT', 40);
  sent('OLDQUEUED', 40);
  sent('NEWSENT', 2);
  received('OLDIN', 40);
  received('NEWIN', 2);
  const statuses: Record<string, MessageStatus> = { OLDSENT: 'delivered', OLDQUEUED: 'queued', NEWSENT: 'sent' };
  const messages = { get: (id: string) => (statuses[id] ? ({ status: statuses[id] } as never) : null) };

  assert.equal(sweepMedia({ files, messages, config: { inbound_retention_days: 0 } }, now), 0);
  assert.equal(sweepMedia({ files, messages, config: { inbound_retention_days: 30 } }, now), 2);
  assert.equal(existsSync(files.outboundFile('OLDSENT')), false);
  assert.equal(existsSync(files.inboundFile('OLDIN')), false);
  for (const kept of [files.outboundFile('OLDQUEUED'), files.outboundFile('NEWSENT'), files.inboundFile('NEWIN')])
    assert.equal(existsSync(kept), true, kept);
});
