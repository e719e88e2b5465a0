import type { CredentialSource } from '../credentials/credential-source.js';
import type { Layer } from '../layers/layer.js';
import type { Router } from '../router/router.js';

/** Settings of a {@link Storage} besides its providers. */
export interface StorageConfig {
  /** Layers applied to every provider, innermost first (e.g. `[withTimeout(), withRetry()]`). */
  layers?: readonly Layer[];
  /** Default credential source, for adapters that ask the storage for one. */
  credentials?: CredentialSource;
  /**
   * Decides per `s3://` read between S3 and an HTTPS mirror, and meters a download cap across every
   * transfer of this storage. Without one, S3 sources are read from S3.
   */
  router?: Router;
  /** Default parallelism of tree copies (files at once). Default 8. */
  concurrency?: number;
}
