import type { CredentialSource, Credentials, ResolveContext } from '@stowage/core';
import type { RequestSigner } from './request-signer.js';

/** Refresh credentials that expire within this margin before using them. */
const EXPIRY_MARGIN_MS = 30_000;

function authorizationOf(credentials: Credentials | undefined): string | undefined {
  if (!credentials) return undefined;
  if (credentials.kind === 'bearer') return `Bearer ${credentials.token}`;
  if (credentials.kind === 'basic') {
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}`;
  }
  return undefined;
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
      const plain = `${decodeURIComponent(user ?? '')}:${decodeURIComponent(rest.join(':'))}`;
      headers.authorization = `Basic ${Buffer.from(plain).toString('base64')}`;
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
