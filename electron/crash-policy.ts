/** A second crash sooner than this after the first is likely to repeat: the user is asked rather than caught in a loop. */
export const CRASH_LOOP_MS = 60_000;

/** After the core's process ended on its own: restart it at once, or ask first. */
export function afterCrash(previousCrashAt: number | null, now: number): 'restart' | 'ask' {
  return previousCrashAt !== null && now - previousCrashAt < CRASH_LOOP_MS ? 'ask' : 'restart';
}

/** The words of the tray, the notification and the question for a core that stopped unexpectedly. */
export function crashWords(code: number) {
  const kept = 'Messages it had accepted are kept and leave once it is connected again.';
  return {
    status: 'WaGate stopped unexpectedly: restarting…',
    notice: { title: 'WaGate stopped unexpectedly', body: `It is restarting. ${kept}` },
    question: {
      message: 'WaGate keeps stopping',
      detail: `It stopped twice within a minute (exit code ${code}); its log says why. ${kept}`,
      buttons: ['Restart WaGate', 'Quit'],
    },
    stopped: 'WaGate stopped unexpectedly and was not restarted',
  };
}
