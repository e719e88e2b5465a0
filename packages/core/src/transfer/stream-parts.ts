import type { BufferPool } from './buffer-pool.js';

/** The first bytes of a stream, and the rest of it. */
export interface SplitBody {
  /** Chunks read so far, in order. */
  head: Buffer[];
  /** Bytes in `head`. */
  headBytes: number;
  /** True when the stream ended within the head. */
  ended: boolean;
  /** The head followed by the rest of the stream. */
  all: AsyncIterable<Buffer>;
}

function asBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Read up to `limit` bytes (at least one chunk beyond it when the stream is longer) without losing
 * the rest, so a write can choose a single PUT for short bodies of unknown length.
 */
export async function splitBody(
  source: AsyncIterable<Uint8Array | string>,
  limit: number,
): Promise<SplitBody> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < limit) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = asBuffer(next.value);
    head.push(chunk);
    headBytes += chunk.length;
  }
  async function* all(): AsyncIterable<Buffer> {
    yield* head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield asBuffer(next.value);
    }
  }
  return { head, headBytes, ended, all: all() };
}

/**
 * Re-cut a stream into buffers of exactly `partSize` bytes (the last one shorter, never empty),
 * assembled in `pool`'s buffers when given.
 */
export async function* cutParts(
  source: AsyncIterable<Buffer>,
  partSize: number,
  pool?: BufferPool,
): AsyncIterable<Buffer> {
  const gather = (chunks: Buffer[], size: number) =>
    pool ? pool.gather(chunks, size) : Buffer.concat(chunks, size);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const input of source) {
    let chunk = input;
    while (pendingBytes + chunk.length >= partSize) {
      const take = partSize - pendingBytes;
      pending.push(chunk.subarray(0, take));
      yield pending.length === 1 ? pending[0]! : gather(pending, partSize);
      pending = [];
      pendingBytes = 0;
      chunk = chunk.subarray(take);
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  if (pendingBytes > 0) yield pending.length === 1 ? pending[0]! : gather(pending, pendingBytes);
}
