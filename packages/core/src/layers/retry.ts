import { isAbortError } from '../errors/abort.js';
import { redactSecrets } from '../errors/redact.js';
import { isStowageError } from '../errors/stowage-error.js';
import type { CallOptions } from '../provider/call-options.js';
import type { Body, DeleteOptions, DeleteOutcome, Provider } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';
import { abortableSleep } from './abortable-sleep.js';
import { decorateProvider, type Layer } from './layer.js';
import type { RetryNotice, RetryOptions } from './retry-policy.js';

export type { RetryNotice, RetryOptions } from './retry-policy.js';

/**
 * Bytes that must arrive between two failures for the attempt count to start over (see `progress`):
 * small, so a link that cuts every connection after a few dozen KiB still finishes, and not zero,
 * so a server that sends a byte and hangs up does not keep a part alive forever.
 */
export const PROGRESS_RESETS_ATTEMPTS = 16 * 1024;

/** Errors the retry layer has already retried as far as its policy allows (see {@link withRetry}). */
const spent = new WeakSet<object>();

/**
 * Whether a retry layer already applied the policy to the request that failed with `error`: then
 * nobody retries it again (the engine's part retries included), so one request is sent at most
 * `maxAttempts` times, not that many times over per level.
 */
export function retriesSpent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && spent.has(error);
}

/**
 * Mark `error` as retried as far as a policy allows, so no outer level retries it again (the
 * retry layer marks what it gives up on, {@link retrying} what its attempts ran out on, and so
 * does the engine's body continuation).
 */
export function markRetriesSpent<T>(error: T): T {
  if (typeof error === 'object' && error !== null) spent.add(error);
  return error;
}

function defaultShouldRetry(error: unknown): boolean {
  return isStowageError(error) && error.retryable && error.code !== 'Aborted' && !retriesSpent(error);
}

/** Whether the server asks to wait longer than the policy is willing to. */
function waitTooLong(error: unknown, options: RetryOptions): boolean {
  const asked = isStowageError(error) ? error.retryAfterMs : undefined;
  return asked !== undefined && asked > (options.maxRetryAfterMs ?? 60_000);
}

/** Backoff before attempt `attempt` (2..n): full jitter over an exponential ceiling, at least Retry-After. */
export function backoffDelay(attempt: number, error: unknown, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 20_000;
  const ceiling = Math.min(cap, base * 2 ** (attempt - 2));
  const jittered = Math.floor((options.random ?? Math.random)() * ceiling);
  const asked = isStowageError(error) ? (error.retryAfterMs ?? 0) : 0;
  return Math.min(Math.max(jittered, asked), Math.max(cap, asked));
}

/**
 * Run `fn` until it succeeds, the error is not retryable, attempts run out, or the signal fires.
 * An abort is never retried, and it interrupts a backoff sleep at once.
 */
export async function retrying<T>(
  operation: string,
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions & {
    signal?: AbortSignal;
    uri?: StorageUri;
    /**
     * Bytes done so far, for work that continues where the last attempt stopped (a part read from
     * its current offset): once some real progress (PROGRESS_RESETS_ATTEMPTS) was made since the last failure, the attempt count
     * starts over, so a link that drops every connection after a while still finishes, while
     * one that fails without progress runs out of attempts as usual.
     */
    progress?: () => number;
  } = {},
): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const shouldRetry = options.shouldRetry ?? defaultShouldRetry;
  let progressAtFailure = options.progress?.() ?? 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.progress) {
        const now = options.progress();
        if (now - progressAtFailure >= PROGRESS_RESETS_ATTEMPTS) attempt = 1;
        progressAtFailure = now;
      }
      if (isAbortError(error) || options.signal?.aborted || !shouldRetry(error)) throw error;
      // The policy was applied to this failure and gave up: no outer level may start it over (a
      // buffered PUT retried here, then again by the engine's copy retry, went out 16 times).
      if (attempt >= maxAttempts || waitTooLong(error, options)) throw markRetriesSpent(error);
      const delayMs = backoffDelay(attempt + 1, error, options);
      const e = error as { code?: string; message?: string };
      options.onRetry?.({
        operation,
        ...(options.uri ? { uri: displayUri(options.uri) } : {}),
        attempt: attempt + 1,
        delayMs,
        // A StowageError's message is scrubbed already; anything else (a Node error) is scrubbed here.
        reason: redactSecrets(`${e.code ?? 'Error'}: ${e.message ?? String(error)}`),
        error,
      });
      await abortableSleep(delayMs, options.signal);
    }
  }
}

