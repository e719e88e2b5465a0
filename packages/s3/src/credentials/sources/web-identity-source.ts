import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { Credentials } from '@stowage/core';
import { setting } from '../aws-config-files.js';
import type { AwsScope } from '../aws-scope.js';
import { AwsInvalidConfigError, CredentialFileNotFoundError } from '../credential-errors.js';
import { assumeRoleWithWebIdentity, defaultRoleSessionName } from '../sts-calls.js';

const ENV_FOR = {
  web_identity_token_file: 'AWS_WEB_IDENTITY_TOKEN_FILE',
  role_arn: 'AWS_ROLE_ARN',
  role_session_name: 'AWS_ROLE_SESSION_NAME',
} as const;

/**
 * botocore `AssumeRoleWithWebIdentityProvider`: each setting from its environment variable (unless
 * a profile was given explicitly or this is a `source_profile`), else from the profile. A token file
 * without a role ARN is an error; the token file is read when credentials are fetched, so a missing
 * file is an error too (botocore's FileNotFoundError). The SDK's `fromTokenFile` reads `process.env`
 * itself, so the settings are gathered here and the STS call goes through the SDK's `fromWebToken`.
 */
export async function webIdentityCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const { environment, full } = scope.snapshot;
  const profile = full.profiles[scope.profileName];
  const get = (key: keyof typeof ENV_FOR): string | undefined => {
    const fromEnv = scope.disableEnvVars ? undefined : environment.env[ENV_FOR[key]];
    return fromEnv ?? setting(profile, key);
  };
  const tokenFile = get('web_identity_token_file');
  if (!tokenFile) {
    scope.note(
      `neither AWS_WEB_IDENTITY_TOKEN_FILE nor web_identity_token_file in profile ${scope.profileName}`,
    );
    return undefined;
  }
  const roleArn = get('role_arn');
  if (!roleArn) {
    throw new AwsInvalidConfigError(
      `Web identity is configured (token file ${tokenFile}) but no role ARN: set role_arn in profile ${scope.profileName} or AWS_ROLE_ARN`,
    );
  }
  const path = resolvePath(environment.cwd, tokenFile);
  let token: string;
  try {
    token = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CredentialFileNotFoundError(path, 'web identity token file');
    throw new AwsInvalidConfigError(`Cannot read the web identity token file ${path}: ${code}`, {
      uri: path,
    });
  }
  scope.note(`assuming ${roleArn} with the web identity token in ${path}`);
  return assumeRoleWithWebIdentity(
    {
      RoleArn: roleArn,
      // botocore generates a name for an empty one too (`if not self._role_session_name`).
      RoleSessionName: get('role_session_name') || defaultRoleSessionName(),
      WebIdentityToken: token,
    },
    scope.snapshot,
    scope.options.sts,
  );
}
