import type { CredentialSource, ResolveContext } from '@stowage/core';
import { AwsEnvironmentProbe } from './aws-environment-probe.js';
import { credentialAvailability, fixedCredentialFacts } from './credential-availability.js';
import type { MirrorMapping } from './mirror-map.js';
import type { RoutePolicy } from './route-policy.js';
import { S3Router } from './router.js';
import { S3DataLocator } from './s3-data-locator.js';
import type { DeclaredBucket } from './static-data-locator.js';

/** What {@link createS3Router} builds a router from: plain values, as a CLI or a config file has them. */
export interface S3RouterSetup {
  /** Where the program runs: a region, `none` (not in AWS), or unset to probe (env, then IMDS). */
  runningIn?: string;
  /** The environment the probe reads (`AWS_EXECUTION_ENV`, `AWS_REGION`, …). Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** HTTPS mirrors of S3 prefixes. */
  mirrors?: MirrorMapping[];
  /** Buckets whose region (and requester-pays setting) is known, so nobody probes them. */
  buckets?: Record<string, DeclaredBucket>;
  /** Where S3 is, for the bucket probes (an S3-compatible endpoint; AWS when unset). */
  s3?: { endpoint?: string; forcePathStyle?: boolean; region?: string };
  /** The credentials reads would use (to tell whether they resolve); none: anonymous access. */
  credentials?: CredentialSource;
  /** The context they resolve in. */
  credentialContext?: ResolveContext;
  /** The policy: cross-region, requester pays, prefer HTTP, download cap. */
  policy?: RoutePolicy;
}

/**
 * An {@link S3Router} wired from plain settings (what the CLI's routing flags say): the AWS
 * environment probe, a data locator with mirrors and declared buckets, whether the credentials
 * resolve, and the policy. `close()` releases the locator's S3 clients.
 */
export function createS3Router(setup: S3RouterSetup = {}): { router: S3Router; close(): void } {
  const runningIn = setup.runningIn?.trim();
  const environment = new AwsEnvironmentProbe({
    ...(setup.env ? { env: setup.env } : {}),
    ...(runningIn === 'none' ? { cloud: 'none' as const } : runningIn ? { region: runningIn } : {}),
  });
  const locator = new S3DataLocator({
    mirrors: setup.mirrors ?? [],
    buckets: setup.buckets ?? {},
    s3: {
      ...(setup.s3?.endpoint ? { endpoint: setup.s3.endpoint } : {}),
      ...(setup.s3?.forcePathStyle !== undefined ? { forcePathStyle: setup.s3.forcePathStyle } : {}),
      ...(setup.s3?.region ? { region: setup.s3.region } : {}),
    },
    ...(setup.credentials
      ? { credentials: setup.credentials, credentialContext: setup.credentialContext ?? {} }
      : {}),
  });
  const router = new S3Router({
    environment,
    locator,
    credentials: setup.credentials
      ? credentialAvailability(setup.credentials, setup.credentialContext ?? {})
      : fixedCredentialFacts({ available: false, detail: 'anonymous access: no credentials' }),
    ...(setup.policy ? { policy: setup.policy } : {}),
  });
  return { router, close: () => locator.destroy() };
}
