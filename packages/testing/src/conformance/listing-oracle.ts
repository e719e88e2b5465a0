import { compareKeys } from '@stowage/core';

/**
 * What an S3 listing of `keys` under `prefix` must return, computed the obvious way (sort everything,
 * then group at the first `/` after the prefix): the reference the providers' streaming listings are
 * checked against. Lines are `object:key` and `prefix:key/`, keys relative to the fixture base.
 */
export function expectedListing(keys: readonly string[], prefix: string, recursive: boolean): string[] {
  const lines: string[] = [];
  let lastPrefix: string | undefined;
  for (const key of [...keys].filter((k) => k.startsWith(prefix)).sort(compareKeys)) {
    const slash = recursive ? -1 : key.indexOf('/', prefix.length);
    if (slash === -1) {
      lines.push(`object:${key}`);
      continue;
    }
    const common = key.slice(0, slash + 1);
    if (common !== lastPrefix) lines.push(`prefix:${common}`);
    lastPrefix = common;
  }
  return lines;
}

/**
 * The keys of the big listing: top-level objects, two levels of sub-directories, and neighbours of a
 * directory name that sort around its `/` (`dir-1-extra/` 0x2d, `dir-1.txt` 0x2e, `dir-1/` 0x2f).
 */
export function bigListingKeys(count: number): string[] {
  const keys = ['dir-1-extra/x', 'dir-1.txt'];
  for (let i = keys.length; i < count; i++) {
    const id = String(i).padStart(5, '0');
    if (i % 5 === 0) keys.push(`top-${id}.dat`);
    else if (i % 3 === 0) keys.push(`dir-${i % 7}/nested-${i % 4}/obj-${id}`);
    else keys.push(`dir-${i % 7}/obj-${id}`);
  }
  return keys;
}

/** Run `task` over `items` with at most `concurrency` in flight (seeding thousands of keys). */
export async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
