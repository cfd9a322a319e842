import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { startSandboxCore, type TestCore } from '../support/core.ts';

let h: TestCore;
before(async (t) => {
  h = await startSandboxCore(t);
});

test("/openapi.json passes Redocly's recommended rules without an error", async () => {
  const document = (await h.call('/openapi.json', { auth: false })).body;
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: '/openapi.json', config });
  const said = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
  assert.deepEqual(
    said.filter((line) => line.startsWith('error')),
    [],
  );
  assert.deepEqual(said, [], 'and without a warning');
});
