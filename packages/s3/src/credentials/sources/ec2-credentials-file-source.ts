import { readFileSync } from 'node:fs';
import { Credentials } from '@stowage/core';
import { expandPath } from '../aws-environment.js';
import type { AwsScope } from '../aws-scope.js';
import { CredentialFileNotFoundError, PartialCredentialsError } from '../credential-errors.js';

/**
 * botocore `OriginalEC2Provider`: the old EC2 CLI tools' `AWS_CREDENTIAL_FILE` (`key=value` lines
 * with `AWSAccessKeyId` / `AWSSecretKey`). A named file that cannot be read stops the chain, as in botocore.
 */
export async function ec2CredentialsFileCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const { environment } = scope.snapshot;
  const named = environment.env.AWS_CREDENTIAL_FILE;
  if (named === undefined) {
    scope.note('AWS_CREDENTIAL_FILE is not set');
    return undefined;
  }
  const path = expandPath(named, environment);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CredentialFileNotFoundError(path, 'AWS_CREDENTIAL_FILE');
  }
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  if (values.AWSAccessKeyId === undefined) {
    scope.note(`${path} has no AWSAccessKeyId`);
    return undefined;
  }
  if (values.AWSSecretKey === undefined)
    throw new PartialCredentialsError('ec2-credentials-file', 'AWSSecretKey');
  scope.note(`keys found in ${path} (AWS_CREDENTIAL_FILE)`);
  return Credentials.aws(
    { accessKeyId: values.AWSAccessKeyId, secretAccessKey: values.AWSSecretKey },
    'ec2-credentials-file',
  );
}
