import { Credentials } from '@stowage/core';
import { setting } from '../aws-config-files.js';
import { isTrue } from '../aws-environment.js';
import type { AwsScope } from '../aws-scope.js';
import { type MetadataResponse, metadataRequest } from '../metadata-http.js';

const DEFAULT_ENDPOINT = 'http://169.254.169.254/';
const IPV6_ENDPOINT = 'http://[fd00:ec2::254]/';
const CREDENTIALS_PATH = 'latest/meta-data/iam/security-credentials/';
/** Whole-lookup budget: leaves room for the rest of the chain so resolution ends within 1 s on a host without IMDS. */
const DEFAULT_BUDGET_MS = 900;

/**
 * botocore `InstanceMetadataProvider` / `InstanceMetadataFetcher`, IMDSv2 first: PUT a token, list
 * the role, fetch its credentials (all of AccessKeyId, SecretAccessKey, Token, Expiration, else
 * nothing). Any failure means "no credentials here", never an error, as in botocore. Endpoint from
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT` / `ec2_metadata_service_endpoint` (or the IPv6 one for
 * `ec2_metadata_service_endpoint_mode = ipv6`); `AWS_EC2_METADATA_DISABLED=true` turns it off;
 * `AWS_EC2_METADATA_V1_DISABLED` forbids the token-less fallback. Written by hand because the SDK's
 * `fromInstanceMetadata` reads its endpoint and switches from process.env and the process's own
 * `~/.aws/config`. Unlike botocore (1 s per request, so ~2 s on a host without IMDS), the whole
 * lookup has one budget (`imds.budgetMs`, default 900 ms).
 */
export async function instanceMetadataCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const { environment, scoped } = scope.snapshot;
  const env = environment.env;
  if (isTrue(env.AWS_EC2_METADATA_DISABLED)) {
    scope.note('AWS_EC2_METADATA_DISABLED is true');
    return undefined;
  }
  const configured =
    env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? setting(scoped, 'ec2_metadata_service_endpoint');
  const mode = (
    env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE ?? setting(scoped, 'ec2_metadata_service_endpoint_mode')
  )?.toLowerCase();
  const useIpv6 =
    mode === 'ipv6' || (!mode && isTrue(env.AWS_IMDS_USE_IPV6 ?? setting(scoped, 'imds_use_ipv6')));
  const base = configured || (useIpv6 ? IPV6_ENDPOINT : DEFAULT_ENDPOINT);
  const v1Disabled = isTrue(env.AWS_EC2_METADATA_V1_DISABLED ?? setting(scoped, 'ec2_metadata_v1_disabled'));
  const timeoutSetting = Number(
    env.AWS_METADATA_SERVICE_TIMEOUT ?? setting(scoped, 'metadata_service_timeout') ?? 1,
  );
  const attempts = Math.max(
    1,
    Number(env.AWS_METADATA_SERVICE_NUM_ATTEMPTS ?? setting(scoped, 'metadata_service_num_attempts') ?? 1) ||
      1,
  );
  const perRequestMs = (Number.isFinite(timeoutSetting) && timeoutSetting > 0 ? timeoutSetting : 1) * 1000;
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
  const expiresAt = new Date(String(parsed.Expiration));
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
