import { isAbortError } from '../errors/abort.js';
import { redactSecrets } from '../errors/redact.js';
import { isStowageError } from '../errors/stowage-error.js';
import type { Body, DeleteOptions, DeleteOutcome, Provider } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';
import { abortableSleep } from './abortable-sleep.js';
import { decorateProvider, type Layer } from './layer.js';

/** What the retry layer reports before each new attempt. */
export interface RetryNotice {
  /** What is retried (`read`, `upload-part`, `list`, …). */
  operation: string;
  /** Display form of the URI involved, when there is one. */
  uri?: string;
  /** The attempt about to start (2 for the first retry). */
  attempt: number;
  /** Backoff before that attempt, in ms. */
  delayMs: number;
  /** Code and message of the error that caused the retry (secret-free). */
  reason: string;
  /** The error itself, for callers that react to its kind (never printed as is). */
  error?: unknown;
}

/** Options of {@link withRetry} and {@link retrying}. */
export interface RetryOptions {
  /** Total attempts including the first. Default 4. */
  maxAttempts?: number;
  /** First backoff step. Default 100 ms. */
  baseDelayMs?: number;
  /** Upper bound of one delay. Default 20 s. */
  maxDelayMs?: number;
  /** Which errors to retry. Default: StowageErrors with `retryable`, never aborts. */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each retry (the transfer engine turns these into `retry` events). */
  onRetry?: (notice: RetryNotice) => void;
  /** Random source in [0,1), for tests. */
  random?: () => number;
}

/**
 * Bytes that must arrive between two failures for the attempt count to start over (see `progress`):
 * small, so a link that cuts every connection after a few dozen KiB still finishes, and not zero,
 * so a server that sends a byte and hangs up does not keep a part alive forever.
 */
export const PROGRESS_RESETS_ATTEMPTS = 16 * 1024;

function defaultShouldRetry(error: unknown): boolean {
  return isStowageError(error) && error.retryable && error.code !== 'Aborted';
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
      if (attempt >= maxAttempts || isAbortError(error) || options.signal?.aborted || !shouldRetry(error))
        throw error;
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
  return (inner: Provider) =>
    decorateProvider(inner, {
      stat: (uri, o) => retrying('stat', () => inner.stat(uri, o), { ...options, signal: o?.signal, uri }),
      read: (uri, o) => retrying('read', () => inner.read(uri, o), { ...options, signal: o?.signal, uri }),
      write: (uri, body, o) =>
        replayable(body)
          ? retrying('write', () => inner.write(uri, body, o), { ...options, signal: o?.signal, uri })
          : inner.write(uri, body, o),
      delete: (uri, o) =>
        retrying('delete', () => inner.delete(uri, o), { ...options, signal: o?.signal, uri }),
      list: (prefix, o) => retryList(inner, prefix, o, options),
      deleteMany: (uris, o) => retryFailedDeletes(inner, uris, o, options),
      ...(inner.copy
        ? {
            copy: (s: StorageUri, d: StorageUri, o?: { signal?: AbortSignal }) =>
              retrying('copy', () => inner.copy!(s, d, o), { ...options, signal: o?.signal, uri: s }),
          }
        : {}),
      ...(inner.uploadPart
        ? {
            uploadPart: (h, n, body, o) =>
              replayable(body)
                ? retrying('uploadPart', () => inner.uploadPart!(h, n, body, o), {
                    ...options,
                    signal: o?.signal,
                    uri: h.uri,
                  })
                : inner.uploadPart!(h, n, body, o),
          }
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
  for (let attempt = 1; ; attempt++) {
    let yielded = false;
    try {
      for await (const entry of inner.list(prefix, listOptions)) {
        yielded = true;
        yield entry;
      }
      return;
    } catch (error) {
      if (yielded || attempt >= maxAttempts || isAbortError(error) || !shouldRetry(error)) throw error;
      const delayMs = backoffDelay(attempt + 1, error, options);
      options.onRetry?.({
        operation: 'list',
        uri: displayUri(prefix),
        attempt: attempt + 1,
        delayMs,
        reason: redactSecrets(String((error as Error).message ?? error)),
      });
      await abortableSleep(delayMs, listOptions?.signal);
    }
  }
}
