import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Resident memory of a process, in MB (Linux: /proc/<pid>/status). */
export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}

/**
 * CPU time a process has used so far (user + system), in ms. Unlike wall time it barely moves with the machine's
 * load, so it says what a start costs when others share the cores.
 */
export function cpuMs(pid: number): number {
  return cpuMsIn(`/proc/${pid}/stat`);
}

/**
 * CPU time of a process's main thread so far, in ms: the thread its event loop runs on, which every send goes
 * through one after the other (fsyncs, GC helpers and libuv's pool run on others).
 */
export function mainThreadCpuMs(pid: number): number {
  return cpuMsIn(`/proc/${pid}/task/${pid}/stat`);
}

function cpuMsIn(statFile: string): number {
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = readFileSync(statFile, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}
