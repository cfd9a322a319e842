// @ts-check
/**
 * `npm run mutate`: mutation testing of the modules where a bug costs a user most (scores in NOTES.md). Not in CI.
 * Each module runs only its fast, relevant test files; `MUTATE=signature,api-keys npm run mutate` runs some of them.
 * The sandbox's line ranges are where its decryption and pairing checks are acted on: keep them on those lines.
 */
const MODULES = {
  // The HTTP layer's gates, one run each: every request passes all three, so together each mutant would run them all.
  envelope: { mutate: ['server/http/envelope.ts'], testFiles: ['test/http/api-errors.test.ts'] },
  auth: {
    mutate: ['server/http/middleware/auth.ts'],
    testFiles: [
      'test/http/api-errors.test.ts',
      'test/http/callers.test.ts',
      'test/http/adversarial-admin.test.ts',
      'test/http/client-limits.test.ts',
    ],
  },
  'host-check': { mutate: ['server/http/middleware/host-check.ts'], testFiles: ['test/http/host-check.test.ts'] },
  idempotency: {
    mutate: ['server/http/middleware/idempotency.ts'],
    testFiles: ['test/http/idempotency.test.ts'],
  },
  sender: {
    mutate: ['server/whatsapp/sender.ts'],
    // send-answers first: it kills most mutants, and a mutant stops at its first failing file (forceBail).
    testFiles: ['test/e2e/send-answers.test.ts', 'test/whatsapp/sender.test.ts'],
  },
  signature: {
    mutate: ['server/webhooks/signature.ts'],
    testFiles: ['test/webhooks/signature.test.ts', 'test/contract/documented-defaults.test.ts'],
  },
  'api-keys': {
    mutate: ['server/store/api-keys.ts'],
    testFiles: ['test/store/api-keys.test.ts'],
  },
  'sandbox-checks': {
    // The two checks in files of their own, and the two lines that act on them (keep these ranges on those lines).
    mutate: [
      'server/sandbox/decrypt-participants.ts',
      'server/sandbox/pair-device-sign.ts',
      'server/sandbox/contact-inbox.ts:121-121',
      'server/sandbox/pairing.ts:101-105',
    ],
    testFiles: ['test/sandbox/checks.test.ts', 'test/sandbox/pair-device-sign.test.ts'],
  },
};

const chosen = (process.env.MUTATE ?? Object.keys(MODULES).join(',')).split(',');
const unknown = chosen.filter((name) => !(name in MODULES));
if (unknown.length) throw new Error(`MUTATE names no module ${unknown.join(', ')}: ${Object.keys(MODULES).join(', ')}`);
const modules = chosen.map((name) => MODULES[/** @type {keyof typeof MODULES} */ (name)]);
const run = chosen.join('+');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  tap: {
    testFiles: [...new Set(modules.flatMap((m) => m.testFiles))],
    // node:test in the runner's own process (its coverage hook sees the code), TAP out.
    nodeArgs: [
      '-r',
      '{{hookFile}}',
      '--test',
      '--test-isolation=none',
      '--test-force-exit',
      '--test-reporter=tap',
      '{{testFile}}',
    ],
    forceBail: true,
  },
  mutate: modules.flatMap((m) => m.mutate),
  ignoreStatic: true,
  concurrency: 1,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: `reports/mutation/${run}.incremental.json`,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: `reports/mutation/${run}.html` },
  ignorePatterns: [
    'dist',
    'renderer',
    'test-results',
    'playwright-report',
    'build',
    'docs',
    'bench',
    'electron',
    'reports',
  ],
  // One folder per run, so that runs of different modules can share the checkout.
  tempDirName: `.stryker-tmp/${run}`,
  cleanTempDir: true,
};
