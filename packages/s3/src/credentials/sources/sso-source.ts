import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Credentials } from '@stowage/core';
import { type ProfileSettings, setting } from '../aws-config-files.js';
import type { AwsScope } from '../aws-scope.js';
import { AwsInvalidConfigError, CredentialRetrievalError, SsoTokenError } from '../credential-errors.js';
import { configuredEndpoint } from '../service-endpoints.js';

const PROFILE_VARS = ['sso_role_name', 'sso_account_id'] as const;
const SESSION_VARS = ['sso_start_url', 'sso_region'] as const;
/** botocore `SSOTokenProvider._REFRESH_WINDOW`: an sso-session token this close to expiry needs a refresh. */
const TOKEN_REFRESH_WINDOW_MS = 15 * 60_000;

/** botocore `SSOProvider._load_sso_config`: the profile's SSO settings, merged with its `[sso-session]`. */
function ssoConfig(scope: AwsScope): Record<string, string> | undefined {
  const { full } = scope.snapshot;
  const profile: ProfileSettings = full.profiles[scope.profileName] ?? {};
  if (PROFILE_VARS.every((v) => !(v in profile))) return undefined;
  const merged: ProfileSettings = { ...profile };
  const required: string[] = [...PROFILE_VARS, ...SESSION_VARS];
  const sessionName = setting(profile, 'sso_session');
  if (sessionName !== undefined) {
    const session = full.ssoSessions[sessionName];
    if (!session)
      throw new AwsInvalidConfigError(`The specified sso-session does not exist: "${sessionName}"`);
    for (const [key, value] of Object.entries(session)) {
      if (key in merged && merged[key] !== value) {
        throw new AwsInvalidConfigError(
          `The value for ${key} is inconsistent between profile and sso-session ${sessionName}.`,
        );
      }
      merged[key] = value;
    }
    required.push('sso_session');
  }
  const missing = required.filter((v) => setting(merged, v) === undefined);
  if (missing.length > 0) {
    throw new AwsInvalidConfigError(
      `The profile "${scope.profileName}" is configured to use SSO but is missing required configuration: ${missing.join(', ')}`,
    );
  }
  return Object.fromEntries(required.map((v) => [v, setting(merged, v)!]));
}

/**
 * The cached access token `aws sso login` wrote: `~/.aws/sso/cache/<sha1(start URL or session name)>.json`
 * (botocore `SSOTokenLoader`). A missing, unreadable or incomplete file, or an expired token, is an
 * SsoTokenError telling the user to log in again; the token value never appears in a message.
 */
async function loadToken(scope: AwsScope, config: Record<string, string>): Promise<string> {
  const sessionName = config.sso_session;
  const name = sessionName ?? config.sso_start_url!;
  const key = createHash('sha1').update(name, 'utf8').digest('hex');
  const path = join(scope.snapshot.environment.homedir, '.aws', 'sso', 'cache', `${key}.json`);
  let cached: { accessToken?: unknown; expiresAt?: unknown };
  try {
    cached = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new SsoTokenError(`Error loading SSO Token: Token for ${name} does not exist`, { uri: path });
  }
  if (typeof cached?.accessToken !== 'string' || typeof cached.expiresAt !== 'string') {
    throw new SsoTokenError(`Error loading SSO Token: Token for ${config.sso_start_url} is invalid`, {
      uri: path,
    });
  }
  const remaining = new Date(cached.expiresAt).getTime() - Date.now();
  // Legacy profiles fail once the token has expired (UnauthorizedSSOTokenError). sso-session
  // profiles would refresh through SSO OIDC inside the window; a token past expiry that was not
  // refreshed is botocore's "Token has expired and refresh failed".
  if (!(remaining > 0)) {
    throw new SsoTokenError(
      sessionName
        ? 'Token has expired and refresh failed'
        : 'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.',
      { uri: path },
    );
  }
  if (sessionName && remaining < TOKEN_REFRESH_WINDOW_MS) {
    scope.note(`the SSO token of session ${sessionName} expires within 15 minutes; run aws sso login soon`);
  }
  return cached.accessToken;
}

/**
 * botocore `SSOProvider`: legacy profiles (`sso_start_url` … in the profile) and `sso_session`
 * profiles; the cached token is exchanged at the SSO portal's GetRoleCredentials
 * (`AWS_ENDPOINT_URL_SSO` or `https://portal.sso.<sso_region>.amazonaws.com`). The SDK's `fromSSO`
 * reads the token cache under the process's own home and the profile from its own files, so the
 * token and settings are read here from the resolve context; the portal call is one unsigned GET.
 */
export async function ssoCredentials(scope: AwsScope): Promise<Credentials | undefined> {
  const config = ssoConfig(scope);
  if (!config) {
    scope.note(`profile ${scope.profileName} has no sso_account_id / sso_role_name`);
    return undefined;
  }
  const token = await loadToken(scope, config);
  const endpoint = (
    configuredEndpoint('SSO', scope.snapshot) ?? `https://portal.sso.${config.sso_region}.amazonaws.com`
  ).replace(/\/+$/, '');
  const url = `${endpoint}/federation/credentials?role_name=${encodeURIComponent(config.sso_role_name!)}&account_id=${encodeURIComponent(config.sso_account_id!)}`;
  scope.note(`asking the SSO portal for role ${config.sso_role_name} in account ${config.sso_account_id}`);
  const timeout = AbortSignal.timeout(scope.options.ssoTimeoutMs ?? 10_000);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { 'x-amz-sso_bearer_token': token, accept: 'application/json' },
      signal: scope.signal ? AbortSignal.any([scope.signal, timeout]) : timeout,
    });
  } catch (error) {
    throw new CredentialRetrievalError(
      'sso',
      `the SSO portal could not be reached (${(error as Error).name})`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new SsoTokenError(
      'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.',
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new CredentialRetrievalError('sso', `GetRoleCredentials answered HTTP ${response.status}`, {
      retryable: response.status >= 500,
    });
  }
  const body = (await response.json().catch(() => undefined)) as
    | {
        roleCredentials?: {
          accessKeyId?: string;
          secretAccessKey?: string;
          sessionToken?: string;
          expiration?: number;
        };
      }
    | undefined;
  const role = body?.roleCredentials;
  if (!role?.accessKeyId || !role.secretAccessKey) {
    throw new CredentialRetrievalError('sso', 'GetRoleCredentials answered without credentials');
  }
  return Credentials.aws(
    {
      accessKeyId: role.accessKeyId,
      secretAccessKey: role.secretAccessKey,
      ...(role.sessionToken ? { sessionToken: role.sessionToken } : {}),
      ...(typeof role.expiration === 'number' ? { expiresAt: new Date(role.expiration) } : {}),
      accountId: config.sso_account_id!,
    },
    'sso',
  );
}
