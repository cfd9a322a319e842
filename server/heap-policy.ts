import { setFlagsFromString } from 'node:v8';

/**
 * V8 doubles its young generation under allocation up to 2 × 16 MB and never gives it back, which was most of the
 * core's idle memory and of its growth over many sends (npm run bench, memory). Capping it at its first size costs more
 * frequent, shorter scavenges. Called first thing by the processes that run the core (the command, the desktop app):
 * the growth factor is the one young-generation flag V8 still honours once the heap exists.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
