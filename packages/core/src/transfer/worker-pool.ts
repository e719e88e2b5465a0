import { toAbortedError } from '../errors/abort.js';

/**
 * Run `worker` over an async iterable with at most `concurrency` items in flight, pulling the next
 * item only when a slot frees up. rxjs `mergeMap` would do the scheduling, but it has no
 * backpressure: fed from a listing it would read the whole listing into its buffer. This pool keeps
 * memory constant however long the listing is.
 */
export async function runPool<T>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  worker: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const iterator = (
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]()
  ) as AsyncIterator<T> | Iterator<T>;
  let failure: unknown;
  let failed = false;
  let pulling: Promise<unknown> = Promise.resolve();
  // Pulls are serialised: an async iterator must not be asked for the next item twice at once.
  const next = (): Promise<IteratorResult<T>> => {
    const result = pulling.then(() => iterator.next());
    pulling = result.catch(() => undefined);
    return result;
  };
  const lane = async () => {
    while (!failed && !signal?.aborted) {
      let item: IteratorResult<T>;
      try {
        item = await next();
      } catch (error) {
        failed = true;
        failure = error;
        return;
      }
      if (item.done) return;
      try {
        await worker(item.value);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  if (failed || signal?.aborted) await iterator.return?.();
  if (failed) throw failure;
}

/**
 * Run `work` over the parts of one transfer, `concurrency` at a time, through {@link runPool}. The
 * first failure aborts the parts still in flight (each gets a signal for that) and is what this
 * rejects with, once every part has settled; a cancel through `signal` rejects with AbortedError.
 * @param what The transfer in words, for the AbortedError (`download of s3://b/k`).
 */
export async function runParts<P>(
  parts: AsyncIterable<P> | Iterable<P>,
  concurrency: number,
  signal: AbortSignal,
  what: string,
  work: (part: P, partSignal: AbortSignal) => Promise<void>,
): Promise<void> {
  const local = new AbortController();
  const partSignal = AbortSignal.any([signal, local.signal]);
  try {
    await runPool(
      parts,
      concurrency,
      async (part) => {
        try {
          await work(part, partSignal);
        } catch (error) {
          local.abort(error);
          throw error;
        }
      },
      partSignal,
    );
  } catch (error) {
    throw signal.aborted ? toAbortedError(signal.reason, what) : error;
  }
  if (signal.aborted) throw toAbortedError(signal.reason, what);
}
