import type { Provider, StorageUri } from '@stowage/core';

/** What the suite runs against: a provider and a fresh, empty prefix it may fill and empty. */
export interface ProviderFixture {
  /** The provider under test, already configured for `base`. */
  provider: Provider;
  /** An empty prefix (key `''` or ending in `/`) private to this fixture; every key the suite writes lies under it. */
  base: StorageUri;
  /** Release what the fixture holds (temp dirs, buckets, servers); called once per fixture. */
  cleanup?(): void | Promise<void>;
}

/**
 * Builds a fixture. Called once per behaviour (and once per heavy group such as the 2,500-key
 * listing), so each behaviour starts from an empty prefix and cannot leak state into the next.
 */
export type MakeProvider = () => ProviderFixture | Promise<ProviderFixture>;

/**
 * What the backend cannot do, beyond its `capabilities`. Every flag defaults to what S3 does, so an
 * S3-like adapter passes no options; a backend opts out only of what its storage model forbids.
 */
export interface ConformanceOptions {
  /** `a//b` is a key of its own, distinct from `a/b` (false for file systems, where the path collapses). */
  preservesEmptySegments?: boolean;
  /** A key ending in `/` is an ordinary object that holds bytes (false for file systems: it names a directory). */
  trailingSlashObjects?: boolean;
  /** An empty `dir/` marker may be written and coexists with `dir/child` objects. */
  supportsDirectoryMarkers?: boolean;
  /** `x` and `x/y` may both be objects (false for file systems: `x` cannot be a file and a directory). */
  keyAndPrefixCoexist?: boolean;
  /**
   * Concurrent writers to one key end with one whole input (true for S3, fs and memory). Only a
   * test server that writes objects in place (s3rver) opts out.
   */
  atomicWrites?: boolean;
  /** Keys in the big listing; lower it only for a slow backend (default 2,500, more than two S3 pages). */
  maxListKeys?: number;
  /**
   * Timeout of an ordinary behaviour in ms; the large-object and listing behaviours get four times
   * as much. Default 20 s.
   */
  timeoutMs?: number;
}

/** {@link ConformanceOptions} with every default filled in. */
export type ResolvedConformanceOptions = Required<ConformanceOptions>;

/** Fill in the S3-like defaults. */
export function resolveConformanceOptions(options: ConformanceOptions = {}): ResolvedConformanceOptions {
  return {
    preservesEmptySegments: options.preservesEmptySegments ?? true,
    trailingSlashObjects: options.trailingSlashObjects ?? true,
    supportsDirectoryMarkers: options.supportsDirectoryMarkers ?? true,
    keyAndPrefixCoexist: options.keyAndPrefixCoexist ?? true,
    atomicWrites: options.atomicWrites ?? true,
    maxListKeys: options.maxListKeys ?? 2_500,
    timeoutMs: options.timeoutMs ?? 20_000,
  };
}
