import { toAbortedError } from '../errors/abort.js';
import { SourceChangedError } from '../errors/error-types.js';
import { isStowageError } from '../errors/stowage-error.js';
import type { RetryNotice } from '../layers/retry.js';
import { isTooManyOpenFiles } from '../local/fs-error.js';
import type { CallNotice } from '../provider/call-options.js';
import type { ObjectStat } from '../provider/provider.js';
import { displayUri } from '../uri/storage-uri.js';
import type { CopyEnds } from './copy-ends.js';
import type { CopyOptions, CopyResult } from './copy-options.js';
import { chooseStrategy, runStrategy, type StrategyOutcome } from './copy-strategies.js';
import { skipReason, statIfExists } from './overwrite-policy.js';
import { ProgressMeter } from './progress-meter.js';
import type { TransferContext } from './transfer.js';
import { failureOf } from './transfer-events.js';

/** Internal knobs beyond the public options. */
export interface CopyInternals {
  /** Known source stat (tree copies have it from the listing's follow-up stat). */
  sourceStat?: ObjectStat;
  /** Keep partial files / upload state after a failure so a rerun resumes. */
  keepPartialOnFailure?: boolean;
  /** Label for the `route` field of `started`. */
  route?: string;
  /** Told the bytes this copy moves, as the engine counts them (see `ProgressMeterOptions.onMoved`). */
  onMoved?: (bytes: number) => void;
  /**
   * Told when a retry was caused by the process running out of file descriptors, so a tree can
   * lower its file concurrency instead of failing files that a smaller pool would copy.
   */
  onTooManyOpenFiles?: () => void;
  /**
   * True when the caller will run this copy again after `error` (a tree re-running a file once its
   * pool is smaller): the copy then emits no `failed` event, since it has not failed yet.
   */
  willRetry?: (error: unknown) => boolean;
}

/**
 * Copy one object with the cheapest safe strategy, verify it, and report through `context`:
 * server-side copy within a provider; parallel ranged reads into a temp file for local
 * destinations; multipart upload for destinations that have it; a plain stream otherwise.
 */
export async function copyObject(
  ends: CopyEnds,
  options: CopyOptions,
  context: TransferContext,
  internals: CopyInternals = {},
): Promise<CopyResult> {
  const started = Date.now();
  const { source, destination, sourceProvider: sp, destinationProvider: dp } = ends;
  const src = displayUri(source);
  const dst = displayUri(destination);
  const { signal } = context;
  context.emit({ type: 'queued', source: src, destination: dst });
  try {
    if (signal.aborted) throw toAbortedError(signal.reason, `copy of ${src}`);
    // Retries and recoveries of every provider call of this copy become its own events.
    const notify = (notice: CallNotice) => {
      if (notice.type === 'retry') {
        // Out of file descriptors: a tree lowers its file concurrency (see FileSlots).
        if (isTooManyOpenFiles(notice.error)) internals.onTooManyOpenFiles?.();
        const { operation, attempt, delayMs, reason } = notice;
        context.emit({ type: 'retry', operation, attempt, delayMs, reason });
      } else context.emit({ type: 'warning', code: notice.code, message: notice.message });
    };
    let stat = internals.sourceStat ?? (await sp.stat(source, { signal, notify }));
    const policy = options.overwrite ?? 'always';
    if (policy !== 'always') {
      const existing = await statIfExists(dp, destination, signal);
      const skip = skipReason(policy, stat, existing, sp === dp);
      if (skip) {
        context.emit({
          type: 'completed',
          bytes: 0,
          durationMs: Date.now() - started,
          verified: [],
          skipped: skip,
        });
        return {
          source: src,
          destination: dst,
          bytes: 0,
          strategy: 'skip',
          verified: [],
          skipped: skip,
          durationMs: Date.now() - started,
        };
      }
    }
    const onRetry = (n: RetryNotice) => {
      if (isTooManyOpenFiles(n.error)) internals.onTooManyOpenFiles?.();
      context.emit({
        type: 'retry',
        attempt: n.attempt,
        reason: n.reason,
        delayMs: n.delayMs,
        operation: n.operation,
      });
    };
    const onWarning = (code: string, message: string) => context.emit({ type: 'warning', code, message });
    const maxRestarts = options.restartOnChange ?? 0;
    let restarts = 0;
    for (;;) {
      const strategy = chooseStrategy(ends, stat, options);
      context.emit({
        type: 'started',
        source: src,
        destination: dst,
        totalBytes: stat.size,
        strategy,
        ...(internals.route ? { route: internals.route } : {}),
      });
      const meter = new ProgressMeter((r) => context.emit({ type: 'progress', ...r }), {
        totalBytes: stat.size,
        ...(internals.onMoved ? { onMoved: internals.onMoved } : {}),
      });
      let outcome: StrategyOutcome;
      try {
        outcome = await runStrategy(strategy, ends, {
          stat,
          options,
          context,
          meter,
          onRetry,
          onWarning,
          notify,
          keepPartial: internals.keepPartialOnFailure ?? options.keepPartial ?? false,
        });
      } catch (error) {
        // One whole version, never a splice: a replaced source starts over from a fresh stat.
        if (!(error instanceof SourceChangedError) || restarts >= maxRestarts || signal.aborted) throw error;
        restarts++;
        meter.add(-meter.total);
        onWarning('source-changed', `${error.message}; starting over (${restarts} of ${maxRestarts})`);
        stat = await sp.stat(source, { signal, notify });
        continue;
      }
      const { bytes, verified, sha256, resumed } = outcome;
      const used = outcome.strategy ?? strategy;
      meter.flush();
      const durationMs = Date.now() - started;
      context.emit({
        type: 'completed',
        bytes,
        durationMs,
        verified,
        ...(sha256 === undefined ? {} : { sha256 }),
      });
      return {
        source: src,
        destination: dst,
        bytes,
        strategy: used,
        verified,
        durationMs,
        ...(sha256 === undefined ? {} : { sha256 }),
        ...(resumed ? { resumed } : {}),
        ...(restarts > 0 ? { restarts } : {}),
      };
    }
  } catch (caught) {
    const error =
      signal.aborted && !isStowageError(caught, 'Aborted')
        ? toAbortedError(signal.reason, `copy of ${src}`)
        : caught;
    if (!internals.willRetry?.(error)) context.emit({ type: 'failed', error: failureOf(error) });
    throw error;
  }
}
