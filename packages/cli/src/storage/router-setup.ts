import type { CredentialSource, ResolveContext } from '@stowage/core';
import { createS3Router, type DeclaredBucket, type MirrorMapping, type S3Router } from '@stowage/s3';
import type { CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../global-options.js';
import { splitPair } from '../option-parsers.js';

/** Where S3 is, for the locator's bucket probes. */
export interface S3Endpoint {
  /** S3-compatible endpoint URL; AWS when unset. */
  endpoint?: string;
  /** Address buckets in the path instead of the host name. */
  forcePathStyle?: boolean;
  /** Client region of the probes. */
  region?: string;
}

/** A router and what must be closed after the run. */
export interface RouterSetup {
  /** The router to give the storage as its read router. */
  router: S3Router;
  /** Close the locator's S3 clients. */
  close(): void;
}

/** `--mirror s3://b/p/=https://host/p/` pairs. */
function mirrorsOf(options: GlobalOptions): MirrorMapping[] {
  return (options.mirror ?? []).map((text) => {
    // The S3 side never contains "=https?://", so split at the start of the URL.
    const at = text.search(/=https?:\/\//);
    const [s3, http] =
      at > 0
        ? [text.slice(0, at), text.slice(at + 1)]
        : splitPair(text, '--mirror', 's3://bucket/prefix/=https://host/prefix/');
    return { s3, http };
  });
}

/** `--bucket-region bucket=region` declarations. */
function bucketsOf(options: GlobalOptions): Record<string, DeclaredBucket> {
  const buckets: Record<string, DeclaredBucket> = {};
  for (const text of options.bucketRegion ?? []) {
    const [bucket, region] = splitPair(text, '--bucket-region', 'my-bucket=us-west-2');
    buckets[bucket] = { region };
  }
  return buckets;
}

/**
 * The router of a run, from the routing options: `--running-in`, `--mirror`, `--bucket-region`,
 * the endpoint, whether AWS credentials resolve, and the policy flags. The wiring is the S3
 * package's (`createS3Router`); this only reads the flags.
 */
export function buildRouter(
  options: GlobalOptions,
  io: CliIo,
  s3: S3Endpoint,
  credentials: CredentialSource | undefined,
  context: ResolveContext,
): RouterSetup {
  return createS3Router({
    env: io.env,
    ...(options.runningIn ? { runningIn: options.runningIn } : {}),
    mirrors: mirrorsOf(options),
    buckets: bucketsOf(options),
    s3,
    ...(credentials ? { credentials, credentialContext: context } : {}),
    policy: {
      ...(options.allowCrossRegion ? { allowCrossRegion: true } : {}),
      ...(options.allowRequesterPays || options.requestPayer ? { allowRequesterPays: true } : {}),
      ...(options.preferHttp ? { preferHttp: true } : {}),
      ...(options.downloadCap !== undefined ? { downloadCap: options.downloadCap } : {}),
      ...(options.capAction ? { capAction: options.capAction } : {}),
    },
  });
}
