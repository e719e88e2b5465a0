import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Checksums } from '../provider/provider.js';

/** Which digests a {@link DigestSet} (or a `DigestStream`) computes. */
export type DigestAlgorithm = 'sha256' | 'md5' | 'sha1' | 'crc32';

/**
 * The algorithms needed to check `expected` (and SHA-256 when `withSha256`): hashing costs as much
 * CPU as the copy itself on fast links, so nothing is computed that nothing reads.
 */
export function digestAlgorithmsFor(expected: Checksums | undefined, withSha256 = false): DigestAlgorithm[] {
  const out: DigestAlgorithm[] = [];
  if (withSha256 || expected?.sha256 !== undefined) out.push('sha256');
  if (expected?.md5Hex !== undefined) out.push('md5');
  if (expected?.sha1 !== undefined) out.push('sha1');
  if (expected?.crc32 !== undefined) out.push('crc32');
  return out;
}

/** Incremental digests over one byte sequence, in the encodings `Checksums` uses (S3's). */
export class DigestSet {
  /** Bytes seen so far. */
  bytes = 0;
  private readonly hashes: Map<'sha256' | 'md5' | 'sha1', Hash>;
  private crc: number | undefined;

  constructor(algorithms: readonly DigestAlgorithm[]) {
    this.hashes = new Map();
    for (const a of algorithms) {
      if (a === 'crc32') this.crc = 0;
      else this.hashes.set(a, createHash(a));
    }
  }

  /** Feed the next bytes. */
  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (const hash of this.hashes.values()) hash.update(chunk);
    if (this.crc !== undefined) this.crc = crc32(chunk, this.crc);
  }

  /** The digests so far (SHA-256/SHA-1/CRC32 base64 as S3 sends them, MD5 hex as in an ETag). */
  checksums(): Checksums {
    return encodeDigests(this.raw());
  }

  /** The digests so far as raw values (what a hashing thread posts back). */
  raw(): RawDigests {
    return {
      sha256: this.hashes.get('sha256')?.copy().digest(),
      sha1: this.hashes.get('sha1')?.copy().digest(),
      md5: this.hashes.get('md5')?.copy().digest(),
      crc32: this.crc,
    };
  }
}

/** Raw digest values, as a hash or a hashing thread produces them. */
export interface RawDigests {
  /** SHA-256, 32 bytes. */
  sha256?: Uint8Array | undefined;
  /** MD5, 16 bytes. */
  md5?: Uint8Array | undefined;
  /** SHA-1, 20 bytes. */
  sha1?: Uint8Array | undefined;
  /** CRC32 as an unsigned 32-bit value (`zlib.crc32`). */
  crc32?: number | undefined;
}

/** Encode raw digests as `Checksums`: SHA-256/SHA-1/CRC32 in base64 as S3 sends them, MD5 in hex as in an ETag. */
export function encodeDigests(digests: RawDigests): Checksums {
  const out: Checksums = {};
  if (digests.sha256) out.sha256 = Buffer.from(digests.sha256).toString('base64');
  if (digests.sha1) out.sha1 = Buffer.from(digests.sha1).toString('base64');
  if (digests.md5) out.md5Hex = Buffer.from(digests.md5).toString('hex');
  if (digests.crc32 !== undefined) {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(digests.crc32 >>> 0);
    out.crc32 = bytes.toString('base64');
  }
  return out;
}
