import type { InjectionToken } from 'tsyringe';
import type { Provider } from '../provider/provider.js';
import type { StorageConfig } from '../storage/storage-config.js';

/** Every registered provider (multi-registration: `container.register(PROVIDER, { useValue })`). */
export const PROVIDER: InjectionToken<Provider> = Symbol.for('stowage.Provider');
/** The storage configuration (layers, credentials, router). */
export const STORAGE_CONFIG: InjectionToken<StorageConfig> = Symbol.for('stowage.StorageConfig');
