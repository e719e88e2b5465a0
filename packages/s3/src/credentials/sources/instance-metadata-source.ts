import { randomInt } from 'node:crypto';
import { Credentials } from '@stowage/core';
import type { AwsScope } from '../aws-scope.js';
import { imdsSettings } from '../imds-settings.js';
import { type MetadataResponse, metadataRequest } from '../metadata-http.js';

const CREDENTIALS_PATH = 'latest/meta-data/iam/security-credentials/';
/** botocore's `ec2_credential_refresh_window` (its advisory refresh timeout, 15 min). */
const EXTENSION_WINDOW_MS = 15 * 60_000;

/**
 * botocore `InstanceMetadataFetcher._evaluate_expiration` (static stability): credentials that
 * expire within the refresh window plus a 2–10 min jitter — expired ones included — are given
 * that long from now, so an instance keeps working through an IMDS outage and refreshes later.
 * Only an Expiration in botocore's exact `%Y-%m-%dT%H:%M:%SZ` form is extended.
 */
function extendedExpiry(expiration: string, scope: AwsScope): Date {
  const expiresAt = new Date(expiration);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(expiration) || Number.isNaN(expiresAt.getTime()))
    return expiresAt;
  const now = (scope.options.refresh?.now ?? Date.now)();
  const offset = EXTENSION_WINDOW_MS + randomInt(120, 601) * 1000;
  if (now < expiresAt.getTime() - offset) return expiresAt;
  scope.note(
    `instance credentials expire ${expiration}: extended by ${Math.round(offset / 60_000)} min, as botocore does during an IMDS outage`,
  );
  return new Date(Math.floor((now + offset) / 1000) * 1000);
}
/** Whole-lookup budget: leaves room for the rest of the chain so resolution ends within 1 s on a host without IMDS. */
const DEFAULT_BUDGET_MS = 900;

/**
 * botocore `InstanceMetadataProvider` / `InstanceMetadataFetcher`, IMDSv2 first: PUT a token, list
 * the role, fetch its credentials (all of AccessKeyId, SecretAccessKey, Token, Expiration, else
 * nothing). Any failure means "no credentials here", never an error, as in botocore. Endpoint from
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT` / `ec2_metadata_service_endpoint` (or the IPv6 one for
 * `ec2_metadata_service_endpoint_mode = ipv6`); `AWS_EC2_METADATA_DISABLED=true` turns it off;
 * `AWS_EC2_METADATA_V1_DISABLED` forbids the token-less fallback (settings: {@link imdsSettings}). Written by hand because the SDK's
 * `fromInstanceMetadata` reads its endpoint and switches from process.env and the process's own
 * `~/.aws/config`. Unlike botocore (1 s per request, so ~2 s on a host without IMDS), the whole
 * lookup has one budget (`imds.budgetMs`, default 900 ms).
 */
export async function instanceMetadataCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const {
    disabled,
    base,
    v1Disabled,
    timeoutSeconds,
    attempts: configuredAttempts,
  } = imdsSettings(scope.snapshot);
  if (disabled) {
    scope.note('AWS_EC2_METADATA_DISABLED is true');
    return undefined;
  }
  const attempts = Math.max(1, configuredAttempts);
  const perRequestMs = (timeoutSeconds > 0 ? timeoutSeconds : 1) * 1000;
  const deadline = Date.now() + (scope.options.imds?.budgetMs ?? DEFAULT_BUDGET_MS);
  const url = (path: string) => `${base}${base.endsWith('/') ? '' : '/'}${path}`;

  const send = async (
    path: string,
    method: string,
    headers: Record<string, string>,
  ): Promise<MetadataResponse | undefined> => {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      try {
        return await metadataRequest(url(path), {
          method,
          headers,
          timeoutMs: Math.min(perRequestMs, left),
          signal: scope.signal,
        });
      } catch {
        // botocore retries connection errors and timeouts up to num_attempts.
      }
    }
    return undefined;
  };

  const tokenResponse = await send('latest/api/token', 'PUT', {
    'x-aws-ec2-metadata-token-ttl-seconds': '21600',
  });
  const token = tokenResponse?.status === 200 ? tokenResponse.body : undefined;
  if (tokenResponse?.status === 400) {
    scope.note(`instance metadata at ${base} refused the token request (400)`);
    return undefined;
  }
  if (!token && v1Disabled) {
    scope.note(`no IMDSv2 token from ${base} and IMDSv1 is disabled`);
    return undefined;
  }
  const headers: Record<string, string> = token ? { 'x-aws-ec2-metadata-token': token } : {};
  const ok = (r: MetadataResponse | undefined): r is MetadataResponse =>
    r?.status === 200 && r.body.length > 0;
  const roleResponse = await send(CREDENTIALS_PATH, 'GET', headers);
  if (!ok(roleResponse)) {
    scope.note(
      `no instance role from ${base}${Date.now() >= deadline ? ' (gave up: time budget spent)' : ''}`,
    );
    return undefined;
  }
  const role = roleResponse.body;
  const credentialsResponse = await send(`${CREDENTIALS_PATH}${role}`, 'GET', headers);
  if (!ok(credentialsResponse)) {
    scope.note(`no credentials for instance role ${role}`);
    return undefined;
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(credentialsResponse.body) as Record<string, unknown>;
  } catch {
    scope.note(`instance metadata answered invalid JSON for role ${role}`);
    return undefined;
  }
  const fields = ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration'];
  if (!parsed || typeof parsed !== 'object' || fields.some((f) => !(f in parsed))) {
    scope.note(`instance metadata answer for role ${role} lacks a credential field`);
    return undefined;
  }
  const expiresAt = extendedExpiry(String(parsed.Expiration), scope);
  scope.note(`credentials of instance role ${role} from ${base}${token ? ' (IMDSv2)' : ' (IMDSv1)'}`);
  return Credentials.aws(
    {
      accessKeyId: String(parsed.AccessKeyId),
      secretAccessKey: String(parsed.SecretAccessKey),
      sessionToken: String(parsed.Token),
      ...(Number.isNaN(expiresAt.getTime()) ? {} : { expiresAt }),
    },
    'iam-role',
  );
}
