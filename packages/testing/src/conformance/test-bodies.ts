import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Deterministic pseudo-random bytes (xorshift32): incompressible enough to catch truncation, offset
 * and chunk-order bugs, and reproducible from the seed when a comparison fails.
 */
export function patternBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let state = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

/** `data` as an async iterable of `chunkSize` slices: the body type with no known length. */
export async function* chunksOf(data: Uint8Array, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    yield data.subarray(offset, Math.min(offset + chunkSize, data.length));
  }
}

/** `data` as a Node Readable that streams `chunkSize` slices. */
export function streamOf(data: Uint8Array, chunkSize = 64 * 1024): Readable {
  return Readable.from(chunksOf(data, chunkSize), { objectMode: false });
}

/** Options of {@link slowBody}. */
export interface SlowBodyOptions {
  /** Bytes per chunk. */
  chunkSize: number;
  /** Pause between chunks, in ms. */
  delayMs: number;
  /** Stop pausing once this fires, so a destroyed write does not wait out the pauses. */
  signal?: AbortSignal;
  /** Called when the first chunk has been handed over. */
  onFirstChunk?: () => void;
}

/**
 * A body that trickles: the shape of a slow network source. Bounded by `data`, so a provider that
 * ignores an abort still finishes (and fails the behaviour) instead of hanging it.
 */
export async function* slowBody(data: Uint8Array, options: SlowBodyOptions): AsyncGenerator<Uint8Array> {
  let first = true;
  for (let offset = 0; offset < data.length; offset += options.chunkSize) {
    yield data.subarray(offset, Math.min(offset + options.chunkSize, data.length));
    if (first) {
      first = false;
      options.onFirstChunk?.();
    }
    if (!options.signal?.aborted)
      await sleep(options.delayMs, undefined, { signal: options.signal }).catch(() => {});
  }
}

/** A body that yields `data` and then fails, like a source whose connection drops. */
export async function* failingBody(data: Uint8Array, message: string): AsyncGenerator<Uint8Array> {
  yield data;
  await sleep(5);
  throw new Error(message);
}

/**
 * A body that yields its first part, then holds until `gate` settles before yielding the rest: lets a
 * behaviour look at the store while a write is half done.
 */
export async function* gatedBody(
  first: Uint8Array,
  rest: Uint8Array,
  gate: Promise<void>,
  onHeld: () => void,
): AsyncGenerator<Uint8Array> {
  yield first;
  onHeld();
  await gate;
  yield rest;
}

/** A promise with its resolver outside, to release a {@link gatedBody} or wait for a callback. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
