import { InvalidArgumentError } from '../errors/error-types.js';
import type { CopyTreeResult } from './copy-options.js';
import type { ShardSpec } from './shard.js';

/** What one shard's run reported: a sharded tree copy's result (the CLI's `--json` `result` line). */
export type ShardSummary = Pick<CopyTreeResult, 'files' | 'skipped' | 'failed' | 'bytes'> &
  Partial<Pick<CopyTreeResult, 'failures' | 'durationMs'>> & {
    /** Which shard it ran. */
    shard: ShardSpec;
  };

/** The shards' summaries folded into one report of the whole tree. */
export interface FoldedShards {
  /** The shard count all summaries share. */
  count: number;
  /** Files copied, over the latest run of each shard. */
  files: number;
  /** Files skipped (already at the destination, e.g. copied by an earlier run of the shard). */
  skipped: number;
  /** Files that failed in the latest run of their shard: these need another run. */
  failed: number;
  /** Bytes copied, over the latest run of each shard. */
  bytes: number;
  /** Shard indexes with no summary: their workers never finished (or never reported). */
  missing: number[];
  /** Shard indexes whose latest run had failures: rerun exactly these. */
  failedShards: number[];
  /** Summaries beyond the first of an index (earlier runs, superseded by the last one given). */
  reruns: number;
  /** True when every shard reported and none has failures: the tree is copied. */
  complete: boolean;
  /** Up to 100 failures of the latest runs, for the report. */
  failures: NonNullable<CopyTreeResult['failures']>;
  /** The longest shard's wall time, in ms (the shards ran side by side). */
  durationMs: number;
}

/**
 * Fold the summaries of a sharded copy's workers into one report. Summaries of the same index
 * are runs of the same shard, in the order given: the last is the shard's state (a rerun after a
 * failure skips what landed before and copies the rest, so its files + skipped + failed counts
 * every key of the shard once). Summaries of different shard counts cannot be folded.
 */
export function foldShardSummaries(summaries: Iterable<ShardSummary>): FoldedShards {
  const latest = new Map<number, ShardSummary>();
  let count: number | undefined;
  let given = 0;
  for (const summary of summaries) {
    given++;
    const { index, count: n } = summary.shard;
    count ??= n;
    if (n !== count) {
      throw new InvalidArgumentError(
        `Shard summaries of different counts (${count} and ${n}) cannot be folded; they are not one copy`,
      );
    }
    if (!Number.isSafeInteger(index) || index < 0 || index >= n)
      throw new InvalidArgumentError(`Shard summary index ${index} is outside 0..${n - 1}`);
    latest.set(index, summary);
  }
  if (count === undefined) throw new InvalidArgumentError('No shard summaries to fold');
  const folded: FoldedShards = {
    count,
    files: 0,
    skipped: 0,
    failed: 0,
    bytes: 0,
    missing: [],
    failedShards: [],
    reruns: given - latest.size,
    complete: false,
    failures: [],
    durationMs: 0,
  };
  for (let index = 0; index < count; index++) {
    const run = latest.get(index);
    if (!run) {
      folded.missing.push(index);
      continue;
    }
    folded.files += run.files;
    folded.skipped += run.skipped;
    folded.failed += run.failed;
    folded.bytes += run.bytes;
    folded.durationMs = Math.max(folded.durationMs, run.durationMs ?? 0);
    if (run.failed > 0) folded.failedShards.push(index);
    for (const failure of run.failures ?? []) if (folded.failures.length < 100) folded.failures.push(failure);
  }
  folded.complete = folded.missing.length === 0 && folded.failedShards.length === 0;
  return folded;
}
