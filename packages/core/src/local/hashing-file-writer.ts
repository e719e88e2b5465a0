import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { type DigestAlgorithm, DigestSet } from '../integrity/digest-set.js';
import type { Checksums } from '../provider/provider.js';

/** Options of {@link HashingFileWriter}. */
export interface HashingFileWriterOptions {
  /** Digests to compute over the bytes written; none costs nothing. */
  algorithms?: readonly DigestAlgorithm[];
  /** Told the bytes written so far, after each write. */
  onProgress?: (bytes: number) => void;
  /** fsync before closing, so the bytes are on stable storage when the stream finishes. */
  durable?: boolean;
}

/**
 * A Writable into an open file that hashes and counts what it writes. One stream stage instead of
 * a hashing Transform in front of `fs.WriteStream`: every stage costs CPU per chunk, which is what
 * a tree of small files pays for. Batched chunks go down in one `writev`. The handle is closed when
 * the stream finishes or is destroyed; {@link stats} is the file's `fstat` taken before closing.
 */
export class HashingFileWriter extends Writable {
  private readonly digests: DigestSet;
  private handleClosed = false;
  /** The file's stat at the end of a successful write (before close), for its validator. */
  stats: Stats | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly options: HashingFileWriterOptions = {},
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.digests = new DigestSet(options.algorithms ?? []);
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.digests.bytes;
  }

  /** The digests of everything written (complete once the stream has finished). */
  checksums(): Checksums {
    return this.digests.checksums();
  }

  /** Stream internals: one chunk. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback);
  }

  /** Stream internals: the chunks buffered while the last write ran, in one system call. */
  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  /** Stream internals: flush (when durable), stat, close. */
  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      if (this.options.durable) await this.handle.sync();
      this.stats = await this.handle.stat();
      await this.close();
    })().then(() => callback(), callback);
  }

  /** Stream internals: a failed or aborted write still closes the file. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.close().then(
      () => callback(error),
      () => callback(error),
    );
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    for (const b of buffers) this.digests.update(b);
    let pending = buffers;
    // A regular file takes whole writes in practice, but writev may legally stop short.
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle.writev(pending);
      const rest = dropBytes(pending, bytesWritten);
      if (bytesWritten === 0 && rest.length > 0) throw new Error('the file system accepted no bytes');
      pending = rest;
    }
    this.options.onProgress?.(this.digests.bytes);
  }

  private async close(): Promise<void> {
    if (this.handleClosed) return;
    this.handleClosed = true;
    await this.handle.close();
  }
}

/** The buffers that remain after the first `count` bytes were written. */
function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  let left = count;
  let i = 0;
  while (i < buffers.length && left >= buffers[i]!.length) left -= buffers[i++]!.length;
  if (i === buffers.length) return [];
  return [buffers[i]!.subarray(left), ...buffers.slice(i + 1)];
}
