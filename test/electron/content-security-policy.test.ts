import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, withContentSecurityPolicy } from '../../electron/content-security-policy.ts';

function directives(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values.join(' ')]),
  );
}

test('the policy allows scripts only from the dashboard itself: no inline script, no eval, no other host', () => {
  const policy = directives(contentSecurityPolicy());
  assert.equal(policy.get('default-src'), "'none'");
  assert.equal(policy.get('script-src'), "'self'");
  assert.equal(policy.get('connect-src'), "'self'");
  assert.equal(policy.get('object-src'), "'none'");
  assert.equal(policy.get('frame-ancestors'), "'none'");
  assert.equal(policy.get('base-uri'), "'none'");
  assert.doesNotMatch(contentSecurityPolicy(), /unsafe-eval|https?:|\*/);
});

test("the core's own policy is kept beside the shell's, whatever the header's case", () => {
  const core = "default-src 'self'";
  const lower = withContentSecurityPolicy({ 'content-security-policy': [core], 'x-frame-options': ['DENY'] });
  assert.deepEqual(lower['content-security-policy'], [core, contentSecurityPolicy()]);
  assert.deepEqual(lower['x-frame-options'], ['DENY']);
  const none = withContentSecurityPolicy({});
  assert.deepEqual(none['Content-Security-Policy'], [contentSecurityPolicy()]);
});
