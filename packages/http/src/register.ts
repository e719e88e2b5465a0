import { PROVIDER, type Provider } from '@stowage/core';
import type { HttpProviderOptions } from './http-options.js';
import { HttpProvider } from './http-provider.js';

/** The part of a tsyringe container `register` uses (so this package needs no tsyringe of its own). */
export interface ProviderContainer {
  /** Add a provider under core's `PROVIDER` token (tsyringe's `container.register`). */
  register(token: typeof PROVIDER, provider: { useValue: Provider }): unknown;
}

/**
 * Register an {@link HttpProvider} under core's `PROVIDER` token, next to the others; a `Storage`
 * resolved from the container then serves `http://` and `https://`. Returns the container.
 */
export function register<C extends ProviderContainer>(container: C, options: HttpProviderOptions = {}): C {
  container.register(PROVIDER, { useValue: new HttpProvider(options) });
  return container;
}
