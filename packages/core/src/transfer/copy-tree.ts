import { toAbortedError } from '../errors/abort.js';
import { InvalidArgumentError } from '../errors/error-types.js';
import type { StowageError } from '../errors/stowage-error.js';
import type { Entry, Provider } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';
import { asPrefix, isWithin, joinUri, relativeKey, withKey } from '../uri/uri-path.js';
import type { CopyResult, CopyTreeOptions, CopyTreeResult } from './copy-options.js';
import { FileDirectoryClashes } from './file-directory-clash.js';
import { FileSlots } from './file-slots.js';
import type { ManifestEntry } from './manifest.js';
import { checkShard } from './shard.js';
import type { TransferContext } from './transfer.js';
import { failureOf } from './transfer-events.js';
import { selectTree } from './tree-filter.js';
import { runPool } from './worker-pool.js';

/** Both ends of a tree copy. */
export interface TreeEnds {
  /** The prefix to copy from (treated as ending in `/`). */
  source: StorageUri;
  /** The prefix to copy to; it must not overlap the source. */
  destination: StorageUri;
  /** Serves the source's scheme; it lists the tree. */
  sourceProvider: Provider;
  /** Serves the destination's scheme; it receives directory markers. */
  destinationProvider: Provider;
  /** The tree's objects from a manifest: when given, the source is not listed. */
  manifest?: AsyncIterable<ManifestEntry>;
}

/**
 * A listed object, or a part of the source that could not be read (`refused`), which fails on its
 * own. `rel` is its key relative to the source prefix, set where the entry is made.
 */
type TreeEntry = Extract<Entry, { type: 'object' }> & { refused?: StowageError; rel: string };

/**
 * Copies one file of the tree; the storage runs it as a child transfer with its own events. The
 * destination comes as a function because it can be refused (a source key such as `..` that would
 * escape the destination): that refusal must fail this file, in its own events, and not the tree.
 */
export type FileCopier = (
  source: StorageUri,
  destination: () => StorageUri,
  entry: Extract<Entry, { type: 'object' }>,
  pressure: FilePressure,
) => Promise<CopyResult>;

/** What a file's copier may do when the process runs out of file descriptors (EMFILE). */
export interface FilePressure {
  /** Report it: the tree lowers its file concurrency (false when it is down to one file already). */
  tooManyOpenFiles(): boolean;
  /** Give this file's slot back and wait for one under the lowered limit, to run the file again. */
  requeue(): Promise<void>;
}

/**
 * Runs after a `dir/` marker was recreated at the destination, with the source marker's URI:
 * moveTree deletes it there, as its {@link FileCopier} deletes each copied file's source.
 */
export type MarkerCopied = (source: StorageUri) => Promise<void>;

/** True for `dir/` marker objects, which stand for directories (not objects to copy or fail on). */
export function isDirectoryMarker(entry: Entry): boolean {
  return entry.type === 'object' && entry.key.endsWith('/');
}

/**
 * Copy every object under a prefix, keeping relative keys. The listing is consumed as a stream,
 * files run through a bounded pool, and only counters are kept, so memory does not grow with the
 * number of files. One failed file (a read error, a key the destination cannot hold) does not stop
 * the others; the tree rejects at the end with the first failure, its `treeResult` attached. A dry
 * run resolves, with the entries that would fail counted in its result.
 */
