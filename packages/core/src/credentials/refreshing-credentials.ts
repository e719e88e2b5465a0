import { awaitUnlessAborted } from '../errors/abort.js';
import type { CredentialSource, ResolveContext } from './credential-source.js';
import type { Credentials } from './credentials.js';

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
 * callers ask at once, one refresh runs.
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
      this.inFlight = this.inner
        .resolve({ ...shared, signal: AbortSignal.timeout(this.refreshTimeoutMs) })
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
}
