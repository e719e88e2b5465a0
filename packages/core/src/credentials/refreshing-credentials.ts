import { awaitUnlessAborted } from '../errors/abort.js';
import { AuthenticationRequiredError } from '../errors/error-types.js';
import type { StowageErrorOptions } from '../errors/stowage-error.js';
import type { CredentialSource, ResolveContext } from './credential-source.js';
import type { Credentials } from './credentials.js';

/**
 * A source handed out credentials whose expiry had already passed, and fetching again gave expired
 * ones too (botocore: "Credentials were refreshed, but the refreshed credentials are still
 * expired."). They are never used: a request signed with them would only be refused later, less
 * clearly.
 */
export class ExpiredCredentialsError extends AuthenticationRequiredError {
  /** Stable discriminant, like the AWS credential error kinds. */
  readonly kind = 'expired-credentials' as const;
  /** When the refused credentials expired. */
  readonly expiresAt: Date;
  constructor(source: string, expiresAt: Date, options?: StowageErrorOptions) {
    super(
      `Credentials from ${source} were refreshed, but the refreshed credentials are still expired (expired ${expiresAt.toISOString()})`,
      {
        provider: source,
        hint: 'The credential source hands out credentials that have already expired: check its clock or its cache',
        ...options,
      },
    );
    this.expiresAt = expiresAt;
  }
}

/** Refresh windows, as botocore's `RefreshableCredentials` uses them. */
export interface RefreshOptions {
  /** Refresh when less than this is left; on failure keep using the old credentials. Default 15 min. */
  advisoryMs?: number;
  /** Refresh when less than this is left; on failure throw. Default 10 min. */
  mandatoryMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Told when an advisory refresh failed and old credentials were kept (no secret in the error). */
  onAdvisoryFailure?: (error: unknown) => void;
  /** Longest one refresh may take (it is shared, so no caller's signal cancels it). Default 60 s. */
  refreshTimeoutMs?: number;
}

/**
 * Caches what a source returns and refreshes it ahead of `expiresAt`: within the advisory window a
 * failed refresh keeps the old credentials; within the mandatory window it throws. However many
 * callers ask at once, one refresh runs. Already expired credentials are never handed out: like
 * botocore's `RefreshableCredentials`, a first answer that has expired is fetched once more, and
 * expired credentials from that or from a mandatory refresh are an {@link ExpiredCredentialsError}
 * (within the advisory window they count as a failed refresh: the old, still valid, credentials
 * are kept, where botocore would raise).
 */
export class RefreshingCredentialSource implements CredentialSource {
  /** The wrapped source's name. */
  readonly name: string;
  private cached: Credentials | undefined;
  private inFlight: Promise<Credentials | undefined> | undefined;
  private readonly advisoryMs: number;
  private readonly mandatoryMs: number;
  private readonly now: () => number;
  private readonly refreshTimeoutMs: number;

  constructor(
    private readonly inner: CredentialSource,
    private readonly options: RefreshOptions = {},
  ) {
    this.name = inner.name;
    this.advisoryMs = options.advisoryMs ?? 15 * 60_000;
    this.mandatoryMs = options.mandatoryMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? 60_000;
  }

  /** Drop the cached credentials so the next call fetches new ones. */
  invalidate(): void {
    this.cached = undefined;
  }

  /**
   * The cached credentials, refreshed first inside a window or when `forceRefresh` is set. Concurrent
   * callers share one refresh, run with the first caller's context but not its signal: a caller
   * whose signal fires stops waiting (AbortedError) and the others still get the result. The
   * wrapped source's errors propagate, except from an advisory refresh (the old credentials are kept).
   */
  async resolve(context: ResolveContext = {}): Promise<Credentials | undefined> {
    const current = this.cached;
    if (context.forceRefresh || !current) return this.refresh(context);
    const remaining = current.remainingMs(this.now());
    if (remaining > this.advisoryMs) return current;
    if (remaining > this.mandatoryMs) {
      try {
        return (await this.refresh(context)) ?? current;
      } catch (error) {
        this.options.onAdvisoryFailure?.(error);
        return current;
      }
    }
    return this.refresh(context);
  }

  private refresh(context: ResolveContext): Promise<Credentials | undefined> {
    if (!this.inFlight) {
      // Shared by every caller, so no one caller's signal may cancel it: the refresh gets its own
      // time bound, and each caller stops waiting on its own signal instead.
      const { signal: _callerSignal, ...shared } = context;
      this.inFlight = this.fetchUnexpired(
        { ...shared, signal: AbortSignal.timeout(this.refreshTimeoutMs) },
        this.cached === undefined,
      )
        .then((fresh) => {
          this.cached = fresh;
          return fresh;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return awaitUnlessAborted(this.inFlight, context.signal, `credential refresh (${this.name})`);
  }

  /**
   * Ask the wrapped source, refusing expired answers. botocore loads, then refreshes on first use,
   * so a first answer that has expired is fetched once more; a refresh is not repeated.
   */
  private async fetchUnexpired(context: ResolveContext, first: boolean): Promise<Credentials | undefined> {
    let fresh = await this.inner.resolve(context);
    if (first && fresh && fresh.remainingMs(this.now()) <= 0) fresh = await this.inner.resolve(context);
    if (fresh?.expiresAt && fresh.remainingMs(this.now()) <= 0) {
      throw new ExpiredCredentialsError(this.name, fresh.expiresAt);
    }
    return fresh;
  }
}
