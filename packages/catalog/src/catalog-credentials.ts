import {
  type CredentialSource,
  Credentials,
  InvalidConfigError,
  RefreshingCredentialSource,
  type RefreshOptions,
  type ResolveContext,
  redactSecrets,
} from '@stowage/core';
import { RELOGIN } from './registry-http.js';
import { notLoggedInError, type RegistrySession } from './registry-session.js';

/** Gives the session to use at resolve time (the user may log in after building the source). */
export type SessionProvider = () => Promise<RegistrySession | undefined>;

/** Options of {@link catalogCredentialSource}. */
export interface CatalogCredentialsOptions extends RefreshOptions {
  /** Name shown by `explain()`. Default `catalog`. */
  name?: string;
  /**
   * Fail instead of stepping aside when there is no catalog configured (`InvalidConfig`) or no
   * login (`AuthenticationRequired`, "not logged in to <catalog> (run login())"). For a source used
   * alone, as `catalog.bucket()` does, or last in a chain; a chain whose later sources should answer
   * for a logged-out catalog needs it off (the default).
   */
  required?: boolean;
}

/**
 * `GET {registryUrl}/api/auth/get_credentials` → AWS credentials. Not logged in → `undefined` ("not
 * mine", so a chain moves on and `explain()` says why), or the error saying so when `required`;
 * logged in but the answer is unusable → a typed error naming the catalog, which stops the chain as
 * botocore does for a broken source.
 */
export function catalogCredentialFetcher(
  session: SessionProvider,
  name = 'catalog',
  required = false,
): CredentialSource {
  return {
    name,
    async resolve(context: ResolveContext = {}): Promise<Credentials | undefined> {
      const current = await session();
      if (!current) {
        if (required) throw noCatalogError(name);
        context.note?.('no catalog configured (run config(catalogUrl))');
        return undefined;
      }
      if (!(await current.canAuthenticate())) {
        if (required) throw notLoggedInError(current.catalogUrl);
        context.note?.(`not logged in to ${current.catalogUrl} (run login())`);
        return undefined;
      }
      const json = await current.json({
        method: 'GET',
        path: '/api/auth/get_credentials',
        what: 'S3 credentials',
        ...(context.signal ? { signal: context.signal } : {}),
      });
      const problem = (what: string) =>
        new InvalidConfigError(
          `The catalog ${current.catalogUrl} answered S3 credentials (${current.registryUrl}/api/auth/get_credentials) ${what}`,
          { uri: current.catalogUrl, provider: name, hint: RELOGIN },
        );
      if (json.error !== undefined) {
        const said = typeof json.error === 'string' ? redactSecrets(json.error).slice(0, 200) : 'an error';
        throw problem(`with an error: ${said}`);
      }
      const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = json;
      const missing = Object.entries({ AccessKeyId, SecretAccessKey, SessionToken, Expiration })
        .filter(([, v]) => typeof v !== 'string' || v.length === 0)
        .map(([k]) => k);
      if (missing.length > 0) throw problem(`without ${missing.join(', ')}`);
      const expiresAt = new Date(Expiration as string);
      if (Number.isNaN(expiresAt.getTime())) throw problem('with an Expiration that is not an ISO-8601 date');
      if (expiresAt.getTime() <= Date.now()) {
        throw problem(`that had already expired (Expiration ${expiresAt.toISOString()}); check the clocks`);
      }
      context.note?.(
        `S3 credentials from ${current.registryUrl}/api/auth/get_credentials, expiring ${expiresAt.toISOString()}`,
      );
      return Credentials.aws(
        {
          accessKeyId: AccessKeyId as string,
          secretAccessKey: SecretAccessKey as string,
          sessionToken: SessionToken as string,
          expiresAt,
        },
        name,
      );
    },
  };
}

/**
 * The catalog as a core `CredentialSource` (name `catalog`), cached and refreshed before
 * `Expiration` by core's `RefreshingCredentialSource` (botocore's 15/10-minute windows unless given).
 * Put it in a chain yourself — first, or only for the catalog's buckets; it never replaces the chain.
 */
export function catalogCredentialSource(
  session: SessionProvider,
  options: CatalogCredentialsOptions = {},
): RefreshingCredentialSource {
  const { name, required, ...refresh } = options;
  return new RefreshingCredentialSource(
    catalogCredentialFetcher(session, name ?? 'catalog', required ?? false),
    refresh,
  );
}

function noCatalogError(name: string): InvalidConfigError {
  return new InvalidConfigError('No catalog is configured, so there are no catalog credentials', {
    provider: name,
    hint: 'Run config("https://your-catalog") (or `stowage catalog config <url>`) and log in first.',
  });
}
