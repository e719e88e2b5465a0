import type { RefreshingCredentialSource } from '@stowage/core';
import { Catalog, type LoginOptions, type LoginResult, type LogoutResult, type WhoAmI } from './catalog.js';
import type { CatalogConfig } from './catalog-config.js';
import type { CatalogCredentialsOptions } from './catalog-credentials.js';

let shared: Catalog | undefined;

/** The process-wide catalog the module-level functions use (quilt3's model: one home catalog). */
export function defaultCatalog(): Catalog {
  shared ??= new Catalog();
  return shared;
}

/** Replace the process-wide catalog (e.g. one with another `dir`); returns the previous one. */
export function setDefaultCatalog(catalog: Catalog): Catalog | undefined {
  const previous = shared;
  shared = catalog;
  return previous;
}

/** `quilt3.config(url)` / `quilt3.config()`: see {@link Catalog.config}. */
export function config(catalogUrl?: string): Promise<CatalogConfig | null> {
  return defaultCatalog().config(catalogUrl);
}

/** `quilt3.login()`: see {@link Catalog.login}. */
export function login(options?: LoginOptions): Promise<LoginResult> {
  return defaultCatalog().login(options);
}

/** `quilt3.login_with_token(code)`: see {@link Catalog.loginWithToken}. */
export function loginWithToken(code: string): Promise<LoginResult> {
  return defaultCatalog().loginWithToken(code);
}

/** `quilt3.login_with_api_key("qk_…")`: see {@link Catalog.loginWithApiKey}. */
export function loginWithApiKey(apiKey: string): Promise<LoginResult> {
  return defaultCatalog().loginWithApiKey(apiKey);
}

/** `quilt3.logout()`, plus server-side revocation: see {@link Catalog.logout}. */
export function logout(): Promise<LogoutResult> {
  return defaultCatalog().logout();
}

/** `quilt3.logged_in()`: see {@link Catalog.loggedIn}. */
export function loggedIn(): Promise<string | null> {
  return defaultCatalog().loggedIn();
}

/** The signed-in user: see {@link Catalog.whoami}. */
export function whoami(): Promise<WhoAmI> {
  return defaultCatalog().whoami();
}

/**
 * The catalog's S3 credentials as a `CredentialSource` named `catalog`. Place it in a chain
 * yourself; it never replaces the AWS chain. Uses the default catalog unless one is given.
 */
export function catalogCredentials(
  catalog: Catalog = defaultCatalog(),
  options?: CatalogCredentialsOptions,
): RefreshingCredentialSource {
  return catalog.credentials(options);
}
