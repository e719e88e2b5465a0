import { isAbortError, toAbortedError } from '../errors/abort.js';
import { TransientError } from '../errors/error-types.js';
import { isStowageError } from '../errors/stowage-error.js';
import { abortableSleep } from '../layers/abortable-sleep.js';
import {
  backoffDelay,
  markRetriesSpent,
  PROGRESS_RESETS_ATTEMPTS,
  type RetryNotice,
  type RetryOptions,
  retriesSpent,
} from '../layers/retry.js';
import type { CallNotice } from '../provider/call-options.js';
import type { ByteRange, Provider } from '../provider/provider.js';
import { isRangeIgnored } from '../provider/range.js';
import type { ReadPin } from '../provider/read-pin.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';

/** What {@link resumingRead} reads, and how it may continue. */
export interface ResumingReadOptions {
  /** The bytes wanted (default: all). */
  range?: ByteRange;
  /** The version every request is pinned to; without one a dropped body is not continued. */
  pin?: ReadPin;
  /** Aborts the read and any wait between attempts. */
  signal?: AbortSignal;
  /** Passed to every provider call (its own retries and recoveries). */
  notify?: (notice: CallNotice) => void;
  /** Policy of continuing after a dropped body (attempts without progress, backoff). */
  retry?: RetryOptions;
  /** Told before each continuation. */
  onRetry?: (notice: RetryNotice) => void;
  /** Throw {@link RangesIgnoredError} when the server answers a ranged read with the whole object. */
  refuseIgnoredRange?: boolean;
}

/**
 * The source's server answers ranged reads with the whole object: parts would each move all of
 * it, so the engine copies it in one stream instead (it catches this; it never escapes a copy).
 */
export class RangesIgnoredError extends Error {
  constructor(where: string) {
    super(`${where} ignores Range requests`);
  }
}

/**
 * The bytes of an object, continuing after a dropped connection: when a body fails part-way, the
 * rest is asked for with a ranged read pinned to the same version, so the bytes are one version's
 * or the read fails (SourceChangedError). This is the one home of body continuation, for the
 * engine's parts and streams and for `Storage.read`. Only failures of a body in flight are
 * continued here: a request that failed was already retried by the retry layer. Attempts count
 * only failures without progress in between (see `PROGRESS_RESETS_ATTEMPTS`).
 */
export async function* resumingRead(
  provider: Provider,
  uri: StorageUri,
  options: ResumingReadOptions = {},
): AsyncGenerator<Buffer> {
  const { range, pin, signal } = options;
  const where = displayUri(uri);
  const end = range?.end;
  const canContinue = pin !== undefined && provider.capabilities.rangeRead;
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 4);
  let position = range?.start ?? 0;
  let attempt = 1;
  let progressAtFailure = position;
  for (;;) {
    const ranged = range !== undefined || position > 0;
    const stream = await provider.read(uri, {
      ...(ranged ? { range: { start: position, ...(end === undefined ? {} : { end }) } } : {}),
      ...(signal ? { signal } : {}),
      ...(options.notify ? { notify: options.notify } : {}),
      ...pin,
    });
    if (options.refuseIgnoredRange && isRangeIgnored(stream)) {
      stream.destroy();
      throw new RangesIgnoredError(where);
    }
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        position += chunk.length;
        yield chunk;
      }
      if (end !== undefined && position <= end) {
        throw new TransientError(`The body of ${where} ended at byte ${position} of ${end + 1}`, {
          uri: where,
        });
      }
      return;
    } catch (error) {
      stream.destroy();
      if (signal?.aborted) throw toAbortedError(signal.reason, `read of ${where}`);
      if (position - progressAtFailure >= PROGRESS_RESETS_ATTEMPTS) attempt = 1;
      progressAtFailure = position;
      const retryable =
        isStowageError(error) && error.retryable && !retriesSpent(error) && !isAbortError(error);
      if (!canContinue || !retryable || attempt >= maxAttempts) throw markRetriesSpent(error);
      attempt++;
      const delayMs = backoffDelay(attempt, error, options.retry);
      const reason = `${(error as { code?: string }).code ?? 'Error'}: ${(error as Error).message}`;
      options.onRetry?.({ operation: 'read', uri: where, attempt, delayMs, reason, error });
      await abortableSleep(delayMs, signal);
    }
  }
}
