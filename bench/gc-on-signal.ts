/**
 * `node --expose-gc --import ./bench/gc-on-signal.ts …`: a SIGUSR2 runs a full GC and prints the process's memory
 * after it on stderr (process.memoryUsage() as JSON), so the bench can read memory after a GC from outside. Only the
 * bench loads it; `wagate` never does.
 */
process.on('SIGUSR2', () => {
  globalThis.gc!();
  process.stderr.write(`gc done: ${JSON.stringify(process.memoryUsage())}\n`);
});
