import type { DeleteOutcome } from '../provider/provider.js';
import type { StorageUri } from '../uri/storage-uri.js';
import type { CopyTreeOptions, CopyTreeResult } from './copy-options.js';
import { diffTrees, type TreeChange, type TreeSource } from './tree-diff.js';
import { treeFilter } from './tree-filter.js';

/** Options of `storage.syncTree` and `storage.planSync`. */
export interface SyncTreeOptions extends CopyTreeOptions {
  /**
   * Also delete destination objects the source lacks, among those the include/exclude filters
   * keep (what they leave out is protected). Never after a failed copy: the source may be what is
   * missing.
   */
  delete?: boolean;
  /** Told of each deletion's outcome, as it happens (a CLI prints a line per key). */
  onDelete?: (outcome: DeleteOutcome) => void;
}

/** What a sync did: the copy's counts, and the deletions. */
export interface SyncTreeResult extends CopyTreeResult {
  /** Destination objects deleted (with `delete`). */
  deleted: number;
  /** Deletions that failed (each told to `onDelete`; the sync rejects with the first). */
  deleteFailures: number;
}

/** What a sync needs of its storage. */
export interface SyncHost extends TreeSource {
  /** Delete many objects, batched where the backend batches. */
  deleteMany(
    uris: AsyncIterable<StorageUri>,
    options?: { signal?: AbortSignal },
  ): AsyncIterable<DeleteOutcome>;
}

/**
 * What a sync would do, from the two listings alone (merged in key order, constant memory): a
 * `copy` for each source object missing or different at the destination (size, ETag within one
 * provider, then age, as `aws s3 sync` decides), a `refuse` for a key the destination cannot hold,
 * and with `delete` a `delete` for each extraneous destination object the filters keep.
 */
export function planSync(
  host: TreeSource,
  source: StorageUri,
  destination: StorageUri,
  options: SyncTreeOptions = {},
): AsyncIterable<TreeChange> {
  return diffTrees(host, source, destination, {
    copies: true,
    deletes: options.delete === true,
    keep: treeFilter(options.include, options.exclude, options.shard),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * The deletions of a sync, after its copy succeeded: every extraneous destination object the
 * filters keep, in the provider's batches. Rejects with the first failed deletion at the end.
 */
export async function deleteExtraneous(
  host: SyncHost,
  source: StorageUri,
  destination: StorageUri,
  options: SyncTreeOptions,
): Promise<{ deleted: number; deleteFailures: number }> {
  const extraneous = diffTrees(host, source, destination, {
    copies: false,
    deletes: true,
    keep: treeFilter(options.include, options.exclude, options.shard),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  async function* uris(): AsyncIterable<StorageUri> {
    for await (const change of extraneous) if (change.action === 'delete') yield change.uri;
  }
  return deleteAll(host, uris(), options);
}

/**
 * Delete a stream of objects in the provider's batches, telling `onDelete` of each outcome as it
 * happens; counts both kinds and rejects with the first failure at the end (every key is tried).
 * The one consumer of `deleteMany` outcomes: sync's deletions and a CLI's `rm -r` both use it.
 */
export async function deleteAll(
  host: Pick<SyncHost, 'deleteMany'>,
  uris: AsyncIterable<StorageUri>,
  options: { signal?: AbortSignal; onDelete?: (outcome: DeleteOutcome) => void } = {},
): Promise<{ deleted: number; deleteFailures: number }> {
  let deleted = 0;
  let deleteFailures = 0;
  let first: Error | undefined;
  for await (const outcome of host.deleteMany(uris, options.signal ? { signal: options.signal } : {})) {
    options.onDelete?.(outcome);
    if (outcome.error) {
      deleteFailures++;
      first ??= outcome.error;
    } else deleted++;
  }
  if (first) throw first;
  return { deleted, deleteFailures };
}
