import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

/**
 * `node --import ./young-generation.ts` with YOUNG_GENERATION_FILE set: writes the size V8 gave the process's young
 * generation (its new space, in bytes) to that file as the process starts; a process that re-executes itself writes
 * it again.
 */
const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!;
writeFileSync(process.env.YOUNG_GENERATION_FILE!, String(newSpace.space_size));
