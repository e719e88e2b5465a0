import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Checksums } from '@stowage/core';

/**
 * Computes exactly the digests a caller can compare against (SHA-256, SHA-1, MD5, CRC32), in one
 * pass over the bytes; an empty set costs nothing.
 */
export class ChecksumHasher {
  private readonly hashes: Array<[keyof Checksums, Hash]> = [];
  private crc: number | undefined;

  /** A hasher for the digests present in `expected` (plus SHA-256 when `alwaysSha256`). */
  static for(expected: Checksums | undefined, alwaysSha256 = false): ChecksumHasher {
    return new ChecksumHasher({
      sha256: alwaysSha256 || expected?.sha256 !== undefined,
      sha1: expected?.sha1 !== undefined,
      md5: expected?.md5Hex !== undefined,
      crc32: expected?.crc32 !== undefined,
    });
  }

  constructor(which: { sha256?: boolean; sha1?: boolean; md5?: boolean; crc32?: boolean }) {
    if (which.sha256) this.hashes.push(['sha256', createHash('sha256')]);
    if (which.sha1) this.hashes.push(['sha1', createHash('sha1')]);
    if (which.md5) this.hashes.push(['md5Hex', createHash('md5')]);
    if (which.crc32) this.crc = 0;
  }

  /** Whether this hasher computes anything. */
  get active(): boolean {
    return this.hashes.length > 0 || this.crc !== undefined;
  }

  /** Feed the next bytes to every digest. */
  update(chunk: Uint8Array): void {
    for (const [, hash] of this.hashes) hash.update(chunk);
    if (this.crc !== undefined) this.crc = crc32(chunk, this.crc);
  }

  /** The digests so far, in the `Checksums` encodings (base64, `md5Hex` in hex). */
  digest(): Checksums {
    const out: Checksums = {};
    for (const [name, hash] of this.hashes)
      out[name] = hash.copy().digest(name === 'md5Hex' ? 'hex' : 'base64');
    if (this.crc !== undefined) {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(this.crc >>> 0);
      out.crc32 = bytes.toString('base64');
    }
    return out;
  }
}
