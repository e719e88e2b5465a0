import type { ObjectStat, Provider } from '../provider/provider.js';
import type { ReadPin } from '../provider/read-pin.js';

/**
 * The pin for every read of one transfer's source: its ETag, or its modification time when it has
 * no ETag, so that an object replaced mid-transfer fails instead of splicing two versions.
 * `undefined` when the provider cannot enforce a pin or the stat gave nothing to pin to; the engine
 * then reads the source in one stream (whose provider keeps it to one version, or the digest check
 * catches it) instead of in ranged parts.
 */
export function readPinFor(provider: Provider, stat: ObjectStat): ReadPin | undefined {
  if (!provider.capabilities.conditionalRead) return undefined;
  if (stat.etag !== undefined) return { ifMatch: stat.etag };
  if (stat.lastModified !== undefined) return { ifUnmodifiedSince: stat.lastModified };
  return undefined;
}
