const MIN_POOLED = 128 * 1024;

/** Capacity class of a request: the next power of two, for sizes worth pooling. */
function capacityFor(size: number): number | undefined {
  if (size < MIN_POOLED) return undefined;
  return 2 ** Math.ceil(Math.log2(size));
}

/**
 * Reuses the large buffers that single PUTs and parts are assembled in. Each fresh buffer of this
 * size is new memory from the OS (page faults to fill it, unmapping to free it), which on a fast
 * link costs more CPU than the copy into it; a few kept for the next body avoid both.
 */
export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Memory this pool made: only that may come back (never a caller's buffer). */
  private readonly own = new WeakSet<ArrayBuffer>();
  private retained = 0;

  /** @param maxRetainedBytes Most memory kept idle between bodies. */
  constructor(private readonly maxRetainedBytes: number) {}

  /** A buffer of exactly `size` bytes, contents undefined. */
  acquire(size: number): Buffer {
    const capacity = capacityFor(size);
    if (capacity === undefined || capacity > this.maxRetainedBytes) return Buffer.allocUnsafeSlow(size);
    let memory = this.free.get(capacity)?.pop();
    if (memory) this.retained -= capacity;
    else {
      memory = new ArrayBuffer(capacity);
      this.own.add(memory);
    }
    return Buffer.from(memory, 0, size);
  }

  /**
   * Give back a buffer from {@link acquire} once nothing reads it any more (after its request
   * succeeded: a failed request may still be writing it to a socket).
   */
  release(buffer: Buffer): void {
    const whole = buffer.buffer;
    if (!(whole instanceof ArrayBuffer) || !this.own.has(whole)) return;
    const capacity = whole.byteLength;
    if (this.retained + capacity > this.maxRetainedBytes) return;
    const list = this.free.get(capacity) ?? [];
    list.push(whole);
    this.free.set(capacity, list);
    this.retained += capacity;
  }

  /** Copy `chunks` (totalling `size` bytes) into one pooled buffer. */
  gather(chunks: readonly Buffer[], size: number): Buffer {
    const out = this.acquire(size);
    let at = 0;
    for (const chunk of chunks) {
      chunk.copy(out, at);
      at += chunk.length;
    }
    return out;
  }
}
