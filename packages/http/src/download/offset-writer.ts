import type { FileHandle } from 'node:fs/promises';

/** Writes are gathered up to this size: one syscall per MiB instead of one per socket chunk. */
const BATCH_BYTES = 1024 * 1024;

/**
 * Sequential writes into a file at a moving offset (one per segment), batched into larger writes.
 * `position` counts bytes handed in; `flush` before relying on them being on disk.
 */
export class OffsetWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written: number;

  constructor(
    private readonly handle: FileHandle,
    /** Offset of the next byte handed in. */
    public position: number,
  ) {
    this.written = position;
  }

  /** Queue a chunk at `position`; writes the batch once about 1 MiB is pending. */
  async write(chunk: Buffer): Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.position += chunk.length;
    if (this.pendingBytes >= BATCH_BYTES) await this.flush();
  }

  /** Write everything pending to the file. */
  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data =
      this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done, this.written + done);
      done += bytesWritten;
    }
    this.written += data.length;
  }
}
