// The title ava shows for a test that a machine cannot run (scenario.ts declares it; the runner selects it by it).

/** Skipped, with the reason, in the title. */
export const avaSkipTitle = (title: string, reason: string) => `${title} (skipped: ${reason})`;
