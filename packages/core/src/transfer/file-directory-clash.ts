import { InvalidArgumentError } from '../errors/error-types.js';
import type { Entry } from '../provider/provider.js';
import { displayUri, type StorageUri } from '../uri/storage-uri.js';

type ObjectEntry = Extract<Entry, { type: 'object' }>;

/**
 * The rule for a tree that has both a file `a` and keys under `a/` (an object store allows it, a
 * file system does not): the directory wins. Whatever the file concurrency, `a/…` are copied and
 * the file `a` fails on its own with an InvalidArgumentError naming both, instead of whichever
 * write reached the disk first deciding.
 *
 * It works on the listing stream, which is in key order: `a` comes before everything under `a/`,
 * with only keys like `a-b` or `a.txt` (bytes below `/`) in between. So a file is held back until
 * the listing has passed where its children would be; held files form a chain of prefixes
 * (`a`, `a-b`, …), bounded by the key length, so memory stays constant.
 */
export class FileDirectoryClashes {
  private readonly clashes = new WeakMap<ObjectEntry, string>();

  /** The entries of `listing`, each file yielded once it is known whether it clashes. */
  async *hold<E extends ObjectEntry>(listing: AsyncIterable<E>): AsyncIterable<E> {
    const held: E[] = [];
    for await (const entry of listing) {
      while (held.length > 0) {
        const top = held[held.length - 1]!;
        if (entry.key.startsWith(`${top.key}/`)) {
          this.clashes.set(top, displayUri(entry.uri));
          yield held.pop()!;
        } else if (entry.key.startsWith(top.key) && entry.key[top.key.length]! < '/') {
          break; // `a-b` after `a`: children of `a` may still follow.
        } else {
          yield held.pop()!;
        }
      }
      if (entry.key.endsWith('/')) yield entry;
      else held.push(entry);
    }
    while (held.length > 0) yield held.pop()!;
  }

  /**
   * Throw for a file that {@link hold} found keys under.
   * @throws InvalidArgumentError naming the file and the first key under it.
   */
  check(entry: ObjectEntry, destination: StorageUri): void {
    const child = this.clashes.get(entry);
    if (child === undefined) return;
    throw new InvalidArgumentError(
      `Cannot copy ${displayUri(entry.uri)} to ${displayUri(destination)}: the tree also has ${child}, so that name must be a directory there (the directory wins)`,
      {
        uri: displayUri(entry.uri),
        hint: 'A name cannot be both a file and a directory: rename one of them.',
      },
    );
  }
}
