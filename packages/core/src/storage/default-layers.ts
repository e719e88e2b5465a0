import type { Layer } from '../layers/layer.js';
import { withRetry } from '../layers/retry.js';
import { withTimeout } from '../layers/timeout.js';
import type { StorageConfig } from './storage-config.js';

/**
 * The layers a Storage applies when its config names none: a time limit on each request (inside),
 * then the one retry policy around it. Adapters retry nothing themselves (the AWS SDK makes one
 * attempt, got none beyond it), so each request is retried here, once, by this policy, and every
 * retry reaches the transfer's events. `layers: []` turns both off.
 */
export function defaultLayers(config: StorageConfig): Layer[] {
  return [withTimeout(config.timeout), withRetry(config.retry)];
}
