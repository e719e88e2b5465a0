import 'reflect-metadata';
import { type DependencyContainer, container as rootContainer } from 'tsyringe';
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

/** Build a {@link Storage} in one call, without touching a DI container. */
export function createStorage(options: CreateStorageOptions = {}): Storage {
  const { providers, ...config } = options;
  return new Storage(providers ?? [new FsProvider(), new MemoryProvider()], config);
}

/** Options of {@link register}. */
export interface RegisterCoreOptions extends StorageConfig {
  /** Also register the fs and memory providers. Default true. */
  builtins?: boolean;
}

/**
 * Register the core pieces in a tsyringe container: the storage config, the built-in providers and
 * `Storage` itself. Adapters' own `register` functions add their providers under {@link PROVIDER}.
 * Returns the container; `container.resolve(Storage)` then builds the storage.
 */
export function register(
  container: DependencyContainer = rootContainer,
  options: RegisterCoreOptions = {},
): DependencyContainer {
  const { builtins = true, ...config } = options;
  container.register(STORAGE_CONFIG, { useValue: config });
  if (builtins) {
    container.register(PROVIDER, { useValue: new FsProvider() });
    container.register(PROVIDER, { useValue: new MemoryProvider() });
  }
  container.register(Storage, { useClass: Storage });
  return container;
}
