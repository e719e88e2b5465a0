import { type CallRecord, observeCalls } from './call-observer.js';
import type { Layer } from './layer.js';

/** Counts of one provider operation. */
export interface OperationCounts {
  /** Calls made (each attempt counts). */
  calls: number;
  /** Calls that failed. */
  failures: number;
  /** Sum of their durations, in ms. */
  totalMs: number;
}

/** Per-provider, per-operation counts a metrics layer keeps (`storage.metrics`). */
export class CallMetrics {
  private readonly counts = new Map<string, OperationCounts>();

  /** Count one call. */
  record(call: CallRecord): void {
    const key = `${call.provider} ${call.operation}`;
    const counts = this.counts.get(key) ?? { calls: 0, failures: 0, totalMs: 0 };
    counts.calls++;
    if (call.failed) counts.failures++;
    counts.totalMs += call.ms;
    this.counts.set(key, counts);
  }

  /** The counts so far, keyed `"<provider> <operation>"` (e.g. `"s3 read"`). */
  snapshot(): Record<string, OperationCounts> {
    return Object.fromEntries([...this.counts].map(([key, counts]) => [key, { ...counts }]));
  }
}

/** Metrics layer: counts every provider call into `metrics` (calls, failures, time). */
export function withMetrics(metrics: CallMetrics): Layer {
  return (inner) => observeCalls(inner, (call) => metrics.record(call));
}
