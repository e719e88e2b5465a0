import type { ObjectStat, Provider } from '../provider/provider.js';

/**
 * `{ ifMatch: etag }` for reads of a source whose provider enforces it, so an object that changes
 * mid-transfer fails instead of splicing two versions; `{}` where the provider cannot check (those
 * providers refuse the option rather than ignore it).
 */
export function ifMatchFor(
  provider: Provider,
  stat: ObjectStat,
): {
  /** The source's ETag, to pass as `ReadOptions.ifMatch`. */
  ifMatch?: string;
} {
  return stat.etag !== undefined && provider.capabilities.conditionalWrite ? { ifMatch: stat.etag } : {};
}
