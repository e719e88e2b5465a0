import { AbortedError } from '@stowage/core';

/**
 * The signals that cancel a run, each with the exit code it ends the run with: 128 + the signal's
 * number, what a shell reports for a process the signal killed, so callers (scripts, Kubernetes,
 * systemd) see the same code whether or not the CLI caught the signal. SIGINT is Ctrl-C, SIGTERM
 * what container runtimes and `kill` send, SIGHUP a closed terminal or SSH session.
 */
export const INTERRUPT_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** A signal that cancels a run. */
export type InterruptSignal = keyof typeof INTERRUPT_SIGNALS;

/**
 * The abort reason of a run cancelled by a signal. Transfers reject with it as they would with any
 * `AbortedError` (code `Aborted`, after removing their temp files and aborting their multipart
 * uploads); it remembers the signal so the run exits with that signal's code.
 */
export class InterruptedError extends AbortedError {
  /** The signal that cancelled the run. */
  readonly signalName: InterruptSignal;
  /** The exit code the run ends with (128 + the signal's number). */
  readonly exitCode: number;

  constructor(signalName: InterruptSignal) {
    super(`Interrupted by ${signalName}; transfers were cancelled`);
    this.signalName = signalName;
    this.exitCode = INTERRUPT_SIGNALS[signalName];
  }
}

/** The exit code a run ends with when `signal` was aborted by an interrupt, else undefined. */
export function interruptExitCode(signal: AbortSignal | undefined): number | undefined {
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  return reason instanceof InterruptedError ? reason.exitCode : undefined;
}

/** What {@link cancelOnInterrupts} needs of the process (the real one outside tests). */
export interface SignalTarget {
  /** Subscribe to a signal (replacing Node's default of dying at once). */
  on(event: InterruptSignal, listener: () => void): unknown;
  /** End the process now. */
  exit(code: number): never;
}

/**
 * The one place the CLI handles signals: SIGINT, SIGTERM and SIGHUP abort the returned signal with
 * an {@link InterruptedError}, so running transfers stop, clean up, and the run exits with the
 * signal's code. A second signal while that clean-up runs exits at once (with its own code), for a
 * user who will not wait for it.
 * @param onForcedExit Called just before a forced exit, to put the terminal back (show the cursor).
 */
export function cancelOnInterrupts(
  target: SignalTarget = process,
  onForcedExit: () => void = () => {},
): AbortSignal {
  const controller = new AbortController();
  for (const name of Object.keys(INTERRUPT_SIGNALS) as InterruptSignal[]) {
    target.on(name, () => {
      if (controller.signal.aborted) {
        onForcedExit();
        target.exit(INTERRUPT_SIGNALS[name]);
      }
      controller.abort(new InterruptedError(name));
    });
  }
  return controller.signal;
}