export async function copyTree(
  ends: TreeEnds,
  options: CopyTreeOptions,
  context: TransferContext,
  copyFile: FileCopier,
  defaultConcurrency: number,
  markerCopied?: MarkerCopied,
): Promise<CopyTreeResult> {
  const started = Date.now();
  const srcPrefix = asPrefix(ends.source);
  const dstPrefix = asPrefix(ends.destination);
  if (isWithin(srcPrefix, dstPrefix) || isWithin(dstPrefix, srcPrefix)) {
    throw new InvalidArgumentError(
      `Destination ${displayUri(dstPrefix)} overlaps the source ${displayUri(srcPrefix)}; a tree cannot be copied into itself`,
      {
        uri: displayUri(dstPrefix),
      },
    );
  }
  const shard = options.shard ? checkShard(options.shard) : undefined;
  const selection = selectTree(options.include, options.exclude, shard);

  const result: CopyTreeResult = {
    files: 0,
    skipped: 0,
    failed: 0,
    bytes: 0,
    failures: [],
    dryRun: options.dryRun ?? false,
    durationMs: 0,
    ...(shard ? { shard } : {}),
  };
  if (options.dryRun) result.planned = [];
  let queued = 0;
  let listingComplete = false;
  let firstError: unknown;
  const report = () =>
    context.emit({
      type: 'tree-progress',
      filesQueued: queued,
      filesDone: result.files,
      filesSkipped: result.skipped,
      filesFailed: result.failed,
      bytesDone: result.bytes,
      listingComplete,
    });

  // Parts of the source that cannot be read (an unreadable sub-directory) come back from the
  // listing as entries that fail on their own, in order, instead of ending the listing.
  const unreadable: TreeEntry[] = [];
  const onUnreadable = (part: StorageUri, error: StowageError) =>
    unreadable.push({
      type: 'object',
      key: part.key,
      uri: part,
      size: 0,
      refused: error,
      rel: relativeKey(srcPrefix, part),
    });
  const wanted = (entry: TreeEntry) => {
    // An unreadable directory counts unless the filters leave out what it holds.
    if (entry.refused && entry.rel.endsWith('/')) return selection.keepsDirectory(entry.rel);
    return selection.keeps(entry.rel);
  };

  // The tree's objects: listed, or read from a manifest (whose keys are checked here: one outside
  // the source prefix fails on its own; a `..` in its relative key is refused by joinUri below).
  async function* source(): AsyncIterable<Entry> {
    if (!ends.manifest) {
      yield* ends.sourceProvider.list(srcPrefix, { recursive: true, signal: context.signal, onUnreadable });
      return;
    }
    for await (const item of ends.manifest) {
      const entry = {
        type: 'object' as const,
        key: item.key,
        uri: withKey(srcPrefix, item.key),
        size: item.size,
        ...(item.etag !== undefined ? { etag: item.etag } : {}),
        ...(item.lastModified ? { lastModified: item.lastModified } : {}),
      };
      if (item.key.startsWith(srcPrefix.key)) yield entry;
      else
        unreadable.push({
          ...entry,
          rel: item.key,
          refused: new InvalidArgumentError(
            `Manifest key "${item.key}" is not under the source ${displayUri(srcPrefix)}`,
            {
              uri: displayUri(srcPrefix),
              hint: 'Write the manifest from the same source prefix the copy reads.',
            },
          ),
        });
    }
  }

  async function* selected(): AsyncIterable<TreeEntry> {
    for await (const listed of source()) {
      if (listed.type !== 'object') continue;
      const entry: TreeEntry = { ...listed, rel: relativeKey(srcPrefix, listed.uri) };
      while (unreadable.length > 0) {
        const refused = unreadable.shift()!;
        if (wanted(refused)) {
          queued++;
          yield refused;
        }
      }
      if (!wanted(entry)) continue;
      queued++;
      yield entry;
    }
    for (const refused of unreadable.splice(0)) {
      if (!wanted(refused)) continue;
      queued++;
      yield refused;
    }
    listingComplete = true;
  }

  // A file system cannot hold a file `a` and a file `a/b`: the directory wins, whatever the order.
  const clashes = ends.destination.scheme === 'file' ? new FileDirectoryClashes() : undefined;
  const lanes = options.fileConcurrency ?? defaultConcurrency;
  const slots = new FileSlots(lanes, (from, to) =>
    context.emit({
      type: 'warning',
      code: 'file-concurrency-lowered',
      message: `Out of file descriptors (EMFILE): ${to} files at a time instead of ${from}; raise ulimit -n or lower fileConcurrency`,
    }),
  );
  const pressure: FilePressure = {
    tooManyOpenFiles: () => slots.lower(),
    requeue: async () => {
      slots.release();
      await slots.acquire();
    },
  };
  const copyEntry = async (entry: TreeEntry): Promise<void> => {
    const { rel } = entry;
    // Where the entry goes, or why it cannot go there (a key like `..`, a file whose name the
    // tree also uses as a directory): resolved inside the file's own transfer, so that a refusal
    // fails that file alone, with its events, and a dry run predicts it.
    const target = () => {
      if (entry.refused !== undefined) throw entry.refused;
      const to = joinUri(dstPrefix, rel);
      clashes?.check(entry, to);
      return to;
    };
    try {
      if (options.dryRun) {
        const planned = target();
        if (result.planned!.length < 10_000)
          result.planned!.push({
            source: displayUri(entry.uri),
            destination: displayUri(planned),
            bytes: entry.size,
          });
        result.files++;
        result.bytes += entry.size;
      } else if (isDirectoryMarker(entry) && entry.refused === undefined) {
        // A directory marker: recreate the directory, never treat it as a file with a name ending in '/'.
        await ends.destinationProvider.write(target(), new Uint8Array(), {
          signal: context.signal,
          within: dstPrefix,
        });
        // Only once the marker exists at the destination may a move drop it at the source; a
        // failed write or delete lands in the catch below and counts the marker as failed.
        // Markers are never skipped by the overwrite policy, so no 'exists' case keeps one.
        await markerCopied?.(entry.uri);
        result.files++;
      } else {
        const copied = await copyFile(entry.uri, target, entry, pressure);
        if (copied.skipped) result.skipped++;
        else result.files++;
        result.bytes += copied.bytes;
      }
    } catch (error) {
      if (context.signal.aborted)
        throw toAbortedError(context.signal.reason, `copy of ${displayUri(srcPrefix)}`);
      result.failed++;
      firstError ??= error;
      if (result.failures.length < 100) {
        const { code, message } = failureOf(error);
        result.failures.push({ source: displayUri(entry.uri), code, message });
      }
    }
    report();
  };

  await runPool(
    clashes ? clashes.hold(selected()) : selected(),
    lanes,
    async (entry) => {
      await slots.acquire();
      try {
        await copyEntry(entry);
      } finally {
        slots.release();
      }
    },
    context.signal,
  );

  if (context.signal.aborted) throw toAbortedError(context.signal.reason, `copy of ${displayUri(srcPrefix)}`);
  listingComplete = true;
  report();
  result.durationMs = Date.now() - started;
  // A dry run is a plan: entries that would fail are in its result, not a reason to reject it.
  if (firstError !== undefined && !options.dryRun) {
    const error = firstError as Error & { treeResult?: CopyTreeResult };
    error.treeResult = result;
    throw error;
  }
  return result;
}
