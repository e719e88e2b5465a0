import { Credentials } from '@stowage/core';
import { type ProfileSettings, setting } from '../aws-config-files.js';
import type { AwsScope } from '../aws-scope.js';
import { PartialCredentialsError } from '../credential-errors.js';

/**
 * Static keys from one INI section, as botocore's Shared/Config/Boto providers read them: the
 * section must hold `aws_access_key_id` (else skip), then `aws_secret_access_key` is required;
 * `aws_security_token` wins over `aws_session_token`.
 */
export function keysFromSection(
  section: ProfileSettings,
  method: string,
  where: string,
  scope: AwsScope,
  withToken = true,
): Credentials | undefined {
  if (!('aws_access_key_id' in section)) {
    scope.note(`${where} has no aws_access_key_id`);
    return undefined;
  }
  if (!('aws_secret_access_key' in section))
    throw new PartialCredentialsError(method, 'aws_secret_access_key', { uri: where });
  const token = withToken
    ? (setting(section, 'aws_security_token') ?? setting(section, 'aws_session_token'))
    : undefined;
  const accountId = setting(section, 'aws_account_id');
  scope.note(`keys found in ${where}`);
  return Credentials.aws(
    {
      accessKeyId: setting(section, 'aws_access_key_id') ?? '',
      secretAccessKey: setting(section, 'aws_secret_access_key') ?? '',
      ...(token !== undefined ? { sessionToken: token } : {}),
      ...(accountId ? { accountId } : {}),
    },
    method,
  );
}
