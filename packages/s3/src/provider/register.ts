import { PROVIDER, type register as registerCore } from '@stowage/core';
import { S3Provider } from './s3-provider.js';
import type { S3ProviderOptions } from './s3-provider-options.js';

/** The tsyringe container type core's `register` works with (no direct tsyringe dependency here). */
export type Container = NonNullable<Parameters<typeof registerCore>[0]>;

/**
 * Add an {@link S3Provider} built from `options` to a tsyringe container, under core's `PROVIDER`
 * token, so `container.resolve(Storage)` serves `s3://` URIs. Returns the container.
 */
export function register(container: Container, options: S3ProviderOptions = {}): Container {
  container.register(PROVIDER, { useValue: new S3Provider(options) });
  return container;
}
