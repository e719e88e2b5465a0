import {
  compareKeys,
  displayUri,
  type Entry,
  joinUri,
  looksSame,
  type ObjectStat,
  type Storage,
  type StorageUri,
} from '@stowage/core';

type ObjectEntry = Extract<Entry, { type: 'object' }>;

/** One difference between two trees, as `sync` acts on it. */
export type TreeChange =
  | { action: 'copy'; source: string; destination: string; bytes: number; reason: 'missing' | 'different' }
  | { action: 'delete'; uri: StorageUri };

/** What to compute: copies, deletions of extraneous destination objects, or both. */
export interface DiffOptions {
  copies: boolean;
  deletes: boolean;
  keep: (relativeKey: string) => boolean;
  signal?: AbortSignal;
}

async function* objects(
  storage: Storage,
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
  storage: Storage,
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
      if (options.copies)
        yield {
          action: 'copy',
          source: displayUri(entry.uri),
          destination: displayUri(joinUri(destination, relative)),
          bytes: entry.size,
          reason: 'missing',
        };
      a = await src.next();
    } else if (order > 0 && !b.done) {
      if (options.deletes) yield { action: 'delete', uri: b.value[1].uri };
      b = await dst.next();
    } else if (!a.done && !b.done) {
      const [relative, entry] = a.value;
      if (options.copies && !looksSame(asStat(entry), asStat(b.value[1]), sameProvider))
        yield {
          action: 'copy',
          source: displayUri(entry.uri),
          destination: displayUri(joinUri(destination, relative)),
          bytes: entry.size,
          reason: 'different',
        };
      a = await src.next();
      b = await dst.next();
    }
  }
}
