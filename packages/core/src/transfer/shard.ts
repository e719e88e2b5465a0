import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../errors/error-types.js';

/** One worker's share of a tree: shard `index` of `count` (0 ≤ index < count). */
export interface ShardSpec {
  /** Which shard this worker copies, from 0. */
  index: number;
  /** How many shards the tree is split into (the array job's size). */
  count: number;
}

/**
 * Array-job schedulers' variables holding a worker's index, tried in this order by `auto/N`:
 * Kubernetes Indexed Jobs, AWS Batch array jobs, Slurm job arrays.
 */
export const SHARD_INDEX_VARIABLES = [
  'JOB_COMPLETION_INDEX',
  'AWS_BATCH_JOB_ARRAY_INDEX',
  'SLURM_ARRAY_TASK_ID',
] as const;

/** Most shards a tree can be split into (a bound, not a recommendation). */
export const MAX_SHARDS = 1_000_000;

/**
 * The shard a relative key belongs to among `count`: the first 8 bytes of the SHA-256 of its UTF-8
 * bytes, read as a big-endian unsigned 64-bit integer, modulo `count`. SHA-256 is the same on every
 * Node version and machine, so workers started anywhere agree on the split without talking to each
 * other, and its output is uniform enough that shards are balanced by object count.
 */
export function shardOfKey(relativeKey: string, count: number): number {
  const digest = createHash('sha256').update(relativeKey, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count));
}

/** Whether `relativeKey` is in `shard`; every key is in exactly one shard of a count. */
export function inShard(relativeKey: string, shard: ShardSpec): boolean {
  return shard.count === 1 || shardOfKey(relativeKey, shard.count) === shard.index;
}

/** Refuse a shard that cannot be (a count under 1, an index outside 0..count-1, non-integers). */
export function checkShard(shard: ShardSpec): ShardSpec {
  const { index, count } = shard;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SHARDS) {
    throw new InvalidArgumentError(`Shard count ${count} is not a whole number from 1 to ${MAX_SHARDS}`);
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new InvalidArgumentError(
      `Shard index ${index} is outside 0..${count - 1} (shard I of N counts from 0, so I < N)`,
      { hint: 'An array job of N workers has indexes 0 to N-1; give it --shard I/N with the same N.' },
    );
  }
  return { index, count };
}

const WHOLE = /^(0|[1-9]\d*)$/;

/**
 * Parse `I/N` (shard I of N) or `auto/N`, where I comes from the first of
 * {@link SHARD_INDEX_VARIABLES} set in `env`: the one syntax of the CLI's `--shard` and of
 * library callers that take a shard from their own configuration.
 */
export function parseShard(text: string, env: Record<string, string | undefined> = process.env): ShardSpec {
  const parts = text.trim().split('/');
  const [indexText, countText] = parts;
  if (parts.length !== 2 || indexText === undefined || countText === undefined || !WHOLE.test(countText)) {
    throw new InvalidArgumentError(`Shard "${text}" is not I/N or auto/N (e.g. 3/8, auto/8)`, {
      hint: 'I counts from 0 and N is the number of workers: --shard 0/4 … --shard 3/4.',
    });
  }
  const count = Number(countText);
  if (indexText === 'auto') {
    const variable = SHARD_INDEX_VARIABLES.find((name) => (env[name] ?? '').trim() !== '');
    if (variable === undefined) {
      throw new InvalidArgumentError(
        `Shard "${text}" takes its index from the environment, but none of ${SHARD_INDEX_VARIABLES.join(', ')} is set`,
        {
          hint: 'Run it as an indexed array job (Kubernetes Indexed Job, AWS Batch, Slurm) or give --shard I/N.',
        },
      );
    }
    const value = (env[variable] ?? '').trim();
    if (!WHOLE.test(value)) {
      throw new InvalidArgumentError(`${variable}="${value}" is not a shard index (a whole number from 0)`, {
        uri: variable,
      });
    }
    return checkShard({ index: Number(value), count });
  }
  if (!WHOLE.test(indexText)) {
    throw new InvalidArgumentError(`Shard "${text}" is not I/N or auto/N (e.g. 3/8, auto/8)`, {
      hint: 'I counts from 0 and N is the number of workers: --shard 0/4 … --shard 3/4.',
    });
  }
  return checkShard({ index: Number(indexText), count });
}
