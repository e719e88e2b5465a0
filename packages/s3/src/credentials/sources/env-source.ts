import { Credentials } from '@stowage/core';
import type { AwsScope } from '../aws-scope.js';
import { PartialCredentialsError } from '../credential-errors.js';

/**
 * botocore `EnvProvider`: `AWS_ACCESS_KEY_ID` decides (empty or unset → skip, even when the secret
 * is set); then the secret is required. The legacy `AWS_SECURITY_TOKEN` wins over
 * `AWS_SESSION_TOKEN` (botocore checks it first). `AWS_CREDENTIAL_EXPIRATION` makes them expire.
 * The `SDK fromEnv` provider reads `process.env` and prefers `AWS_SESSION_TOKEN`, so this is by hand.
 */
export async function envCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const env = scope.snapshot.environment.env;
  const accessKeyId = env.AWS_ACCESS_KEY_ID ?? '';
  if (!accessKeyId) {
    scope.note(
      env.AWS_SECRET_ACCESS_KEY
        ? 'AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; botocore ignores the half pair'
        : 'AWS_ACCESS_KEY_ID is not set',
    );
    return undefined;
  }
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY ?? '';
  if (!secretAccessKey) throw new PartialCredentialsError('env', 'AWS_SECRET_ACCESS_KEY');
  const tokenVariable = ['AWS_SECURITY_TOKEN', 'AWS_SESSION_TOKEN'].find((name) => env[name]);
  const expiration = env.AWS_CREDENTIAL_EXPIRATION;
  const expiresAt = expiration ? new Date(expiration) : undefined;
  scope.note(
    `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set${tokenVariable ? `, with ${tokenVariable}` : ''}`,
  );
  return Credentials.aws(
    {
      accessKeyId,
      secretAccessKey,
      ...(tokenVariable ? { sessionToken: env[tokenVariable]! } : {}),
      ...(expiresAt && !Number.isNaN(expiresAt.getTime()) ? { expiresAt } : {}),
      ...(env.AWS_ACCOUNT_ID ? { accountId: env.AWS_ACCOUNT_ID } : {}),
    },
    'env',
  );
}
