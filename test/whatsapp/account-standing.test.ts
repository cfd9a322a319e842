import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cappingFromBaileys, timelockFromBaileys } from '../../server/whatsapp/account-standing.ts';
import { failureReasonOf } from '../../server/whatsapp/message-mapping.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

test('a time lock is shown with its end and reason; none, or one already over, is null', () => {
  const until = new Date(NOW + 3_600_000);
  assert.deepEqual(timelockFromBaileys({ isActive: true, timeEnforcementEnds: until }, NOW), {
    until: until.getTime() / 1000,
    enforcement_type: 'DEFAULT',
  });
  assert.deepEqual(timelockFromBaileys({ isActive: true }, NOW), { until: null, enforcement_type: 'DEFAULT' });
  assert.equal(timelockFromBaileys({ isActive: false }, NOW), null);
  assert.equal(timelockFromBaileys({ isActive: true, timeEnforcementEnds: new Date(NOW - 1) }, NOW), null);
});

test('the new-chat cap: WhatsApp’s status in our words, Unix seconds as they are, nothing said is null', () => {
  assert.deepEqual(
    cappingFromBaileys({
      capping_status: 'CAPPED' as never,
      total_quota: 50,
      used_quota: 50,
      cycle_end_timestamp: '1764633600',
    }),
    { status: 'capped', used: 50, quota: 50, cycle_ends_at: 1_764_633_600 },
  );
  assert.equal(cappingFromBaileys({ capping_status: 'NONE' as never }), null);
  assert.deepEqual(cappingFromBaileys({ total_quota: 10 }), {
    status: 'none',
    used: null,
    quota: 10,
    cycle_ends_at: null,
  });
});

test('a failure names the code WhatsApp put on the ack', () => {
  assert.equal(
    failureReasonOf({ messageStubParameters: ['463', 'Your account has been restricted'] }),
    'server_rejected:463',
  );
  assert.equal(failureReasonOf({ messageStubParameters: ['479'] }), 'server_rejected:479');
  assert.equal(failureReasonOf({}), 'send_error');
});
