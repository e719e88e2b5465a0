import type { FileHandle } from 'node:fs/promises';
import { type DigestAlgorithm, DigestSet } from '../integrity/digest-set.js';
import { HashingThread } from '../integrity/hashing-thread.js';
import type { Checksums } from '../provider/provider.js';
import type { Part } from './part-plan.js';

const READ_BLOCK = 1024 * 1024;
/** Files at least this big are hashed on a worker thread (starting one costs a few milliseconds). */
const THREAD_THRESHOLD = 64 * 1024 * 1024;

/**
 * Digests a file that parallel ranged reads fill out of order. Whenever the parts up to some
 * offset are all on disk it reads them back (from the page cache: they were just written) and
 * hashes them in order, so by the time the last part lands only that part is left to hash, instead
 * of a second pass over the whole file. Large files are hashed on a worker thread, which takes
 * the hashing (as much CPU as the download itself) off the thread that drives the sockets.
 */
export class OrderedFileDigest {
  private readonly digests: DigestSet;
  private readonly done = new Set<number>();
  private next = 0;
  private pumping: Promise<void> | undefined;
  private failure: unknown;
  private stopped = false;
  private readonly buffer: Buffer;
  private readonly thread: HashingThread | undefined;

  /**
   * @param handle The file being filled; must stay open until {@link finish} or {@link stop}.
   * @param path Its path (a hashing thread opens it for reading).
   * @param parts Every part of the file, in offset order.
   */
  constructor(
    private readonly handle: FileHandle,
    path: string,
    private readonly parts: readonly Part[],
    algorithms: readonly DigestAlgorithm[],
  ) {
    this.digests = new DigestSet(algorithms);
    const size = parts.length === 0 ? 0 : parts[parts.length - 1]!.end + 1;
    this.thread = size >= THREAD_THRESHOLD ? new HashingThread(path, algorithms) : undefined;
    const largest = parts.reduce((m, p) => Math.max(m, p.end - p.start + 1), 0);
    this.buffer = Buffer.allocUnsafe(this.thread ? 0 : Math.max(1, Math.min(READ_BLOCK, largest)));
  }

  /** Part `number` (1-based) is completely on disk. */
  markDone(number: number): void {
    this.done.add(number);
    if (this.thread) this.handOver(this.thread);
    else this.pump();
  }

  /** Wait until every part is hashed; the digests of the whole file. */
  async finish(): Promise<Checksums> {
    while (this.pumping) await this.pumping;
    if (this.failure) throw this.failure;
    if (this.next < this.parts.length) {
      throw new Error(`ordered digest finished with part ${this.next + 1} of ${this.parts.length} missing`);
    }
    return this.thread ? this.thread.finish() : this.digests.checksums();
  }

  /** Stop reading (the download failed); resolves once no read is in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.pumping) await this.pumping.catch(() => undefined);
    await this.thread?.stop();
  }

  /** Give the thread every part that now continues the hashed prefix, in order. */
  private handOver(thread: HashingThread): void {
    for (;;) {
      const part = this.parts[this.next];
      if (!part || !this.done.has(part.number) || this.stopped) return;
      thread.hash(part.start, part.end);
      this.next += 1;
    }
  }

  private pump(): void {
    if (this.pumping || this.stopped || this.failure) return;
    const part = this.parts[this.next];
    if (!part || !this.done.has(part.number)) return;
    this.pumping = this.hashReady()
      .catch((error: unknown) => {
        this.failure = error;
      })
      .finally(() => {
        this.pumping = undefined;
        this.pump();
      });
  }

  private async hashReady(): Promise<void> {
    for (;;) {
      const part = this.parts[this.next];
      if (!part || !this.done.has(part.number) || this.stopped) return;
      let position = part.start;
      while (position <= part.end) {
        const want = Math.min(this.buffer.length, part.end + 1 - position);
        const { bytesRead } = await this.handle.read(this.buffer, 0, want, position);
        if (bytesRead === 0) throw new Error(`file ends at ${position}, inside part ${part.number}`);
        this.digests.update(this.buffer.subarray(0, bytesRead));
        position += bytesRead;
        if (this.stopped) return;
      }
      this.next += 1;
    }
  }
}
