import type { Checksums } from '../provider/provider.js';

/**
 * The digests a copy can be verified against: the caller's, then the source's own. Composite
 * multipart digests (`…-3`) describe parts, not the bytes, so they are left out rather than
 * reported as mismatches.
 */
export function expectedChecksums(
  fromCaller: Checksums | undefined,
  fromSource: Checksums | undefined,
): Checksums | undefined {
  const out: Checksums = {};
  for (const source of [fromSource, fromCaller]) {
    if (!source) continue;
    for (const [name, value] of Object.entries(source) as Array<[keyof Checksums, string | undefined]>) {
      if (value !== undefined && !value.includes('-')) out[name] = value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
