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