function replayable(body: Body): boolean {
  return typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * `deleteMany` with each key that failed retryably (S3's per-key `InternalError`/`SlowDown`, a
 * transient error of a per-key backend) deleted again on its own, through `delete` with backoff.
 * The batch call counts as the first attempt; outcomes keep the input's order. A batch that
 * failed whole reports one error object for all its keys: once one key's retries of that error
 * fail, the rest of its keys are reported as they are, so an outage costs a few attempts, not a
 * thousand.
 */
async function* retryFailedDeletes(
  inner: Provider,
  uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
  deleteOptions: DeleteOptions | undefined,
  options: RetryOptions,
): AsyncIterable<DeleteOutcome> {
  const shouldRetry = options.shouldRetry ?? defaultShouldRetry;
  const givenUp = new WeakSet<Error>();
  for await (const outcome of inner.deleteMany(uris, deleteOptions)) {
    const failure = outcome.error;
    if (failure === undefined || givenUp.has(failure) || !shouldRetry(failure)) {
      yield outcome;
      continue;
    }
    try {
      await retrying(
        'delete',
        (attempt) => (attempt === 1 ? Promise.reject(failure) : inner.delete(outcome.uri, deleteOptions)),
        { ...options, signal: deleteOptions?.signal, uri: outcome.uri },
      );
      yield { uri: outcome.uri };
    } catch (error) {
      if (deleteOptions?.signal?.aborted) throw error;
      givenUp.add(failure);
      yield { uri: outcome.uri, error: error as Error };
    }
  }
}

/**
 * Retry layer: repeats an operation on retryable errors with exponential backoff and jitter.
 * Streams cannot be replayed, so a write from a stream is attempted once (the transfer engine
 * retries per part instead), a listing is retried only before its first entry, and `deleteMany`
 * retries the keys that failed, one by one.
 */
export function withRetry(options: RetryOptions = {}): Layer {
  // Each call's own policy: the layer's options, reporting to the layer's onRetry and to the
  // call's `notify` (the transfer that made the call). What it gave up on is marked as spent.
  const policy = (o: CallOptions | undefined, uri: StorageUri) => ({
    ...options,
    uri,
    ...(o?.signal ? { signal: o.signal } : {}),
    onRetry: (notice: RetryNotice) => {
      options.onRetry?.(notice);
      o?.notify?.({
        type: 'retry',
        operation: notice.operation,
        attempt: notice.attempt,
        delayMs: notice.delayMs,
        reason: notice.reason,
        ...(notice.error === undefined ? {} : { error: notice.error }),
      });
    },
  });
  const attempt = <T>(operation: string, o: CallOptions | undefined, uri: StorageUri, fn: () => Promise<T>) =>
    retrying(operation, fn, policy(o, uri)).catch((error: unknown) => {
      throw markRetriesSpent(error);
    });
  return (inner: Provider) =>
    decorateProvider(inner, {
      stat: (uri, o) => attempt('stat', o, uri, () => inner.stat(uri, o)),
      read: (uri, o) => attempt('read', o, uri, () => inner.read(uri, o)),
      // A stream cannot be sent again from here: the write gets the policy instead, for the
      // requests it can replay itself (a short body it buffers, the parts it cuts).
      write: (uri, body, o) =>
        replayable(body)
          ? attempt('write', o, uri, () => inner.write(uri, body, o))
          : inner.write(uri, body, { ...o, retry: policy(o, uri) }),
      delete: (uri, o) => attempt('delete', o, uri, () => inner.delete(uri, o)),
      list: (prefix, o) => retryList(inner, prefix, o, policy(o, prefix)),
      deleteMany: (uris, o) => retryFailedDeletes(inner, uris, o, options),
      ...(inner.copy
        ? {
            copy: (s: StorageUri, d: StorageUri, o?: CallOptions) =>
              attempt('copy', o, s, () => inner.copy!(s, d, o)),
          }
        : {}),
      ...(inner.beginUpload
        ? { beginUpload: (uri, o) => attempt('beginUpload', o, uri, () => inner.beginUpload!(uri, o)) }
        : {}),
      ...(inner.uploadPart
        ? {
            uploadPart: (h, n, body, o) =>
              replayable(body)
                ? attempt('uploadPart', o, h.uri, () => inner.uploadPart!(h, n, body, o))
                : inner.uploadPart!(h, n, body, o),
          }
        : {}),
      ...(inner.completeUpload
        ? {
            completeUpload: (h, parts, o) =>
              attempt('completeUpload', o, h.uri, () => inner.completeUpload!(h, parts, o)),
          }
        : {}),
      ...(inner.listParts
        ? { listParts: (h, o) => attempt('listParts', o, h.uri, () => inner.listParts!(h, o)) }
        : {}),
    } as Partial<Provider>);
}

async function* retryList(
  inner: Provider,
  prefix: StorageUri,
  listOptions: Parameters<Provider['list']>[1],
  options: RetryOptions,
): AsyncIterable<import('../provider/provider.js').Entry> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const shouldRetry = options.shouldRetry ?? defaultShouldRetry;
  // A listing that fails half-way goes on after its last entry (`startAfter`), so one bad page of
  // a million keys costs one more request, not the whole listing again; attempts count failures
  // in a row, without an entry in between.
  let after = listOptions?.startAfter;
  for (let attempt = 1; ; attempt++) {
    try {
      for await (const entry of inner.list(prefix, {
        ...listOptions,
        ...(after === undefined ? {} : { startAfter: after }),
      })) {
        if (after !== entry.key) attempt = 1;
        after = entry.key;
        yield entry;
      }
      return;
    } catch (error) {
      if (attempt >= maxAttempts || isAbortError(error) || !shouldRetry(error) || waitTooLong(error, options))
        throw markRetriesSpent(error);
      const delayMs = backoffDelay(attempt + 1, error, options);
      options.onRetry?.({
        operation: 'list',
        uri: displayUri(prefix),
        attempt: attempt + 1,
        delayMs,
        reason: redactSecrets(String((error as Error).message ?? error)),
        error,
      });
      await abortableSleep(delayMs, listOptions?.signal);
    }
  }
}
