import { fromTemporaryCredentials, fromWebToken } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Credentials } from '@stowage/core';
import type { AwsConfigSnapshot } from './aws-config-files.js';
import { regionOf } from './aws-region.js';
import { AwsInvalidConfigError } from './credential-errors.js';
import { configuredEndpoint } from './service-endpoints.js';

/** Parameters of an STS AssumeRole call, as botocore builds them from a profile. */
export interface AssumeRoleParams {
  /** The profile's `role_arn`. */
  RoleArn: string;
  /** `role_session_name`, else {@link defaultRoleSessionName}. */
  RoleSessionName: string;
  /** The profile's `external_id`. */
  ExternalId?: string;
  /** The profile's `duration_seconds`: lifetime of the role credentials. */
  DurationSeconds?: number;
  /** The profile's `mfa_serial`; the MFA code then comes from `mfaCodeProvider`. */
  SerialNumber?: string;
}

/** Knobs shared by STS calls. */
export interface StsCallOptions {
  /** Answers an MFA prompt for `mfa_serial` profiles (botocore prompts on the terminal). */
  mfaCodeProvider?: (serialNumber: string) => Promise<string>;
  /** Per-request timeout for STS, in milliseconds. Default 10 s. */
  timeoutMs?: number;
}

/** botocore's generated session name (`botocore-session-<unix seconds>`), used when none is configured. */
export function defaultRoleSessionName(): string {
  return `botocore-session-${Math.floor(Date.now() / 1000)}`;
}

// Every client setting the SDK would otherwise read from process.env / ~/.aws is given here, so one
// resolution's environment never mixes with the process's.
function stsClientConfig(snapshot: AwsConfigSnapshot, options: StsCallOptions) {
  const region = regionOf(snapshot);
  const endpoint = configuredEndpoint('STS', snapshot);
  if (region === '' && !endpoint) {
    // botocore builds https://sts..amazonaws.com from the empty region and refuses it (ValueError).
    throw new AwsInvalidConfigError(
      "The region is set but empty (AWS_DEFAULT_REGION or the profile's region), so there is no STS endpoint to call: Invalid endpoint: https://sts..amazonaws.com",
    );
  }
  const timeout = options.timeoutMs ?? 10_000;
  return {
    // botocore with no region calls the global endpoint, which is us-east-1. With an empty region
    // and a configured endpoint it signs for the region ""; the SDK needs a name, so us-east-1.
    region: region || 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    maxAttempts: 3,
    retryMode: 'standard',
    defaultsMode: 'legacy' as const,
    authSchemePreference: [],
    requestHandler: new NodeHttpHandler({ connectionTimeout: timeout, requestTimeout: timeout }),
  };
}

function toCredentials(
  identity: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    expiration?: Date;
    accountId?: string;
  },
  source: string,
): Credentials {
  return Credentials.aws(
    {
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
      ...(identity.expiration ? { expiresAt: identity.expiration } : {}),
      ...(identity.accountId ? { accountId: identity.accountId } : {}),
    },
    source,
  );
}

/** STS AssumeRole signed (SigV4) by `source`, through the SDK's `fromTemporaryCredentials`. */
export async function assumeRole(
  params: AssumeRoleParams,
  source: Credentials,
  snapshot: AwsConfigSnapshot,
  options: StsCallOptions = {},
): Promise<Credentials> {
  const provider = fromTemporaryCredentials({
    params,
    masterCredentials: {
      accessKeyId: source.accessKeyId!,
      secretAccessKey: source.secretAccessKey!,
      ...(source.sessionToken ? { sessionToken: source.sessionToken } : {}),
    },
    clientConfig: stsClientConfig(snapshot, options),
    ...(options.mfaCodeProvider ? { mfaCodeProvider: options.mfaCodeProvider } : {}),
  });
  return toCredentials(await provider(), 'assume-role');
}

/** STS AssumeRoleWithWebIdentity (unsigned), through the SDK's `fromWebToken`. */
export async function assumeRoleWithWebIdentity(
  params: { RoleArn: string; RoleSessionName: string; WebIdentityToken: string },
  snapshot: AwsConfigSnapshot,
  options: StsCallOptions = {},
): Promise<Credentials> {
  const provider = fromWebToken({
    roleArn: params.RoleArn,
    roleSessionName: params.RoleSessionName,
    webIdentityToken: params.WebIdentityToken,
    clientConfig: stsClientConfig(snapshot, options),
  });
  return toCredentials(await provider(), 'assume-role-with-web-identity');
}
