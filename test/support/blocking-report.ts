/**
 * `node --test --import ./test/support/blocking-report.ts`: each test file's process reports to the runner over a pipe,
 * which Node writes asynchronously on Linux; --test-force-exit ends the process with process.exit(), which drops what
 * is still queued (nodejs/node#64833). The runner then counts fewer tests than ran, and a failure's name and error can
 * go missing (a clean-clone CI run here lost the last 13 tests of test/store/migrations.test.ts, at exit 0). Blocking
 * writes leave nothing queued.
 */
const stdout = process.stdout as unknown as { _handle?: { setBlocking?(blocking: boolean): void } };
stdout._handle?.setBlocking?.(true);
