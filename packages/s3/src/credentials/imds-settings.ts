import { type AwsConfigSnapshot, setting } from './aws-config-files.js';
import { isTrue } from './aws-environment.js';
import { AwsInvalidConfigError } from './credential-errors.js';

const DEFAULT_ENDPOINT = 'http://169.254.169.254/';
const IPV6_ENDPOINT = 'http://[fd00:ec2::254]/';

/** The instance-metadata settings of one resolution, read as botocore reads them. */
export interface ImdsSettings {
  /** `AWS_EC2_METADATA_DISABLED` is `true` (any case; empty or anything else is false). */
  disabled: boolean;
  /** Base URL: the configured endpoint, else the IPv6 or IPv4 link-local one. */
  base: string;
  /** Never fall back to IMDSv1 (no token). */
  v1Disabled: boolean;
  /** Seconds per request (`metadata_service_timeout`, default 1). */
  timeoutSeconds: number;
  /** Attempts per request (`metadata_service_num_attempts`, default 1). */
  attempts: number;
}

/** Python's `int()` of a string: optional blanks and sign, digits (single `_` between them allowed). */
function pythonInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(value)) {
    throw new AwsInvalidConfigError(`${name} must be a whole number (botocore: invalid literal for int())`, {
      uri: name,
    });
  }
  return Number.parseInt(value.replace(/_/g, ''), 10);
}

/**
 * botocore reads these in `create_credential_resolver`, before any source runs, so an invalid one
 * fails the whole resolution (even with keys in the environment): `metadata_service_timeout` and
 * `metadata_service_num_attempts` go through `int()` (an empty variable is a ValueError), and
 * `ec2_metadata_service_endpoint_mode` must be `ipv4` or `ipv6` (`InvalidIMDSEndpointModeError`).
 * Each setting is its `AWS_*` variable when set, even to the empty string (botocore's
 * `EnvironmentProvider` tests presence), else the profile's key. An empty endpoint means the
 * default one.
 */
export function imdsSettings(snapshot: AwsConfigSnapshot): ImdsSettings {
  const { environment, scoped } = snapshot;
  const env = environment.env;
  const read = (variable: string, key: string) => env[variable] ?? setting(scoped, key);
  const timeoutSeconds = pythonInt(
    'metadata_service_timeout (AWS_METADATA_SERVICE_TIMEOUT)',
    read('AWS_METADATA_SERVICE_TIMEOUT', 'metadata_service_timeout'),
    1,
  );
  const attempts = pythonInt(
    'metadata_service_num_attempts (AWS_METADATA_SERVICE_NUM_ATTEMPTS)',
    read('AWS_METADATA_SERVICE_NUM_ATTEMPTS', 'metadata_service_num_attempts'),
    1,
  );
  const mode = read('AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE', 'ec2_metadata_service_endpoint_mode');
  if (mode !== undefined && !['ipv4', 'ipv6'].includes(mode.toLowerCase())) {
    throw new AwsInvalidConfigError(
      `Invalid EC2 Instance Metadata endpoint mode: "${mode}". Valid endpoint modes (case-insensitive): ipv4, ipv6 (ec2_metadata_service_endpoint_mode / AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE)`,
    );
  }
  const useIpv6 =
    mode !== undefined ? mode.toLowerCase() === 'ipv6' : isTrue(read('AWS_IMDS_USE_IPV6', 'imds_use_ipv6'));
  const configured = read('AWS_EC2_METADATA_SERVICE_ENDPOINT', 'ec2_metadata_service_endpoint');
  return {
    disabled: isTrue(env.AWS_EC2_METADATA_DISABLED),
    base: configured || (useIpv6 ? IPV6_ENDPOINT : DEFAULT_ENDPOINT),
    v1Disabled: isTrue(read('AWS_EC2_METADATA_V1_DISABLED', 'ec2_metadata_v1_disabled')),
    timeoutSeconds,
    attempts,
  };
}
