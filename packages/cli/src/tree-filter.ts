import picomatch from 'picomatch';

/**
 * `--include`/`--exclude` on keys relative to a tree's prefix, with the same rules as the library's
 * copyTree (picomatch, dotfiles matched, exclude wins), so `rm -r` and `sync --delete` select
 * exactly what `cp -r` would.
 */
export function treeFilter(
  include: readonly string[] = [],
  exclude: readonly string[] = [],
): (relativeKey: string) => boolean {
  const included = include.length > 0 ? picomatch([...include], { dot: true }) : () => true;
  const excluded = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false;
  return (relativeKey) => {
    const path = relativeKey.endsWith('/') ? relativeKey.slice(0, -1) : relativeKey;
    return included(path) && !excluded(path);
  };
}
