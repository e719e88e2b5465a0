import picomatch from 'picomatch';
import { inShard, type ShardSpec } from './shard.js';

/** Glob patterns: one, or several. */
export type Globs = string | readonly string[] | undefined;

function list(patterns: Globs): string[] {
  if (patterns === undefined) return [];
  return typeof patterns === 'string' ? [patterns] : [...patterns];
}

/** A compiled include/exclude selection of a tree's relative keys. */
export interface TreeSelection {
  /** Whether an object with this relative key is part of the tree operation. */
  keeps(relativeKey: string): boolean;
  /** Whether a directory (relative key ending in `/`) counts: unless the filters leave out what it holds. */
  keepsDirectory(relativeKey: string): boolean;
}

/**
 * The one include/exclude rule of every tree operation (copyTree, moveTree, syncTree's copies and
 * deletions, and `rm -r` in the CLI), on keys relative to the tree's prefix: picomatch globs,
 * dotfiles matched, exclude wins, a trailing `/` ignored. With `shard`, only the keys whose hash
 * falls in that shard (`shardOfKey`) are kept as well, so N workers each given one shard
 * split the tree between them, every key in exactly one.
 */
export function selectTree(include: Globs, exclude: Globs, shard?: ShardSpec): TreeSelection {
  const includes = list(include);
  const excludes = list(exclude);
  const included = includes.length > 0 ? picomatch(includes, { dot: true }) : () => true;
  const excluded = excludes.length > 0 ? picomatch(excludes, { dot: true }) : () => false;
  const bare = (key: string) => (key.endsWith('/') ? key.slice(0, -1) : key);
  // An unreadable directory is reported by the one shard its own relative key falls in.
  const ours = shard && shard.count > 1 ? (key: string) => inShard(key, shard) : () => true;
  return {
    keeps: (key) => included(bare(key)) && !excluded(bare(key)) && ours(key),
    keepsDirectory: (key) => !excluded(bare(key)) && !excluded(`${bare(key)}/_`) && ours(key),
  };
}

/** {@link selectTree}'s `keeps`, as a predicate. */
export function treeFilter(
  include: Globs,
  exclude: Globs,
  shard?: ShardSpec,
): (relativeKey: string) => boolean {
  return selectTree(include, exclude, shard).keeps;
}
