import { readFile } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { fromHttp } from '@aws-sdk/credential-providers';
import { Credentials } from '@stowage/core';
import type { AwsScope } from '../aws-scope.js';
import {
  AwsInvalidConfigError,
  ContainerUriNotAllowedError,
  CredentialFileNotFoundError,
  CredentialRetrievalError,
} from '../credential-errors.js';

const ECS_HOST = 'http://169.254.170.2';
const ALLOWED_HOSTS = new Set(['169.254.170.2', '169.254.170.23', 'fd00:ec2::23', 'localhost']);

function isLoopback(host: string): boolean {
  if (isIPv4(host)) return host.split('.')[0] === '127';
  if (isIPv6(host)) return host === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(host);
  return false;
}

/** botocore `ContainerMetadataFetcher._validate_allowed_url`: https anywhere; http only to loopback or ECS/EKS hosts. */
function assertAllowed(url: URL): void {
  if (url.protocol === 'https:') return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isLoopback(host) || ALLOWED_HOSTS.has(host)) return;
  throw new ContainerUriNotAllowedError(host);
}

/**
 * botocore `ContainerProvider`: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) wins over
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI`; the token from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
 * (read on every fetch) or `AWS_CONTAINER_AUTHORIZATION_TOKEN` goes in `Authorization`. The host
 * check and the token are done here from the resolve context; the HTTP exchange (retries, response
 * validation) is the SDK's `fromHttp`, given every value explicitly so it never reads process.env.
 */
export async function containerCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const env = scope.snapshot.environment.env;
  const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
  const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  if (relative === undefined && full === undefined) {
    scope.note(
      'neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set',
    );
    return undefined;
  }
  const target = relative !== undefined ? `${ECS_HOST}${relative}` : full!;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new AwsInvalidConfigError(`The container credentials URL is not a valid URL`, {
      provider: 'container-role',
    });
  }
  assertAllowed(url);
  let token: string | undefined;
  const tokenFile = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
  if (tokenFile !== undefined) {
    try {
      token = await readFile(tokenFile, 'utf8');
    } catch {
      throw new CredentialFileNotFoundError(tokenFile, 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE');
    }
  } else {
    token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  }
  if (token !== undefined && /[\r\n]/.test(token)) {
    throw new AwsInvalidConfigError('The container authorization token is not a legal header value');
  }
  scope.note(
    `asking the container credentials endpoint ${url.origin}${url.pathname}${token ? ' with a token' : ''}`,
  );
  const timeout = scope.options.container?.timeoutMs ?? 2000;
  const provider = fromHttp({
    awsContainerCredentialsFullUri: url.href,
    awsContainerCredentialsRelativeUri: '',
    awsContainerAuthorizationToken: token ?? '',
    awsContainerAuthorizationTokenFile: '',
    timeout,
    maxRetries: Math.max(0, (scope.options.container?.attempts ?? 3) - 1),
  });
  try {
    const identity = await provider();
    return Credentials.aws(
      {
        accessKeyId: identity.accessKeyId,
        secretAccessKey: identity.secretAccessKey,
        ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
        ...(identity.expiration ? { expiresAt: identity.expiration } : {}),
        ...(identity.accountId ? { accountId: identity.accountId } : {}),
      },
      'container-role',
    );
  } catch (error) {
    throw new CredentialRetrievalError('container-role', (error as Error).message, { cause: error });
  }
}
