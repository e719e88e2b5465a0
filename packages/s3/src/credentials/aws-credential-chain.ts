import { CredentialChain, type CredentialSource, type ResolveContext } from '@stowage/core';
import { loadAwsConfig } from './aws-config-files.js';
import type { AwsCredentialChainOptions, AwsScope, AwsSourceStep } from './aws-scope.js';
import { ContextKeyedRefreshingSource } from './context-keyed-refresh.js';
import { imdsSettings } from './imds-settings.js';
import { assumeRoleCredentials, PROFILE_STEPS } from './sources/assume-role-source.js';
import { botoConfigCredentials } from './sources/boto-config-source.js';
import { containerCredentials } from './sources/container-source.js';
import { ec2CredentialsFileCredentials } from './sources/ec2-credentials-file-source.js';
import { envCredentials } from './sources/env-source.js';
import { explicitCredentials } from './sources/explicit-source.js';
import { instanceMetadataCredentials } from './sources/instance-metadata-source.js';

/**
 * Sources whose credentials can expire, so they go through core's RefreshingCredentialSource:
 * cached, refreshed ahead of expiry, and never used once expired (botocore's `RefreshableCredentials`;
 * `env` expires with `AWS_CREDENTIAL_EXPIRATION`).
 */
const EXPIRING = new Set([
  'env',
  'assume-role',
  'assume-role-with-web-identity',
  'sso',
  'custom-process',
  'container-role',
  'iam-role',
]);

/**
 * The order of botocore's `create_credential_resolver` (explicit client keys first, as
 * `Session.create_client` does), named with botocore's `METHOD` names.
 */
const ORDER: ReadonlyArray<readonly [string, AwsSourceStep]> = [
  ['explicit', explicitCredentials],
  ['env', envCredentials],
  ['assume-role', assumeRoleCredentials],
  ...PROFILE_STEPS,
  ['ec2-credentials-file', ec2CredentialsFileCredentials],
  ['boto-config', botoConfigCredentials],
  ['container-role', containerCredentials],
  ['iam-role', instanceMetadataCredentials],
];

function withDefaults(context: ResolveContext, options: AwsCredentialChainOptions): ResolveContext {
  const merged: ResolveContext = { ...context };
  merged.env ??= options.env;
  merged.homedir ??= options.homedir;
  merged.cwd ??= options.cwd;
  merged.profile ??= options.profile;
  return merged;
}

/** Wrap one botocore provider step as a core CredentialSource reading everything from the context. */
function awsSource(name: string, step: AwsSourceStep, options: AwsCredentialChainOptions): CredentialSource {
  const source: CredentialSource = {
    name,
    async resolve(context: ResolveContext = {}) {
      const note = context.note ?? (() => {});
      // botocore loads both shared files (and checks the profile exists) before any provider runs.
      const snapshot = loadAwsConfig(context);
      // Keys passed in code skip botocore's resolver; every other source comes after its
      // construction, which reads (and refuses invalid) instance-metadata settings.
      if (name !== 'explicit') imdsSettings(snapshot);
      if (name === 'env' && snapshot.profileExplicit) {
        note(`profile ${snapshot.profileName} was given explicitly, so botocore skips environment keys`);
        return undefined;
      }
      const scope: AwsScope = {
        snapshot,
        profileName: snapshot.profileName,
        disableEnvVars: snapshot.profileExplicit,
        options,
        note,
        ...(context.signal ? { signal: context.signal } : {}),
      };
      return step(scope);
    },
  };
  const cached = EXPIRING.has(name) ? new ContextKeyedRefreshingSource(source, options.refresh) : source;
  return {
    name,
    resolve: (context: ResolveContext = {}) => cached.resolve(withDefaults(context, options)),
  };
}

/**
 * The AWS credential chain exactly as boto3 resolves it (botocore's provider order, precedence
 * rules, errors and messages; checked against botocore's own answers in the reference cases):
 * explicit keys → env → assume-role → web identity → SSO → shared credentials file →
 * `credential_process` → config file → `AWS_CREDENTIAL_FILE` → boto2 config → container → IMDSv2.
 * Everything (environment, home directory, profile) comes from the resolve context or these
 * options, so one chain can serve many contexts without leaking between them. `explain()` names
 * each source with botocore's method name and says why it was skipped, never a secret.
 */
export function awsCredentialChain(options: AwsCredentialChainOptions = {}): CredentialChain {
  return new CredentialChain(
    ORDER.map(([name, step]) => awsSource(name, step, options)),
    'aws',
  );
}
