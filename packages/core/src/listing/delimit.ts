import type { Entry } from '../provider/provider.js';
import type { StorageUri } from '../uri/storage-uri.js';
import { withKey } from '../uri/uri-path.js';
import { compareKeys } from './key-order.js';

/** An object as a backend lists it, before delimiting. */
export interface ListedObject {
  /** The full key. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** ETag, when the backend has one. */
  etag?: string;
  /** Last write time, when the backend has one. */
  lastModified?: Date;
}

/**
 * Turn a key-ordered stream of objects under `prefix` into S3-style entries: every object when
 * `recursive`, otherwise objects directly under the prefix plus one `prefix` entry per
 * "sub-directory". Keys sharing a sub-prefix are contiguous in key order, so one look-behind is enough
 * and memory stays constant.
 */
export async function* delimitListing(
  base: StorageUri,
  prefixKey: string,
  objects: AsyncIterable<ListedObject> | Iterable<ListedObject>,
  recursive: boolean,
  startAfter?: string,
): AsyncIterable<Entry> {
  let lastPrefix: string | undefined;
  // Entries at or before `startAfter` were listed before (see ListOptions.startAfter).
  const fresh = (key: string) => startAfter === undefined || compareKeys(key, startAfter) > 0;
  for await (const object of objects) {
    if (!object.key.startsWith(prefixKey)) continue;
    if (!recursive) {
      const slash = object.key.indexOf('/', prefixKey.length);
      if (slash !== -1) {
        const common = object.key.slice(0, slash + 1);
        if (common !== lastPrefix) {
          lastPrefix = common;
          if (fresh(common)) yield { type: 'prefix', key: common, uri: withKey(base, common) };
        }
        continue;
      }
    }
    if (!fresh(object.key)) continue;
    yield {
      type: 'object',
      key: object.key,
      uri: withKey(base, object.key),
      size: object.size,
      ...(object.etag === undefined ? {} : { etag: object.etag }),
      ...(object.lastModified === undefined ? {} : { lastModified: object.lastModified }),
    };
  }
}
