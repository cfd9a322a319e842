import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_NODE_FLAGS } from '../../server/heap-policy.ts';
import { startWagate, UNREACHABLE_SIMULATOR } from '../support/wagate-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const YOUNG_GENERATION = new URL('../support/young-generation.ts', import.meta.url).href;
const MB = 1024 * 1024;
const semiSpaceMb = Number(
  CORE_NODE_FLAGS.map((flag) => /^--min-semi-space-size=(\d+)$/.exec(flag)?.[1]).find(Boolean),
);

/** `wagate serve` started with `env` beside the usual environment: its young generation's size and its environment. */
async function serveWith(t: TestContext, env: Record<string, string> = {}, args: string[] = []) {
  const report = join(tempDir(t), 'young-generation.txt');
  const { running } = await startWagate(
    ['serve', '--port', '0', '--data-dir', tempDir(t), ...UNREACHABLE_SIMULATOR],
    [/^API: (\S+)$/m],
    20_000,
    { args: [...args, '--import', YOUNG_GENERATION], env: { YOUNG_GENERATION_FILE: report, ...env } },
  );
  t.after(() => running.stop());
  const environ = readFileSync(`/proc/${running.child.pid}/environ`, 'utf8').split('\0');
  return { youngGenerationMb: Number(readFileSync(report, 'utf8')) / MB, environ };
}

const linuxOnly = { skip: process.platform === 'linux' ? false : 'the command re-executes itself on Linux only' };

test("wagate serve runs with the core's young generation and malloc settings", linuxOnly, async (t) => {
  assert.ok(semiSpaceMb > 1, `CORE_NODE_FLAGS sets the semi-space (${CORE_NODE_FLAGS.join(' ')})`);
  const { youngGenerationMb, environ } = await serveWith(t);
  assert.equal(youngGenerationMb, semiSpaceMb);
  assert.ok(environ.includes('MALLOC_ARENA_MAX=2'), 'the arena limit');
  assert.ok(
    environ.some((entry) => entry.startsWith('GLIBC_TUNABLES=glibc.malloc.trim_threshold=')),
    'the thresholds',
  );
});

test(
  'a user who sets the arena limit still gets the young generation; their own node flag wins',
  linuxOnly,
  async (t) => {
    const own = await serveWith(t, { MALLOC_ARENA_MAX: '4' });
    assert.equal(own.youngGenerationMb, semiSpaceMb);
    assert.ok(own.environ.includes('MALLOC_ARENA_MAX=4'), "the user's arena limit kept");
    const bigger = await serveWith(t, {}, [`--min-semi-space-size=${semiSpaceMb * 4}`]);
    assert.equal(bigger.youngGenerationMb, semiSpaceMb * 4);
  },
);
