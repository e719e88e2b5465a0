import type { CredentialSource } from '../credentials/credential-source.js';
import type { Layer } from '../layers/layer.js';

/** Settings of a {@link Storage} besides its providers. */
export interface StorageConfig {
  /** Layers applied to every provider, innermost first (e.g. `[withTimeout(), withRetry()]`). */
  layers?: readonly Layer[];
  /** Default credential source, for adapters that ask the storage for one. */
  credentials?: CredentialSource;
  /** Default parallelism of tree copies (files at once). Default 8. */
  concurrency?: number;
}
