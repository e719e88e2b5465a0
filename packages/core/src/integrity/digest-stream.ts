import { Transform, type TransformCallback } from 'node:stream';
import type { Checksums } from '../provider/provider.js';
import { type DigestAlgorithm, DigestSet } from './digest-set.js';

export type { DigestAlgorithm } from './digest-set.js';

/**
 * A pass-through that counts bytes and hashes them on the way, so verifying a transfer costs no
 * second read. Reports progress through `onBytes`.
 */
export class DigestStream extends Transform {
  private readonly digests: DigestSet;

  constructor(
    algorithms: readonly DigestAlgorithm[] = ['sha256'],
    private readonly onBytes?: (total: number) => void,
  ) {
    super();
    this.digests = new DigestSet(algorithms);
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.digests.bytes;
  }

  /** Stream internals: hash and count the chunk, report the total, pass the chunk on unchanged. */
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.digests.update(chunk);
    this.onBytes?.(this.digests.bytes);
    callback(null, chunk);
  }

  /** The digests, once the stream has ended. */
  checksums(): Checksums {
    return this.digests.checksums();
  }
}
