import {
  type CredentialSource,
  Credentials,
  InvalidArgumentError,
  type ResolveContext,
  registerSecret,
} from '@stowage/core';

/** Restrict a credential to some hosts. */
export interface HostScope {
  /**
   * Hosts (`host` or `host:port`) the credential is for; every host the provider talks to when
   * omitted (a cross-host redirect still never receives it).
   */
  hosts?: readonly string[];
  /** Name shown by `explain()`. */
  name?: string;
}

function inScope(hosts: readonly string[] | undefined, context: ResolveContext): boolean {
  if (hosts === undefined || context.host === undefined) return true;
  const host = context.host.toLowerCase();
  const hostname = host.replace(/:\d+$/, '');
  return hosts.some((h) => h.toLowerCase() === host || h.toLowerCase() === hostname);
}

/**
 * A bearer token, fixed or produced on demand (a function is called at each resolution, so it can read
 * a token file that another process refreshes). A fixed token is registered with the scrubber at once.
 */
export function bearerToken(
  token: string | (() => string | Promise<string>),
  options: HostScope = {},
): CredentialSource {
  const name = options.name ?? 'bearer-token';
  if (typeof token === 'string' && token.length === 0)
    throw new InvalidArgumentError('bearerToken() needs a non-empty token');
  if (typeof token === 'string') registerSecret(token);
  return {
    name,
    async resolve(context = {}) {
      if (!inScope(options.hosts, context)) {
        context.note?.(`not for host ${context.host}`);
        return undefined;
      }
      const value = typeof token === 'string' ? token : await token();
      if (!value) {
        context.note?.('the token function returned nothing');
        return undefined;
      }
      return Credentials.bearer(value, name);
    },
  };
}

/** HTTP basic credentials. The password is registered with the scrubber at once. */
export function basicAuth(username: string, password: string, options: HostScope = {}): CredentialSource {
  const name = options.name ?? 'basic-auth';
  if (username.includes(':')) throw new InvalidArgumentError('basicAuth() user names cannot contain ":"');
  registerSecret(password);
  return {
    name,
    async resolve(context = {}) {
      if (!inScope(options.hosts, context)) {
        context.note?.(`not for host ${context.host}`);
        return undefined;
      }
      return Credentials.basic(username, password, name);
    },
  };
}

/** What a delegated login is told. */
export interface LoginRequest {
  /** The host (`host[:port]`) credentials are wanted for. */
  host: string | undefined;
  /** `initial`, or `rejected` after the server answered 401 to the last credentials. */
  reason: 'initial' | 'rejected';
  /** Aborts with the request that needs the credentials. */
  signal?: AbortSignal;
}

/**
 * A user function that logs in on demand (opens a browser, exchanges a refresh token, asks a vault)
 * and returns a token or credentials. The provider calls it at the first request to a host and once
 * more after a 401; return `undefined` to send the request without credentials.
 */
export function delegatedLogin(
  login: (request: LoginRequest) => Promise<Credentials | string | undefined>,
  options: { name?: string } = {},
): CredentialSource {
  const name = options.name ?? 'delegated-login';
  return {
    name,
    async resolve(context = {}) {
      const result = await login({
        host: context.host,
        reason: context.forceRefresh ? 'rejected' : 'initial',
        ...(context.signal ? { signal: context.signal } : {}),
      });
      if (result === undefined) return undefined;
      return typeof result === 'string' ? Credentials.bearer(result, name) : result;
    },
  };
}
