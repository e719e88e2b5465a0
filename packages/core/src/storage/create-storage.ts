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
 * Build a {@link Storage} in one call, from the given providers (default: fs and memory) and the
 * config: what {@link register} puts in a container, without one, so a program that composes no
 * container never loads tsyringe. Two storages share nothing.
 */
export function createStorage(options: CreateStorageOptions = {}): Storage {
  const { providers, ...config } = options;
  return new Storage(providers ?? builtinProviders(), config);
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
