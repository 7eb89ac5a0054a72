/**
 * Process exit codes, one per failure class (as kube-burner and k6 do), so CI can tell
 * "the system under test regressed" apart from "the harness could not run".
 */
export const ExitCode = {
  ok: 0,
  /** The run completed but at least one threshold failed. */
  thresholdsFailed: 1,
  /** Bad input: a scenario, flag or option that fails validation. Nothing was started. */
  usage: 2,
  /** The harness failed: a component did not build, start or answer. */
  runError: 3,
  /** The run did not finish within its time bound. */
  timeout: 4,
  /** `compare` / `--baseline` found a regression beyond the allowed limits. */
  regression: 5,
  /** Interrupted by SIGINT/SIGTERM; everything started was torn down. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error whose message is meant for the user as-is, with the exit code of its class. */
export class FluxbenchError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.runError,
  ) {
    super(message);
    this.name = 'FluxbenchError';
  }
}

/** Bad input: names what was wrong and what is allowed. */
export class UsageError extends FluxbenchError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}
