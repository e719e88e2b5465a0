import type { Checksums } from '@stowage/core';

/** The checksum fields of a HeadObject/GetObject answer. */
export interface S3ChecksumFields {
  /** The object's ETag; a `-N` suffix marks a multipart object. */
  ETag?: string | undefined;
  /** `x-amz-checksum-sha256`, base64. */
  ChecksumSHA256?: string | undefined;
  /** `x-amz-checksum-crc32`, base64. */
  ChecksumCRC32?: string | undefined;
  /** `x-amz-checksum-crc32c`, base64. */
  ChecksumCRC32C?: string | undefined;
  /** `x-amz-checksum-sha1`, base64. */
  ChecksumSHA1?: string | undefined;
  /** `FULL_OBJECT` or `COMPOSITE` (checksums of the parts' checksums). */
  ChecksumType?: string | undefined;
  /** `aws:kms` makes the ETag something other than the MD5. */
  ServerSideEncryption?: string | undefined;
}

/** An S3 ETag without quotes is the MD5 only for single-part, unencrypted-or-SSE-S3 objects. */
export function md5FromEtag(etag: string | undefined): string | undefined {
  const bare = etag?.replace(/"/g, '');
  return bare && /^[0-9a-f]{32}$/.test(bare) ? bare : undefined;
}

/**
 * The digests an object's metadata gives. A multipart object's checksums are checksums of part
 * checksums unless S3 says `FULL_OBJECT`; they keep (or get) the `-N` suffix that marks them as
 * such, so nobody compares them with a digest of the bytes. Some servers (moto) send composite
 * values bare and no `ChecksumType`, so the multipart ETag (`…-N`) decides too.
 */
export function objectChecksums(fields: S3ChecksumFields): Checksums {
  const parts = /-(\d+)"?$/.exec(fields.ETag ?? '')?.[1];
  const composite =
    fields.ChecksumType === 'COMPOSITE' || (fields.ChecksumType !== 'FULL_OBJECT' && parts !== undefined);
  const mark = (value: string | undefined) =>
    value === undefined || !composite || value.includes('-') ? value : `${value}-${parts ?? '?'}`;
  const out: Checksums = {};
  const entries: Array<[keyof Checksums, string | undefined]> = [
    ['sha256', mark(fields.ChecksumSHA256)],
    ['crc32', mark(fields.ChecksumCRC32)],
    ['crc32c', mark(fields.ChecksumCRC32C)],
    ['sha1', mark(fields.ChecksumSHA1)],
    ['md5Hex', fields.ServerSideEncryption === 'aws:kms' ? undefined : md5FromEtag(fields.ETag)],
  ];
  for (const [name, value] of entries) if (value !== undefined) out[name] = value;
  return out;
}
