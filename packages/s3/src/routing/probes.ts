import type { StorageUri } from '@stowage/core';
import type { BucketFacts, CredentialFacts, DataLocation, EnvironmentFacts } from './route-facts.js';

/**
 * Where this process runs (in AWS? which region? a platform account?). A {@link S3Router} asks once,
 * at its first decision that needs it, and caches the answer; implementations should answer within
 * about a second even when nothing listens (IMDS outside EC2).
 */
export interface EnvironmentProbe {
  /** The facts; a failure reads as `cloud: 'unknown'` to the router. */
  probe(signal?: AbortSignal): Promise<EnvironmentFacts>;
}

/**
 * Where an object lives: its S3 location and HTTPS mirror (`locate`, cheap, usually a mapping),
 * and what is known about its bucket (`bucketFacts`, may cost a request; the router caches it per
 * bucket).
 */
export interface DataLocator {
  /** S3 location and mirror of `uri`. @throws InvalidArgumentError for a scheme that is not routed. */
  locate(uri: StorageUri): DataLocation | Promise<DataLocation>;
  /** Region and requester-pays of a bucket; a failure reads as unknown to the router. */
  bucketFacts(bucket: string, signal?: AbortSignal): Promise<BucketFacts>;
}

/** Whether AWS credentials resolve; see {@link credentialAvailability}. */
export interface CredentialsProbe {
  /** Whether AWS keys resolve; a failure reads as "none" to the router. */
  check(signal?: AbortSignal): Promise<CredentialFacts>;
}

/** An environment probe with a fixed answer (tests, or a deployment that knows where it runs). */
export function fixedEnvironment(facts: EnvironmentFacts): EnvironmentProbe {
  const frozen = { ...facts };
  return { probe: async () => ({ ...frozen }) };
}
