import { fetchImdsRegion, type ImdsOptions, imdsDisabled } from './imds-region.js';
import type { EnvironmentProbe } from './probes.js';
import type { EnvironmentFacts, PlatformAccount } from './route-facts.js';

/** Options of {@link AwsEnvironmentProbe}; the explicit ones win over anything probed. */
export interface AwsEnvironmentProbeOptions {
  /** "This process runs in this AWS region": skips every probe. */
  region?: string;
  /** `'none'`: "this process is not in AWS", skips every probe. */
  cloud?: 'aws' | 'none';
  /** The account is a platform's (a data provider's hub): its buckets are read from S3 by design. */
  platform?: PlatformAccount;
  /** Environment variables to read instead of `process.env`. */
  env?: Record<string, string | undefined>;
  /** How to reach IMDS. */
  imds?: ImdsOptions;
}

const MARKERS: ReadonlyArray<[variable: string, source: string]> = [
  ['AWS_EXECUTION_ENV', 'env:AWS_EXECUTION_ENV'],
  ['ECS_CONTAINER_METADATA_URI_V4', 'env:ECS'],
  ['ECS_CONTAINER_METADATA_URI', 'env:ECS'],
  ['AWS_LAMBDA_FUNCTION_NAME', 'env:LAMBDA'],
];

/**
 * Where this process runs, in the order botocore's and smithy's "physical region" logic uses,
 * with explicit overrides first:
 * 1. the `region`/`cloud` options, then `STOWAGE_CLOUD=none` / `STOWAGE_REGION` (a hub maintainer's override);
 * 2. AWS execution markers (`AWS_EXECUTION_ENV`, ECS, Lambda) with `AWS_REGION ?? AWS_DEFAULT_REGION`
 *    (ECS/Fargate/Lambda have no EC2 IMDS);
 * 3. IMDS `placement/region` (IMDSv2, IMDSv1 fallback, ~1 s), unless `AWS_EC2_METADATA_DISABLED`.
 * `AWS_REGION` alone never means "in AWS": it also configures clients on laptops.
 * Runs once, at the first `probe()`, and caches the answer.
 */
export class AwsEnvironmentProbe implements EnvironmentProbe {
  private answer: Promise<EnvironmentFacts> | undefined;

  constructor(private readonly options: AwsEnvironmentProbeOptions = {}) {}

  /** The facts, detected at the first call and shared by every later one. */
  probe(): Promise<EnvironmentFacts> {
    this.answer ??= this.detect().then((facts) =>
      this.options.platform ? { ...facts, platform: this.options.platform } : facts,
    );
    return this.answer;
  }

  private async detect(): Promise<EnvironmentFacts> {
    const { options } = this;
    const env = options.env ?? process.env;
    if (options.cloud === 'none') return { cloud: 'none', source: 'option' };
    if (options.region) return { cloud: 'aws', region: options.region, source: 'option' };
    if (env.STOWAGE_CLOUD?.toLowerCase() === 'none') return { cloud: 'none', source: 'env:STOWAGE_CLOUD' };
    if (env.STOWAGE_REGION) return { cloud: 'aws', region: env.STOWAGE_REGION, source: 'env:STOWAGE_REGION' };

    const marker = MARKERS.find(([name]) => env[name]);
    const envRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
    if (marker && envRegion) return { cloud: 'aws', region: envRegion, source: marker[1] };

    const disabled = options.imds?.disabled === true || imdsDisabled(env);
    if (disabled) {
      if (marker)
        return {
          cloud: 'aws',
          source: marker[1],
          detail: `${marker[0]} is set but no AWS_REGION or AWS_DEFAULT_REGION; IMDS disabled`,
        };
      if (options.cloud === 'aws')
        return { cloud: 'aws', source: 'option', detail: 'region unknown; IMDS disabled' };
      return {
        cloud: 'none',
        source: 'env:AWS_EC2_METADATA_DISABLED',
        detail: 'IMDS disabled and no AWS execution marker',
      };
    }
    const imds = await fetchImdsRegion(env, options.imds);
    if (imds.region) return { cloud: 'aws', region: imds.region, source: 'imds', detail: imds.detail };
    if (marker || options.cloud === 'aws') {
      return {
        cloud: 'aws',
        source: marker ? marker[1] : 'option',
        detail: `region unknown: ${imds.detail}`,
      };
    }
    return { cloud: imds.cloud, source: 'imds', detail: imds.detail };
  }
}
