import { Credentials } from '@stowage/core';
import type { AwsScope } from '../aws-scope.js';
import { PartialCredentialsError } from '../credential-errors.js';

/**
 * Keys given in code. botocore `Session.create_client`: both keys → used as is; exactly one →
 * PartialCredentialsError; none → the rest of the chain.
 */
export async function explicitCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const given = scope.options.explicit;
  const accessKeyId = given?.accessKeyId;
  const secretAccessKey = given?.secretAccessKey;
  if (accessKeyId === undefined && secretAccessKey === undefined) {
    scope.note('no keys were passed in code');
    return undefined;
  }
  if (accessKeyId === undefined) throw new PartialCredentialsError('explicit', 'aws_access_key_id');
  if (secretAccessKey === undefined) throw new PartialCredentialsError('explicit', 'aws_secret_access_key');
  scope.note('keys passed in code');
  return Credentials.aws(
    { accessKeyId, secretAccessKey, ...(given?.sessionToken ? { sessionToken: given.sessionToken } : {}) },
    'explicit',
  );
}
