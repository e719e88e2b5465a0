import type { Credentials } from '@stowage/core';
import { type ProfileSettings, setting } from '../aws-config-files.js';
import type { AwsScope, AwsSourceStep } from '../aws-scope.js';
import {
  AwsInvalidConfigError,
  CredentialRetrievalError,
  PartialCredentialsError,
  ProfileCycleError,
} from '../credential-errors.js';
import { type AssumeRoleParams, assumeRole, defaultRoleSessionName } from '../sts-calls.js';
import { configFileCredentials } from './config-file-source.js';
import { containerCredentials } from './container-source.js';
import { envCredentials } from './env-source.js';
import { instanceMetadataCredentials } from './instance-metadata-source.js';
import { processCredentials } from './process-source.js';
import { sharedCredentialsFileCredentials } from './shared-credentials-file-source.js';
import { ssoCredentials } from './sso-source.js';
import { webIdentityCredentials } from './web-identity-source.js';

/**
 * botocore `ProfileProviderBuilder.providers`: the profile-based sources, in order. A
 * `source_profile` is resolved through these (with environment variables disabled).
 */
export const PROFILE_STEPS: ReadonlyArray<readonly [string, AwsSourceStep]> = [
  ['assume-role-with-web-identity', webIdentityCredentials],
  ['sso', ssoCredentials],
  ['shared-credentials-file', sharedCredentialsFileCredentials],
  ['custom-process', processCredentials],
  ['config-file', configFileCredentials],
];

/** botocore `CanonicalNameCredentialSourcer` over `[EnvProvider, ContainerProvider, InstanceMetadataProvider]`. */
const CREDENTIAL_SOURCES: Record<string, AwsSourceStep> = {
  Environment: envCredentials,
  EcsContainer: containerCredentials,
  Ec2InstanceMetadata: instanceMetadataCredentials,
};

const hasRole = (p: ProfileSettings | undefined) =>
  !!p && 'role_arn' in p && !('web_identity_token_file' in p);
const hasStatic = (p: ProfileSettings | undefined) =>
  !!p && ('aws_secret_access_key' in p || 'aws_access_key_id' in p);

/**
 * botocore `AssumeRoleProvider`: a profile with `role_arn` (and no `web_identity_token_file`) is
 * assumed with credentials from exactly one of `source_profile` (itself static keys, another
 * profile-based source, or another role — chains of any length, cycles refused) or
 * `credential_source` (`Environment`, `EcsContainer`, `Ec2InstanceMetadata`). Validation follows
 * botocore's order and messages; the STS call is the SDK's `fromTemporaryCredentials`, signed by the
 * source credentials, sent to `AWS_ENDPOINT_URL_STS` when set. The SDK's `fromIni` has its own,
 * different precedence (e.g. it prefers `source_profile` static keys over an explicit profile's
 * rules), so the walk is by hand.
 */
export async function assumeRoleCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const profile = scope.snapshot.full.profiles[scope.profileName];
  if (!hasRole(profile)) {
    scope.note(`profile ${scope.profileName} has no role_arn`);
    return undefined;
  }
  return viaAssumeRole(scope, scope.profileName, [scope.profileName]);
}

async function viaAssumeRole(scope: AwsScope, profileName: string, visited: string[]): Promise<Credentials> {
  const profiles = scope.snapshot.full.profiles;
  const profile = profiles[profileName]!;
  const roleArn = setting(profile, 'role_arn')!;
  const sourceProfile = setting(profile, 'source_profile');
  const credentialSource = setting(profile, 'credential_source');
  if (credentialSource !== undefined && sourceProfile !== undefined) {
    throw new AwsInvalidConfigError(
      `The profile "${profileName}" contains both source_profile and credential_source.`,
    );
  }
  if (credentialSource === undefined && sourceProfile === undefined) {
    throw new PartialCredentialsError('assume-role', 'source_profile or credential_source');
  }
  let source: Credentials;
  if (credentialSource !== undefined) {
    const step = Object.hasOwn(CREDENTIAL_SOURCES, credentialSource)
      ? CREDENTIAL_SOURCES[credentialSource]
      : undefined;
    if (!step) {
      throw new AwsInvalidConfigError(
        `The credential source "${credentialSource}" referenced in profile "${profileName}" is not valid.`,
      );
    }
    scope.note(`profile ${profileName}: role ${roleArn} from credential_source ${credentialSource}`);
    const found = await step({ ...scope, profileName });
    if (!found) {
      throw new CredentialRetrievalError(
        credentialSource,
        `No credentials found in credential_source referenced in profile ${profileName}`,
      );
    }
    source = found;
  } else {
    const name = sourceProfile!;
    if (!Object.hasOwn(profiles, name)) {
      throw new AwsInvalidConfigError(
        `The source_profile "${name}" referenced in the profile "${profileName}" does not exist.`,
      );
    }
    // botocore `_validate_source_profile`: revisiting a profile is a cycle, except a profile that
    // names itself and holds static keys (assume a role with its own keys).
    if (visited.includes(name) && (name !== profileName || !hasStatic(profiles[name]))) {
      throw new ProfileCycleError(name, visited);
    }
    visited.push(name);
    scope.note(`profile ${profileName}: role ${roleArn} from source_profile ${name}`);
    source = await fromSourceProfile(scope, name, visited);
  }
  const params: AssumeRoleParams = {
    RoleArn: roleArn,
    // botocore generates a name for an empty one too (`if not self._role_session_name`).
    RoleSessionName: setting(profile, 'role_session_name') || defaultRoleSessionName(),
  };
  const externalId = setting(profile, 'external_id');
  if (externalId !== undefined) params.ExternalId = externalId;
  const mfaSerial = setting(profile, 'mfa_serial');
  if (mfaSerial !== undefined) {
    if (!scope.options.sts?.mfaCodeProvider) {
      throw new AwsInvalidConfigError(
        `The profile "${profileName}" needs an MFA code (mfa_serial) but no sts.mfaCodeProvider was configured`,
      );
    }
    params.SerialNumber = mfaSerial;
  }
  const duration = setting(profile, 'duration_seconds');
  if (duration !== undefined && /^\s*[+-]?\d+\s*$/.test(duration))
    params.DurationSeconds = Number.parseInt(duration, 10);
  return assumeRole(params, source, scope.snapshot, scope.options.sts);
}

/** botocore `_resolve_credentials_from_profile`. */
async function fromSourceProfile(scope: AwsScope, name: string, visited: string[]): Promise<Credentials> {
  const profile = scope.snapshot.full.profiles[name];
  if (hasStatic(profile) || !hasRole(profile)) {
    const inner: AwsScope = { ...scope, profileName: name, disableEnvVars: true };
    for (const [, step] of PROFILE_STEPS) {
      const found = await step(inner);
      if (found) return found;
    }
    throw new AwsInvalidConfigError(`The source profile "${name}" must have credentials.`);
  }
  return viaAssumeRole(scope, name, visited);
}
