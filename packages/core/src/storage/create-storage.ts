import { type DependencyContainer, tsyringe } from '../di/container.js';
import { PROVIDER, STORAGE_CONFIG } from '../di/tokens.js';
import type { Provider } from '../provider/provider.js';
import { FsProvider } from '../providers/fs/fs-provider.js';
import { MemoryProvider } from '../providers/memory/memory-provider.js';
import { Storage } from './storage.js';
import type { StorageConfig } from './storage-config.js';

/** Options of {@link createStorage}. */
export interface CreateStorageOptions extends StorageConfig {
  /** Providers to use. Default: the fs and memory providers. */
  providers?: Provider[];
}

/**
 * Build a {@link Storage} in one call. It is composed like any other, by {@link register} in a
 * child container of its own (never tsyringe's global one, so two storages share nothing), with
 * the given providers under {@link PROVIDER} and the config under {@link STORAGE_CONFIG}: one
 * composition root for the library, the CLI and the adapters' own `register`. tsyringe loads on
 * the first call, not when core is imported.
 */
export function createStorage(options: CreateStorageOptions = {}): Storage {
  const { providers, ...config } = options;
  // tsyringe cannot resolve an empty multi-registration: a storage of no providers is built as is.
  if (providers?.length === 0) return new Storage([], config);
  const scope = register(undefined, { ...config, builtins: providers === undefined });
  for (const provider of providers ?? []) scope.register(PROVIDER, { useValue: provider });
  return scope.resolve(Storage);
}

/** The providers every storage has unless told otherwise: local files and `mem://`. */
function builtinProviders(): Provider[] {
  return [new FsProvider(), new MemoryProvider()];
}

/** Options of {@link register}. */
export interface RegisterCoreOptions extends StorageConfig {
  /** Also register the fs and memory providers. Default true. */
  builtins?: boolean;
}

/**
 * Register the core pieces in a container: the storage config, the built-in providers and
 * `Storage` itself. Adapters' own `register` functions add their providers under {@link PROVIDER}.
 * Without a container it makes a child of tsyringe's global one, so nothing is ever registered
 * globally; pass yours (a child container of your app) to compose it there. Returns the container;
 * `container.resolve(Storage)` then builds the storage.
 */
export function register(
  container: DependencyContainer = tsyringe().container.createChildContainer(),
  options: RegisterCoreOptions = {},
): DependencyContainer {
  const { builtins = true, ...config } = options;
  container.register(STORAGE_CONFIG, { useValue: config });
  if (builtins)
    for (const provider of builtinProviders()) container.register(PROVIDER, { useValue: provider });
  container.register(Storage, {
    useFactory: (resolver) => new Storage(resolver.resolveAll(PROVIDER), resolver.resolve(STORAGE_CONFIG)),
  });
  return container;
}
