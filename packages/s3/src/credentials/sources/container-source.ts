import { readFile } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { Credentials, toAbortedError } from '@stowage/core';
import type { AwsScope } from '../aws-scope.js';
import {
  AwsInvalidConfigError,
  ContainerUriNotAllowedError,
  CredentialFileNotFoundError,
  CredentialRetrievalError,
} from '../credential-errors.js';
import { metadataRequest } from '../metadata-http.js';

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

/** The parsed answer of a container credentials endpoint (botocore reads these four, `AccountId` optional). */
interface ContainerAnswer {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
  AccountId?: string;
}

/**
 * botocore `ContainerMetadataFetcher._retrieve_credentials`: GET with `Accept: application/json`;
 * a connection error, a timeout, a non-200 status or a body that is not JSON is retried, up to
 * `attempts` in all, then a CredentialRetrievalError.
 */
async function fetchContainerAnswer(
  url: URL,
  headers: Record<string, string>,
  scope: AwsScope,
): Promise<Record<string, unknown>> {
  const timeoutMs = scope.options.container?.timeoutMs ?? 2000;
  const attempts = Math.max(1, scope.options.container?.attempts ?? 3);
  let failure = 'no attempt made';
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const response = await metadataRequest(url.href, {
        headers: { Accept: 'application/json', ...headers },
        timeoutMs,
        ...(scope.signal ? { signal: scope.signal } : {}),
      });
      if (response.status !== 200) {
        // botocore quotes the answer's body: it is what says why (the message scrubs it of secrets).
        const said = response.body.trim().slice(0, 500);
        failure = `Received non 200 response ${response.status} from container metadata${said ? `: ${said}` : ''}`;
        continue;
      }
      try {
        const parsed: unknown = JSON.parse(response.body);
        if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
      } catch {
        // retried below, as botocore does
      }
      failure = 'Unable to parse JSON returned from container metadata services';
    } catch (error) {
      if (scope.signal?.aborted) throw toAbortedError(scope.signal.reason, 'container credentials request');
      failure = `Received error when attempting to retrieve container metadata: ${(error as Error).message}`;
    }
  }
  throw new CredentialRetrievalError('container-role', `Error retrieving metadata: ${failure}`);
}

/**
 * botocore `ContainerProvider`: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) wins over
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI`, each counting as set even when empty (botocore tests
 * presence); the token from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every fetch, even
 * when the variable is empty: then no such file) or `AWS_CONTAINER_AUTHORIZATION_TOKEN` goes in
 * `Authorization` — an empty token as an empty header, as botocore sends it. A full URI that is not
 * https, loopback or an ECS/EKS host (an empty or unparsable one included) is refused. Written on
 * `metadataRequest` rather than the SDK's `fromHttp`, which reads process.env and drops an empty token.
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
  // botocore builds the headers (reading the token file) before it checks the URL.
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
  let url: URL;
  if (relative !== undefined) {
    try {
      url = new URL(`${ECS_HOST}${relative}`);
    } catch {
      throw new AwsInvalidConfigError(`The container credentials URL is not a valid URL`, {
        provider: 'container-role',
      });
    }
  } else {
    try {
      url = new URL(full!);
    } catch {
      // Python's urlparse has no host for it: "Unsupported host 'None'".
      throw new ContainerUriNotAllowedError('None');
    }
  }
  assertAllowed(url);
  scope.note(
    `asking the container credentials endpoint ${url.origin}${url.pathname}${token !== undefined ? ' with a token' : ''}`,
  );
  const answer = await fetchContainerAnswer(url, token !== undefined ? { Authorization: token } : {}, scope);
  const missing = ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration'].filter(
    (field) => typeof answer[field] !== 'string',
  );
  if (missing.length > 0) {
    throw new CredentialRetrievalError(
      'container-role',
      `The container credentials answer lacks ${missing.join(', ')}`,
    );
  }
  const fields = answer as unknown as ContainerAnswer;
  const expiresAt = new Date(fields.Expiration);
  return Credentials.aws(
    {
      accessKeyId: fields.AccessKeyId,
      secretAccessKey: fields.SecretAccessKey,
      ...(fields.Token ? { sessionToken: fields.Token } : {}),
      ...(Number.isNaN(expiresAt.getTime()) ? {} : { expiresAt }),
      ...(typeof fields.AccountId === 'string' && fields.AccountId ? { accountId: fields.AccountId } : {}),
    },
    'container-role',
  );
}
