import {
  type CredentialSource,
  type Credentials,
  isSecretName,
  type ResolveContext,
  registerSecret,
} from '@stowage/core';
import { basicAuthorizationValue } from './basic-authorization.js';
import type { RequestSigner } from './request-signer.js';

/** Refresh credentials that expire within this margin before using them. */
const EXPIRY_MARGIN_MS = 30_000;

function authorizationOf(credentials: Credentials | undefined): string | undefined {
  if (!credentials) return undefined;
  if (credentials.kind === 'bearer') return `Bearer ${credentials.token}`;
  if (credentials.kind === 'basic')
    return basicAuthorizationValue(credentials.username ?? '', credentials.password ?? '');
  return undefined;
}

/** Distinct values after which a signer header counts as per-request (a signature) and is no longer registered. */
const PER_REQUEST_AFTER = 3;

/**
 * Registers the secret headers a signer returns (`Authorization`, `X-Api-Key`, tokens) with the
 * scrubber: the value, and for `Scheme value` forms the value without its scheme. A header whose value
 * keeps changing is a per-request signature: registering each one would crowd the bounded registry
 * out of the secrets that last (the name-value patterns still scrub it where it is quoted by name).
 */
class SignedHeaderSecrets {
  private readonly seen = new Map<string, { last: string; distinct: number }>();

  register(headers: Record<string, string>): void {
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string' || !isSecretName(name)) continue;
      const key = name.toLowerCase();
      const before = this.seen.get(key);
      const distinct = before === undefined ? 1 : before.distinct + (before.last === value ? 0 : 1);
      this.seen.set(key, { last: value, distinct });
      if (distinct >= PER_REQUEST_AFTER) continue;
      registerSecret(value);
      const space = value.indexOf(' ');
      if (space > 0) registerSecret(value.slice(space + 1).trim());
    }
  }
}

/** The headers one attempt carries, and which of them must not follow a redirect to another host. */
export interface AuthHeaders {
  /** Headers to add to the attempt, names lower-case (may be empty). */
  headers: Record<string, string>;
  /** Header names (lower-case) added by authentication. */
  names: string[];
}

/**
 * Turns credential sources and a signer into request headers, per host. Credentials are cached per
 * host and asked for again (`forceRefresh`) after a 401; a secret is never sent to a host other than
 * the one it was resolved for.
 */
export class HttpAuthenticator {
  private readonly cache = new Map<string, Promise<Credentials | undefined>>();
  private readonly signedSecrets = new SignedHeaderSecrets();

  constructor(
    private readonly source: CredentialSource | undefined,
    private readonly signer: RequestSigner | undefined,
    private readonly context: ResolveContext,
  ) {}

  /** Whether asking again after a 401 can change anything. */
  get canRefresh(): boolean {
    return this.source !== undefined || this.signer !== undefined;
  }

  private credentialsFor(
    host: string,
    refresh: boolean,
    signal?: AbortSignal,
  ): Promise<Credentials | undefined> {
    const cached = this.cache.get(host);
    if (cached && !refresh) {
      return cached.then((c) =>
        c && c.remainingMs() < EXPIRY_MARGIN_MS ? this.credentialsFor(host, true, signal) : c,
      );
    }
    if (!this.source) return Promise.resolve(undefined);
    const pending = this.source.resolve({
      ...this.context,
      host,
      ...(refresh ? { forceRefresh: true } : {}),
      ...(signal ? { signal } : {}),
    });
    this.cache.set(host, pending);
    pending.catch(() => this.cache.delete(host));
    return pending;
  }

  /**
   * Headers for one attempt. `userInfo` (from `https://user:pass@host/`) wins over the sources, for
   * that host only.
   */
  async headersFor(
    url: URL,
    method: string,
    baseHeaders: Record<string, string>,
    options: { refresh: boolean; userInfo?: string; signal?: AbortSignal },
  ): Promise<AuthHeaders> {
    const headers: Record<string, string> = {};
    if (options.userInfo !== undefined) {
      const [user, ...rest] = options.userInfo.split(':');
      headers.authorization = basicAuthorizationValue(
        decodeURIComponent(user ?? ''),
        decodeURIComponent(rest.join(':')),
      );
    } else {
      const authorization = authorizationOf(
        await this.credentialsFor(url.host, options.refresh, options.signal),
      );
      if (authorization) headers.authorization = authorization;
    }
    if (this.signer) {
      const signed = await this.signer({
        method,
        url,
        headers: { ...baseHeaders },
        reason: options.refresh ? 'unauthorized' : 'initial',
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (signed) this.signedSecrets.register(signed);
      for (const [name, value] of Object.entries(signed ?? {})) headers[name.toLowerCase()] = value;
    }
    return { headers, names: Object.keys(headers) };
  }

  /**
   * The `Authorization` for a redirect hop to `to`, when the original request went to `from`: the
   * original credentials when back on the original host, otherwise what the sources hold for the new
   * host, unless it is the very secret meant for the original host (a cross-host redirect never
   * receives that; netrc-style per-host entries do follow, as curl's `--netrc` does).
   */
  async redirectAuthorization(from: URL, to: URL, userInfo: string | undefined): Promise<string | undefined> {
    if (to.host === from.host) {
      return (await this.headersFor(from, 'GET', {}, { refresh: false, ...(userInfo ? { userInfo } : {}) }))
        .headers.authorization;
    }
    if (!this.source) return undefined;
    const original =
      userInfo !== undefined ? undefined : authorizationOf(await this.credentialsFor(from.host, false));
    const next = authorizationOf(await this.credentialsFor(to.host, false));
    if (next === undefined || next === original) return undefined;
    if (userInfo !== undefined) {
      const plain = `${decodeURIComponent(userInfo.split(':')[0] ?? '')}:`;
      if (next.startsWith('Basic ') && Buffer.from(next.slice(6), 'base64').toString().startsWith(plain)) {
        return undefined;
      }
    }
    return next;
  }
}
