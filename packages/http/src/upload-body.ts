import { Transform, type TransformCallback } from 'node:stream';
import type { DigestSet } from '@stowage/core';
import { ChecksumMismatchError } from '@stowage/core';

/**
 * A pass-through for a streamed upload that counts and hashes the bytes and fails the upload (so the
 * request is cut, not completed) when the body runs past or falls short of its declared length.
 */
export class MeasuredBody extends Transform {
  /** Bytes that have passed through so far. */
  bytes = 0;

  constructor(
    private readonly where: string,
    private readonly hasher: DigestSet,
    private readonly expectedSize: number | undefined,
    private readonly onProgress?: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      callback(this.sizeError());
      return;
    }
    this.hasher.update(chunk);
    this.onProgress?.(this.bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.expectedSize !== undefined && this.bytes !== this.expectedSize ? this.sizeError() : null);
  }

  private sizeError(): ChecksumMismatchError {
    return new ChecksumMismatchError(
      `Size mismatch for ${this.where}: the body does not have the declared ${this.expectedSize} bytes`,
      { uri: this.where },
    );
  }
}
