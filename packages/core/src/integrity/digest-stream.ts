import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Checksums } from '../provider/provider.js';

/** Which digests a {@link DigestStream} computes. */
export type DigestAlgorithm = 'sha256' | 'md5' | 'sha1';

/**
 * A pass-through that counts bytes and hashes them on the way, so verifying a transfer costs no
 * second read. Reports progress through `onBytes`.
 */
export class DigestStream extends Transform {
  /** Bytes seen so far. */
  bytes = 0;
  private readonly hashes: Map<DigestAlgorithm, Hash>;

  constructor(
    algorithms: readonly DigestAlgorithm[] = ['sha256'],
    private readonly onBytes?: (total: number) => void,
  ) {
    super();
    this.hashes = new Map(algorithms.map((a) => [a, createHash(a)]));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    for (const hash of this.hashes.values()) hash.update(chunk);
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  /** The digests, once the stream has ended. */
  checksums(): Checksums {
    const out: Checksums = {};
    const sha256 = this.hashes.get('sha256');
    if (sha256) out.sha256 = sha256.copy().digest('base64');
    const sha1 = this.hashes.get('sha1');
    if (sha1) out.sha1 = sha1.copy().digest('base64');
    const md5 = this.hashes.get('md5');
    if (md5) out.md5Hex = md5.copy().digest('hex');
    return out;
  }
}
