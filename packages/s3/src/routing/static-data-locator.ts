import type { StorageUri } from '@stowage/core';
import { locateThroughMirrors, MirrorMap, type MirrorMapping, type MirrorResolver } from './mirror-map.js';
import type { DataLocator } from './probes.js';
import type { BucketFacts, DataLocation } from './route-facts.js';

/** What a deployment declares about a bucket (from open-data-registry, a catalog, …). */
export interface DeclaredBucket {
  /** The bucket's region (`us-west-2`). */
  region?: string;
  /** Whether requesters pay for requests and transfer. */
  requesterPays?: boolean;
}

/** Options of {@link StaticDataLocator}. */
export interface StaticDataLocatorOptions {
  /** Mirror pairs or a resolver. */
  mirrors?: readonly MirrorMapping[] | MirrorResolver;
  /** Known bucket facts; unlisted buckets have unknown region and requester-pays. */
  buckets?: Record<string, DeclaredBucket>;
}

/** Turn the `mirrors` option into a resolver. */
export function mirrorResolver(
  mirrors: readonly MirrorMapping[] | MirrorResolver | undefined,
): MirrorResolver | undefined {
  if (mirrors === undefined) return undefined;
  return Array.isArray(mirrors)
    ? new MirrorMap(mirrors as readonly MirrorMapping[])
    : (mirrors as MirrorResolver);
}

/**
 * A locator with no I/O: mirrors from a mapping, bucket facts from declarations. For tests, and for
 * deployments whose metadata already says where every bucket is.
 */
export class StaticDataLocator implements DataLocator {
  private readonly mirrors: MirrorResolver | undefined;
  private readonly buckets: Record<string, DeclaredBucket>;

  constructor(options: StaticDataLocatorOptions = {}) {
    this.mirrors = mirrorResolver(options.mirrors);
    this.buckets = options.buckets ?? {};
  }

  /** S3 location and mirror through the mappings. @throws InvalidArgumentError for other schemes. */
  locate(uri: StorageUri): DataLocation {
    return locateThroughMirrors(uri, this.mirrors);
  }

  /** The declared facts (source `metadata`); an undeclared bucket's are unknown. */
  async bucketFacts(bucket: string): Promise<BucketFacts> {
    const declared = Object.hasOwn(this.buckets, bucket) ? this.buckets[bucket] : undefined;
    const facts: BucketFacts = { bucket, regionSource: declared?.region ? 'metadata' : 'unknown' };
    if (declared?.region) facts.region = declared.region;
    if (declared?.requesterPays !== undefined) {
      facts.requesterPays = declared.requesterPays;
      facts.requesterPaysSource = 'metadata';
    }
    return facts;
  }
}
