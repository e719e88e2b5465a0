import { AbortedError } from './error-types.js';

/** Throw an AbortedError when the signal has fired; call before starting each unit of work. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw toAbortedError(signal.reason, what);
}

/** Convert whatever an AbortSignal carried into an AbortedError (keeping a StowageError reason as is). */
export function toAbortedError(reason: unknown, what?: string): Error {
  if (reason instanceof AbortedError) return reason;
  if (reason instanceof Error && (reason as { code?: unknown }).code === 'Timeout') return reason;
  return new AbortedError(what ? `${what} was aborted` : 'The operation was aborted', { cause: reason });
}

/** True for errors produced by an aborted signal, whichever library raised them. */
export function isAbortError(error: unknown): boolean {
  if (error instanceof AbortedError) return true;
  if (!(error instanceof Error)) return false;
  return error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR';
}

/**
 * Wait for `work` that others share, but stop waiting (with AbortedError) when this caller's own
 * signal fires; the shared work goes on for the callers still waiting.
 */
export function awaitUnlessAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  what?: string,
): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(toAbortedError(signal.reason, what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toAbortedError(signal.reason, what));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
