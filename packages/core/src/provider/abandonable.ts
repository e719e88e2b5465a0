import type { Readable } from 'node:stream';

/**
 * Let a stream that was opened with an AbortSignal be abandoned when the signal fires. A cancelled
 * transfer stops reading some streams before their consumer has attached an 'error' listener,
 * and Node would turn the abort error on such a stream into a process crash. Consumers that do
 * read (pipeline, for await, pipe) still see every error through their own listeners.
 */
export function abandonable<T extends Readable>(stream: T, signal: AbortSignal | undefined): T {
  if (signal) stream.on('error', () => undefined);
  return stream;
}
