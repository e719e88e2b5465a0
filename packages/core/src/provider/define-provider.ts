import type { StorageUri } from '../uri/storage-uri.js';
import { deleteEach } from './delete-each.js';
import type { Provider } from './provider.js';
import { unsupported } from './unsupported.js';

/** The operations every provider has; the rest may be left out and default to Unsupported. */
type Required = 'name' | 'schemes' | 'capabilities' | 'stat' | 'read';

/** What an adapter writes: its name, schemes, capability table, `stat` and `read`, and what else it does. */
export type ProviderSpec = Pick<Provider, Required> & Partial<Omit<Provider, Required>>;

/**
 * Complete an adapter into a {@link Provider}: every operation it leaves out (`write`, `list`,
 * `delete`, `deleteMany`) throws `UnsupportedOperationError`, as its capability table says, so a
 * read-only adapter writes only what it does. `deleteMany` of an adapter that deletes defaults to
 * one `delete` per key. The object itself is completed and returned (a class keeps its methods).
 */
export function defineProvider<T extends ProviderSpec>(spec: T): T & Provider {
  const provider = spec as T & Provider;
  const { name } = spec;
  provider.write ??= async (uri: StorageUri) => {
    throw unsupported(name, 'write', uri);
  };
  provider.delete ??= async (uri: StorageUri) => {
    throw unsupported(name, 'delete', uri);
  };
  provider.list ??= (prefix: StorageUri) => ({
    [Symbol.asyncIterator]() {
      return {
        next: () => Promise.reject(unsupported(name, 'list', prefix)),
      };
    },
  });
  provider.deleteMany ??= (uris, options) => deleteEach(provider, uris, options);
  return provider;
}
