import { compareKeys } from '../listing/key-order.js';
import type { Entry, ListOptions, ObjectStat, Provider } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';
import { joinUri } from '../uri/uri-path.js';
import { looksSame } from './overwrite-policy.js';
import { failureOf } from './transfer-events.js';

/** What a tree diff needs of a storage: listings, and which provider serves a URI. */
export interface TreeSource {
  /** Entries under a prefix, in key order. */
  list(prefix: StorageUri, options?: ListOptions): AsyncIterable<Entry>;
  /** The provider serving a URI (two trees on one provider compare ETags). */
  providerFor(uri: StorageUri): Provider;
}

type ObjectEntry = Extract<Entry, { type: 'object' }>;

/** One difference between two trees, as `sync` acts on it. */
export type TreeChange =
  | {
      /** Copy a source object to the destination. */
      action: 'copy';
      /** Printable source URI (secrets masked). */
      source: string;
      /** Printable destination URI (secrets masked). */
      destination: string;
      /** Size of the source object in bytes. */
      bytes: number;
      /** `missing` at the destination, or there but `different` (size, ETag or age). */
      reason: 'missing' | 'different';
    }
  | {
      /** Delete an extraneous destination object (absent from the source). */
      action: 'delete';
      /** The destination object to delete. */
      uri: StorageUri;
    }
  | {
      /** A source object that cannot be placed at the destination (a key such as `..`). */
      action: 'refuse';
      /** Printable source URI (secrets masked). */
      source: string;
      /** The error's code (`InvalidUri`). */
      code: string;
      /** Why, scrubbed. */
      message: string;
    };

/** The copy of `entry` to `relative` under `destination`, or its refusal when the key cannot go there. */
function copyChange(
  entry: ObjectEntry,
  destination: StorageUri,
  relative: string,
  reason: 'missing' | 'different',
): TreeChange {
  try {
    return {
      action: 'copy',
      source: displayUri(entry.uri),
      destination: displayUri(joinUri(destination, relative)),
      bytes: entry.size,
      reason,
    };
  } catch (error) {
    const { code, message } = failureOf(error);
    return { action: 'refuse', source: displayUri(entry.uri), code, message };
  }
}

/** What to compute: copies, deletions of extraneous destination objects, or both. */
export interface DiffOptions {
  /** Yield `copy` changes for missing or different source objects. */
  copies: boolean;
  /** Yield `delete` changes for destination objects absent from the source. */
  deletes: boolean;
  /** Filter on keys relative to each tree's prefix (`--include`/`--exclude`); both sides are filtered. */
  keep: (relativeKey: string) => boolean;
  /** Aborts both listings. */
  signal?: AbortSignal;
}

async function* objects(
  storage: TreeSource,
  prefix: StorageUri,
  keep: (relativeKey: string) => boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<[string, ObjectEntry]> {
  for await (const entry of storage.list(prefix, { recursive: true, ...(signal ? { signal } : {}) })) {
    if (entry.type !== 'object') continue;
    const relative = entry.key.slice(prefix.key.length);
    if (keep(relative)) yield [relative, entry];
  }
}

const asStat = (entry: ObjectEntry): ObjectStat => ({
  uri: entry.uri,
  size: entry.size,
  ...(entry.etag !== undefined ? { etag: entry.etag } : {}),
  ...(entry.lastModified ? { lastModified: entry.lastModified } : {}),
});

/**
 * Compare two trees by merging their listings, which both come in S3 key order: memory stays
 * constant however many objects there are. A destination object absent from the source is
 * extraneous; a source object missing or different (size, ETag within one provider, then age,
 * as `aws s3 sync` decides) is to copy.
 */
export async function* diffTrees(
  storage: TreeSource,
  source: StorageUri,
  destination: StorageUri,
  options: DiffOptions,
): AsyncIterable<TreeChange> {
  const sameProvider = storage.providerFor(source) === storage.providerFor(destination);
  const src = objects(storage, source, options.keep, options.signal);
  const dst = objects(storage, destination, options.keep, options.signal);
  let a = await src.next();
  let b = await dst.next();
  while (!a.done || !b.done) {
    const order = a.done ? 1 : b.done ? -1 : compareKeys(a.value[0], b.value[0]);
    if (order < 0 && !a.done) {
      const [relative, entry] = a.value;
      if (options.copies) yield copyChange(entry, destination, relative, 'missing');
      a = await src.next();
    } else if (order > 0 && !b.done) {
      if (options.deletes) yield { action: 'delete', uri: b.value[1].uri };
      b = await dst.next();
    } else if (!a.done && !b.done) {
      const [relative, entry] = a.value;
      if (options.copies && !looksSame(asStat(entry), asStat(b.value[1]), sameProvider))
        yield copyChange(entry, destination, relative, 'different');
      a = await src.next();
      b = await dst.next();
    }
  }
}
