import { AuthenticationRequiredError, awaitUnlessAborted, isStowageError } from '@stowage/core';
import type { CatalogConfig } from './catalog-config.js';
import {
  jsonObject,
  RELOGIN,
  type RegistryAnswer,
  type RegistryCall,
  type RegistryHttp,
  statusError,
} from './registry-http.js';
import { exchangeToken } from './token-exchange.js';
import type { TokenSet, TokenStore } from './token-store.js';

/** Options of {@link RegistrySession}. */
export interface RegistrySessionOptions {
  /** The catalog whose registry the session calls. */
  config: CatalogConfig;
  /** Where the login is read from and rotated tokens are written to. */
  store: TokenStore;
  /** Transport for registry calls (timeouts, retries). */
  http: RegistryHttp;
  /** An API key (`qk_…`) kept in memory only; used as the bearer instead of stored tokens. */
  apiKey?: string;
  /**
   * Refresh the access token when it has less than this left. Default 60 s (as quilt3); at most
   * half the token's lifetime, so short-lived tokens are not refreshed on every call.
   */
  refreshSkewSeconds?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** What one authenticated call needs. */
export interface SessionCall {
  /** HTTP method. */
  method: 'GET' | 'POST';
  /** Path under the registry URL, e.g. `/api/auth/get_credentials`. */
  path: string;
  /** What is asked for, in words, for error messages (`the current user`). */
  what: string;
  /** Aborts the call, including a token refresh it triggers. */
  signal?: AbortSignal;
}

/** The error of a call that needs a login to the catalog when there is none. */
export function notLoggedInError(catalogUrl: string): AuthenticationRequiredError {
  return new AuthenticationRequiredError(`Not logged in to the catalog ${catalogUrl} (run login())`, {
    uri: catalogUrl,
    provider: 'catalog',
    hint: 'Run login() (interactive), loginWithToken(code) or loginWithApiKey("qk_…") first; from a shell, `stowage catalog login`.',
  });
}

/**
 * Bearer-authenticated calls to one registry. The access token is checked before *every* call and
 * refreshed when near expiry (quilt3 checks once per process); a 401 triggers one forced refresh and
 * one retry. Each refresh stores the rotated refresh token at once. One refresh runs at a time in
 * a process, and one per login across processes (the login lock of {@link TokenStore.locked}).
 */
export class RegistrySession {
  /** The catalog configuration this session was built for. */
  readonly config: CatalogConfig;
  private readonly store: TokenStore;
  private readonly http: RegistryHttp;
  private readonly apiKey: string | undefined;
  private readonly skewMs: number;
  private readonly now: () => number;
  /** A refresh holds the login lock for one exchange (one request) and two small file operations. */
  private readonly lockStaleMs: number;
  /** Longest a refresh may take, lock wait included; no one caller cancels it (see `refresh`). */
  private readonly refreshTimeoutMs: number;
  private refreshing: Promise<TokenSet> | undefined;

  constructor(options: RegistrySessionOptions) {
    this.config = options.config;
    this.store = options.store;
    this.http = options.http;
    this.apiKey = options.apiKey;
    this.skewMs = (options.refreshSkewSeconds ?? 60) * 1000;
    this.now = options.now ?? Date.now;
    this.lockStaleMs = 2 * this.http.timeoutMs + 5_000;
    this.refreshTimeoutMs = this.lockStaleMs + 2 * this.http.timeoutMs;
  }

  /** The catalog (web) URL (`config.navigator_url`). */
  get catalogUrl(): string {
    return this.config.navigator_url;
  }

  /** The registry (API) URL every call goes to. */
  get registryUrl(): string {
    return this.config.registryUrl;
  }

  /** Whether this session can authenticate at all (an API key, or a stored login). No network call. */
  async canAuthenticate(): Promise<boolean> {
    return this.apiKey !== undefined || (await this.store.read(this.registryUrl)) !== undefined;
  }

  /** Whether the session uses an API key rather than a stored login. */
  get usesApiKey(): boolean {
    return this.apiKey !== undefined;
  }

  private notLoggedIn(): AuthenticationRequiredError {
    return notLoggedInError(this.catalogUrl);
  }

  /**
   * A usable bearer token. `rejected` is a token the registry just answered 401 to: unless another
   * caller already replaced it, the refresh is forced.
   */
  async bearer(rejected?: string, signal?: AbortSignal): Promise<string> {
    if (this.apiKey !== undefined) return this.apiKey;
    const tokens = await this.store.read(this.registryUrl);
    if (!tokens) throw this.notLoggedIn();
    const fresh = tokens.expiresAt * 1000 - this.now() > this.marginFor(tokens);
    if (rejected === undefined ? fresh : tokens.accessToken !== rejected && fresh) return tokens.accessToken;
    return (await this.refresh(tokens, signal)).accessToken;
  }

