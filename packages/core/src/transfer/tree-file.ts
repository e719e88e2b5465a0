import { isTooManyOpenFiles } from '../local/fs-error.js';
import type { Entry } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';
import type { CopyInternals } from './copy-object.js';
import type { CopyResult } from './copy-options.js';
import type { FilePressure } from './copy-tree.js';
import type { TransferContext } from './transfer.js';
import { failureOf } from './transfer-events.js';

/** Runs of one file after EMFILE, each under a lower pool, before the file fails for good. */
const MAX_RERUNS = 8;

/** One file of a tree, as its own transfer runs it. */
export interface TreeFile {
  /** The source object. */
  source: StorageUri;
  /** Where it goes; throws when the key cannot go there (`..`, a file/directory clash). */
  destinationOf: () => StorageUri;
  /** The destination prefix, for events about a file that has no destination. */
  destinationPrefix: StorageUri;
  /** Its listing entry: the stat the copy starts from. */
  entry: Extract<Entry, { type: 'object' }>;
  /** The tree's answer to running out of file descriptors. */
  pressure: FilePressure;
}

/**
 * The body of one tree file's transfer: resolve its destination (a refusal fails this file alone,
 * with `queued` and `failed` events) and copy it; when the process runs out of file descriptors,
 * lower the tree's pool and run the file again instead of failing it, up to {@link MAX_RERUNS}.
 */
export async function copyTreeFile(
  file: TreeFile,
  context: TransferContext,
  copy: (destination: StorageUri, internals: CopyInternals) => Promise<CopyResult>,
): Promise<CopyResult> {
  let to: StorageUri;
  try {
    to = file.destinationOf();
  } catch (refused) {
    context.emit({
      type: 'queued',
      source: displayUri(file.source),
      destination: `${displayUri(file.destinationPrefix)}…`,
    });
    context.emit({ type: 'failed', error: failureOf(refused) });
    throw refused;
  }
  const { entry, pressure } = file;
  for (let reruns = 0; ; reruns++) {
    // Decided once per run, so the copy's `failed` event and this loop agree.
    let rerun = false;
    try {
      return await copy(to, {
        sourceStat: {
          uri: file.source,
          size: entry.size,
          ...(entry.etag ? { etag: entry.etag } : {}),
          ...(entry.lastModified ? { lastModified: entry.lastModified } : {}),
        },
        onTooManyOpenFiles: () => void pressure.tooManyOpenFiles(),
        willRetry: (error) => {
          rerun = isTooManyOpenFiles(error) && reruns < MAX_RERUNS;
          if (rerun) pressure.tooManyOpenFiles();
          return rerun;
        },
      });
    } catch (error) {
      if (!rerun || context.signal.aborted) throw error;
      await pressure.requeue();
    }
  }
}
