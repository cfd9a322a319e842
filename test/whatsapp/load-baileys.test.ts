import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BAILEYS_STEPS } from '../../server/whatsapp/load-baileys.ts';

test('every step of the stepped Baileys load is a module of the installed Baileys (a new version may move them)', () => {
  for (const step of BAILEYS_STEPS) {
    const url = import.meta.resolve(step);
    assert.ok(existsSync(fileURLToPath(url)), `${step} resolves to ${url}, which does not exist`);
  }
});
