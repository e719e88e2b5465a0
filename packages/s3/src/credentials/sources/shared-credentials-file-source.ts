import type { Credentials } from '@stowage/core';
import type { AwsScope } from '../aws-scope.js';
import { keysFromSection } from './profile-keys.js';

/**
 * botocore `SharedCredentialProvider`: `[NAME]` of the credentials file (`AWS_SHARED_CREDENTIALS_FILE`
 * or `~/.aws/credentials`). Section names are taken literally: `[profile dev]` there is not `dev`.
 */
export async function sharedCredentialsFileCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const { credentialsFile, credentialsPath } = scope.snapshot;
  if (!credentialsFile) {
    scope.note(`credentials file ${credentialsPath} not found`);
    return undefined;
  }
  const section = credentialsFile[scope.profileName];
  if (!section) {
    scope.note(`no [${scope.profileName}] section in ${credentialsPath}`);
    return undefined;
  }
  return keysFromSection(
    section,
    'shared-credentials-file',
    `[${scope.profileName}] in ${credentialsPath}`,
    scope,
  );
}
