import type { IncomingHttpHeaders } from 'node:http';
import type { Checksums } from '@stowage/core';

const LENGTHS = { sha256: 32, sha1: 20, md5Hex: 16, crc32: 4, crc32c: 4 } as const;

function decode(base64: string, name: keyof typeof LENGTHS): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  const bytes = Buffer.from(base64, 'base64');
  return bytes.length === LENGTHS[name] ? bytes : undefined;
}

function put(out: Checksums, name: keyof typeof LENGTHS, base64: string | undefined): void {
  if (base64 === undefined || out[name] !== undefined) return;
  const bytes = decode(base64.trim(), name);
  if (!bytes) return;
  out[name] = name === 'md5Hex' ? bytes.toString('hex') : bytes.toString('base64');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Digests of the whole object announced in response headers: `Repr-Digest` (RFC 9530), `Digest`
 * (RFC 3230), `Content-MD5` and S3's `x-amz-checksum-*` (composite multipart values, `…-N`, are
 * skipped: they are not a digest of the bytes). For a 206, only `Repr-Digest` and `Digest` describe
 * the whole object; `Content-MD5` describes the part and is ignored.
 */
export function checksumsFromHeaders(headers: IncomingHttpHeaders, partial = false): Checksums {
  const out: Checksums = {};
  const repr = header(headers, 'repr-digest');
  if (repr) {
    for (const member of repr.split(',')) {
      const m = /^\s*([a-z0-9-]+)\s*=\s*:([^:]*):/i.exec(member);
      if (!m) continue;
      const algorithm = m[1]!.toLowerCase();
      if (algorithm === 'sha-256') put(out, 'sha256', m[2]);
      else if (algorithm === 'md5') put(out, 'md5Hex', m[2]);
      else if (algorithm === 'sha') put(out, 'sha1', m[2]);
    }
  }
  const legacy = header(headers, 'digest');
  if (legacy) {
    for (const member of legacy.split(',')) {
      const eq = member.indexOf('=');
      if (eq === -1) continue;
      const algorithm = member.slice(0, eq).trim().toLowerCase();
      const value = member.slice(eq + 1).trim();
      if (algorithm === 'sha-256') put(out, 'sha256', value);
      else if (algorithm === 'md5') put(out, 'md5Hex', value);
      else if (algorithm === 'sha') put(out, 'sha1', value);
    }
  }
  if (!partial) put(out, 'md5Hex', header(headers, 'content-md5'));
  if (header(headers, 'x-amz-checksum-type')?.toUpperCase() !== 'COMPOSITE') {
    put(out, 'sha256', header(headers, 'x-amz-checksum-sha256'));
    put(out, 'sha1', header(headers, 'x-amz-checksum-sha1'));
    put(out, 'crc32', header(headers, 'x-amz-checksum-crc32'));
    put(out, 'crc32c', header(headers, 'x-amz-checksum-crc32c'));
  }
  return out;
}

/** Whether any digest we can compute is present (crc32c cannot be computed here). */
export function hasVerifiable(checksums: Checksums | undefined): boolean {
  return (
    checksums !== undefined &&
    (checksums.sha256 !== undefined ||
      checksums.sha1 !== undefined ||
      checksums.md5Hex !== undefined ||
      checksums.crc32 !== undefined)
  );
}
