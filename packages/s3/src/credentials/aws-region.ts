import type { ResolveContext } from '@stowage/core';
import { type AwsConfigSnapshot, loadAwsConfig, setting } from './aws-config-files.js';

/** Where a client's region comes from, as botocore resolves it. */
export interface ResolveAwsRegionOptions extends Pick<ResolveContext, 'env' | 'homedir' | 'profile'> {
  /** A region given in code (`boto3.Session(region_name=...)` / client `region_name`); wins over everything. */
  region?: string;
}

/**
 * The region botocore's session reports (`session.py` `_resolve_region_name`, `configprovider.py`
 * `region` chain): the explicit option, then `AWS_DEFAULT_REGION`, then the selected profile's
 * `region` (config file, with credentials-file keys merged in as botocore's `full_config` does),
 * else undefined. botocore ignores `AWS_REGION` here — unlike the JS SDK — and never asks IMDS.
 * `AWS_DEFAULT_REGION` set to the empty string counts as set (botocore's `EnvironmentProvider`
 * tests presence): the region is then `""` and the profile's region is not read; botocore cannot
 * build a public endpoint from it ("Invalid endpoint: https://s3..amazonaws.com").
 * Throws like botocore when the files are malformed or a named profile does not exist.
 */
export function resolveAwsRegion(options: ResolveAwsRegionOptions = {}): string | undefined {
  if (options.region !== undefined) return options.region;
  // Like botocore's config chain, a set variable answers before the files are read.
  const fromEnv = (options.env ?? process.env).AWS_DEFAULT_REGION;
  if (fromEnv !== undefined) return fromEnv;
  return setting(loadAwsConfig(options).scoped, 'region');
}

/** The same answer from an already loaded snapshot (used for the STS client's region). */
export function regionOf(snapshot: AwsConfigSnapshot): string | undefined {
  return snapshot.environment.env.AWS_DEFAULT_REGION ?? setting(snapshot.scoped, 'region');
}
