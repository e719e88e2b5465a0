import { TimeoutError } from '../errors/error-types.js';
import type { DeleteOptions, DeleteOutcome, Provider } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';
import { decorateProvider, type Layer } from './layer.js';

/** Options of {@link withTimeout}. */
export interface TimeoutOptions {
  /** Limit in ms for `stat`, `delete`, `copy`, for `read` until the stream opens, and for each `deleteMany` outcome. Default 30 s. */
  operationMs?: number;
  /** Limit for a whole `write` (0 = none, the default: large uploads take as long as they take). */
  writeMs?: number;
}

/**
 * Run `fn` with a signal that fires after `ms` (or when the caller's signal fires). The inner call
 * gets the combined signal, so timing out cancels the network work instead of orphaning it.
 */
export async function withDeadline<T>(
  operation: string,
  ms: number,
  uri: StorageUri | undefined,
  callerSignal: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (ms <= 0) return fn(callerSignal ?? new AbortController().signal);
  const controller = new AbortController();
  // Made only when the deadline passes: an error (and its stack) for every call of every file of a
  // tree cost more CPU than the call's own bookkeeping.
  const timedOut = () => {
    const where = uri ? ` on ${displayUri(uri)}` : '';
    return new TimeoutError(
      `${operation}${where} timed out after ${ms} ms`,
      uri ? { uri: displayUri(uri) } : {},
    );
  };
  const timer = setTimeout(() => controller.abort(timedOut()), ms);
  const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  try {
    return await fn(signal);
  } catch (error) {
    if (controller.signal.aborted && !callerSignal?.aborted) throw controller.signal.reason as TimeoutError;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `deleteMany` where each outcome must arrive within `ms` of asking for it: a batch may be long,
 * so the bound is on progress, not on the whole. Time spent by the consumer between outcomes does
 * not count. Timing out cancels the inner deletes and throws `TimeoutError`.
 */
async function* deleteManyWithDeadline(
  inner: Provider,
  uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
  options: DeleteOptions | undefined,
  ms: number,
): AsyncIterable<DeleteOutcome> {
  if (ms <= 0) {
    yield* inner.deleteMany(uris, options);
    return;
  }
  const controller = new AbortController();
  const callerSignal = options?.signal;
  const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  const timeoutError = new TimeoutError(`deleteMany made no progress for ${ms} ms`);
  const outcomes = inner.deleteMany(uris, { ...options, signal })[Symbol.asyncIterator]();
  try {
    for (;;) {
      const timer = setTimeout(() => controller.abort(timeoutError), ms);
      let step: IteratorResult<DeleteOutcome>;
      try {
        step = await outcomes.next();
      } catch (error) {
        if (controller.signal.aborted && !callerSignal?.aborted) throw timeoutError;
        throw error;
      } finally {
        clearTimeout(timer);
      }
      if (step.done) return;
      yield step.value;
    }
  } finally {
    await outcomes.return?.();
  }
}

/** Timeout layer: bounds each operation and cancels the underlying work when the time is up. */
export function withTimeout(options: TimeoutOptions = {}): Layer {
  const opMs = options.operationMs ?? 30_000;
  const writeMs = options.writeMs ?? 0;
  return (inner: Provider) =>
    decorateProvider(inner, {
      stat: (uri, o) =>
        withDeadline('stat', opMs, uri, o?.signal, (signal) => inner.stat(uri, { ...o, signal })),
      read: (uri, o) =>
        withDeadline('read', opMs, uri, o?.signal, (signal) => inner.read(uri, { ...o, signal })),
      write: (uri, body, o) =>
        withDeadline('write', writeMs, uri, o?.signal, (signal) => inner.write(uri, body, { ...o, signal })),
      delete: (uri, o) =>
        withDeadline('delete', opMs, uri, o?.signal, (signal) => inner.delete(uri, { ...o, signal })),
      deleteMany: (uris, o) => deleteManyWithDeadline(inner, uris, o, opMs),
      ...(inner.copy
        ? {
            copy: (s: StorageUri, d: StorageUri, o?: { signal?: AbortSignal }) =>
              withDeadline('copy', opMs, s, o?.signal, (signal) => inner.copy!(s, d, { ...o, signal })),
          }
        : {}),
    } as Partial<Provider>);
}
