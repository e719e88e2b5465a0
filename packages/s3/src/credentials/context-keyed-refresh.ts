import { createHash } from 'node:crypto';
import {
  type CredentialSource,
  type Credentials,
  RefreshingCredentialSource,
  type RefreshOptions,
  type ResolveContext,
} from '@stowage/core';

const MAX_ENTRIES = 16;

/**
 * The parts of a context that change what an AWS source resolves, as a SHA-256 digest: the
 * `AWS_*` values include secrets, which must not sit in a long-lived map key (heap dumps, debuggers).
 */
function contextKey(context: ResolveContext): string {
  const env = context.env ?? process.env;
  const relevant = Object.keys(env)
    .filter((k) => k.startsWith('AWS_') || k.startsWith('BOTO') || k === 'HOME')
    .sort()
    .map((k) => [k, env[k]]);
  return createHash('sha256')
    .update(JSON.stringify([context.homedir, context.cwd, context.profile, relevant]))
    .digest('base64');
}

/**
 * Core's RefreshingCredentialSource (advisory 15 min / mandatory 10 min, one refresh in flight),
 * kept per distinct resolve context: one chain object may be asked with different `env`, `homedir`
 * or `profile`, and cached credentials of one must never answer for another.
 */
export class ContextKeyedRefreshingSource implements CredentialSource {
  /** The wrapped source's name. */
  readonly name: string;
  private readonly caches = new Map<string, RefreshingCredentialSource>();

  constructor(
    private readonly inner: CredentialSource,
    private readonly options: RefreshOptions = {},
  ) {
    this.name = inner.name;
  }

  /** Resolve through the cache of this context (16 contexts kept, the oldest dropped first). */
  resolve(context: ResolveContext = {}): Promise<Credentials | undefined> {
    const key = contextKey(context);
    let cache = this.caches.get(key);
    if (!cache) {
      cache = new RefreshingCredentialSource(this.inner, this.options);
      this.caches.set(key, cache);
      if (this.caches.size > MAX_ENTRIES) this.caches.delete(this.caches.keys().next().value!);
    }
    return cache.resolve(context);
  }

  /** Forget every cached credential. */
  invalidate(): void {
    this.caches.clear();
  }
}
