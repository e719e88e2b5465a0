import type { Checksums } from '../provider/provider.js';

/**
 * The digests a copy can be verified against: every one the caller gave, and the source's own.
 * Composite multipart digests (`…-3`) describe parts, not the bytes, so they are left out rather
 * than reported as mismatches. Of the source's digests, CRC32 (a tenth of MD5's CPU) stands in for
 * the ETag's MD5 when both exist: either catches corruption in transit.
 */
export function expectedChecksums(
  fromCaller: Checksums | undefined,
  fromSource: Checksums | undefined,
): Checksums | undefined {
  const out: Checksums = {};
  const whole = (value: string | undefined): value is string => value !== undefined && !value.includes('-');
  if (fromSource) {
    for (const [name, value] of Object.entries(fromSource) as Array<[keyof Checksums, string | undefined]>) {
      if (whole(value)) out[name] = value;
    }
    if (out.crc32 !== undefined) delete out.md5Hex;
  }
  if (fromCaller) {
    for (const [name, value] of Object.entries(fromCaller) as Array<[keyof Checksums, string | undefined]>) {
      if (whole(value)) out[name] = value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
