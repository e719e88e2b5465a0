import type { Layer } from '../layers/layer.js';
import { withLogging } from '../layers/logging.js';
import { type CallMetrics, withMetrics } from '../layers/metrics.js';
import { withRetry } from '../layers/retry.js';
import { withTimeout } from '../layers/timeout.js';
import type { StorageConfig } from './storage-config.js';

/**
 * The layers a Storage applies when its config names none, innermost first: logging (with
 * `config.log`) and metrics see every attempt; a time limit on each request; then the one retry
 * policy around it. Adapters retry nothing themselves (the AWS SDK makes one attempt, got none
 * beyond it), so each request is retried here, once, by this policy, and every retry reaches the
 * transfer's events. `layers: []` turns them all off.
 */
export function defaultLayers(config: StorageConfig, metrics: CallMetrics): Layer[] {
  return [
    ...(config.log ? [withLogging(config.log)] : []),
    withMetrics(metrics),
    withTimeout(config.timeout),
    withRetry(config.retry),
  ];
}