  private refresh(stale: TokenSet, signal?: AbortSignal): Promise<TokenSet> {
    // Shared by every caller, so no one caller's signal may cancel it; and an exchange cut short
    // after the registry rotated the refresh token would lose the login. Each caller stops waiting
    // on its own signal instead, and the refresh itself is bounded in time.
    this.refreshing ??= this.doRefresh(stale, AbortSignal.timeout(this.refreshTimeoutMs)).finally(() => {
      this.refreshing = undefined;
    });
    return awaitUnlessAborted(this.refreshing, signal, `token refresh for ${this.catalogUrl}`);
  }

  /**
   * Read, exchange and write the login while holding its lock, so processes sharing it exchange
   * once per rotation. What `stale` holds was read before the lock: if the stored login changed
   * since (another process refreshed, or logged in again), it is used as it is — even inside the
   * refresh margin — unless its access token has really expired; only otherwise is its refresh
   * token exchanged. Each run re-reads first, so a retried refresh never presents a refresh token
   * that another refresh already rotated.
   */
  private doRefresh(stale: TokenSet, signal: AbortSignal): Promise<TokenSet> {
    return this.store.locked(
      this.registryUrl,
      async () => {
        const current = await this.store.read(this.registryUrl);
        if (!current) throw this.notLoggedIn();
        if (changed(current, stale) && !this.expired(current)) return current;
        let fresh: TokenSet;
        try {
          fresh = await exchangeToken(
            this.http,
            { registryUrl: this.registryUrl, catalogUrl: this.catalogUrl },
            current.refreshToken,
            'token refresh',
            signal,
          );
        } catch (error) {
          if (!isStowageError(error, 'AuthenticationRequired')) throw error;
          // A writer that does not take the lock (quilt3 sharing an imported login, an older
          // Stowage) may have rotated it meanwhile: use what it stored, without a second exchange.
          const after = await this.store.read(this.registryUrl);
          if (after && changed(after, current) && !this.expired(after)) return after;
          throw new AuthenticationRequiredError(
            `Failed to refresh the access token for the catalog ${this.catalogUrl}: ${error.message}`,
            { uri: this.catalogUrl, provider: 'catalog', hint: RELOGIN },
          );
        }
        await this.store.write(this.registryUrl, fresh, this.catalogUrl);
        return fresh;
      },
      { signal, staleMs: this.lockStaleMs, waitMs: this.refreshTimeoutMs },
    );
  }

  /**
   * How much lifetime left makes a token due for refresh: the skew, but at most half the token's
   * lifetime. A token that lives less than twice the skew (a 5 s token against the 60 s default)
   * would otherwise be refreshed on every call, by every process sharing the login.
   */
  private marginFor(tokens: TokenSet): number {
    if (tokens.issuedAt === undefined) return this.skewMs;
    const lifetimeMs = (tokens.expiresAt - tokens.issuedAt) * 1000;
    return Math.max(0, Math.min(this.skewMs, lifetimeMs / 2));
  }

  private expired(tokens: TokenSet): boolean {
    return tokens.expiresAt * 1000 <= this.now();
  }

  /** One authenticated call; refreshes first when needed and once more after a 401. */
  async send(call: SessionCall): Promise<RegistryAnswer> {
    const request = (token: string): RegistryCall => ({
      method: call.method,
      url: `${this.registryUrl}${call.path}`,
      catalogUrl: this.catalogUrl,
      what: call.what,
      headers: { authorization: `Bearer ${token}` },
      ...(call.signal ? { signal: call.signal } : {}),
    });
    const token = await this.bearer(undefined, call.signal);
    const answer = await this.http.send(request(token));
    if (answer.status !== 401 || this.apiKey !== undefined) return answer;
    const retried = await this.bearer(token, call.signal);
    return this.http.send(request(retried));
  }

  /** An authenticated call whose 2xx answer must be a JSON object. */
  async json(call: SessionCall, hint = RELOGIN): Promise<Record<string, unknown>> {
    const answer = await this.send(call);
    const described: RegistryCall = {
      method: call.method,
      url: `${this.registryUrl}${call.path}`,
      catalogUrl: this.catalogUrl,
      what: call.what,
    };
    if (answer.status < 200 || answer.status >= 300) {
      const error = statusError(answer, described, hint);
      if (answer.status === 401 && this.apiKey !== undefined) {
        throw new AuthenticationRequiredError(`${error.message}; the API key was refused`, {
          uri: this.catalogUrl,
          provider: 'catalog',
          hint: 'Create a new API key and call loginWithApiKey() with it.',
        });
      }
      throw error;
    }
    return jsonObject(answer, described, hint);
  }
}

/** Whether the stored login is another one than the one read before (rotated or replaced). */
function changed(now: TokenSet, before: TokenSet): boolean {
  return now.refreshToken !== before.refreshToken || now.accessToken !== before.accessToken;
}
