/** Something the user asked for that cannot be done, said in words: `wagate: …` on stderr, exit code 2. */
class CliFailure extends Error {}

export function fail(message: string): never {
  throw new CliFailure(message);
}

/** Runs a command as the `wagate` process does: a CliFailure is printed, and answers exit code 2. */
export async function runCommand(command: () => unknown): Promise<number> {
  try {
    await command();
    return 0;
  } catch (error) {
    if (!(error instanceof CliFailure)) throw error;
    console.error(`wagate: ${error.message}`);
    return 2;
  }
}
