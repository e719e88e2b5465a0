import type { Provider } from '../provider/provider.js';
import type { StorageUri } from '../uri/storage-uri.js';

/** Both ends of a single-object copy, already resolved to providers. */
export interface CopyEnds {
  /** The object to copy. */
  source: StorageUri;
  /** The object to create or replace. */
  destination: StorageUri;
  /** Serves the source's scheme. */
  sourceProvider: Provider;
  /** Serves the destination's scheme (the same object as `sourceProvider` allows a server-side copy). */
  destinationProvider: Provider;
  /**
   * The destination prefix of the tree copy this object belongs to: a local destination must not
   * be reached through a symbolic link that leads out of it (see `WriteOptions.within`).
   */
  destinationRoot?: StorageUri;
}
