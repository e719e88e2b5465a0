import type { Layer } from '../layers/layer.js';
import type { RetryOptions } from '../layers/retry.js';
import type { TimeoutOptions } from '../layers/timeout.js';
import type { ReadRouter } from './read-router.js';

/** Settings of a {@link Storage} besides its providers. */
export interface StorageConfig {
  /**
   * Layers applied to every provider, innermost first. Default: logging (with `log`), metrics,
   * timeout and retry (see `defaultLayers`); `[]` applies none, retries included.
   */
  layers?: readonly Layer[];
  /** Policy of the default retry layer (attempts, backoff, Retry-After). */
  retry?: RetryOptions;
  /** Limits of the default timeout layer. */
  timeout?: TimeoutOptions;
  /** Where the default logging layer writes one line per provider call (none: no logging layer). */
  log?: (line: string) => void;
  /**
   * Plans the copies of sources it claims (another URI, a paying provider, a metered download cap)
   * and says why. Without one, every source is read directly.
   */
  readRouter?: ReadRouter;
  /** Default parallelism of tree copies (files at once). Default 8. */
  concurrency?: number;
}
