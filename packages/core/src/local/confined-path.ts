import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PermissionDeniedError } from '../errors/error-types.js';

/**
 * The real path of `path` as far as it exists, with the missing rest appended: what a `mkdir -p`
 * followed by a write would end up at. A component that is a file stops the resolution there (the
 * write then fails on its own, with the file/directory clash named).
 */
async function resolveExisting(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await resolveExisting(parent), basename(path));
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The first symbolic link on the way from `root` down to `dir`, for the error message. */
async function firstLinkBelow(root: string, dir: string): Promise<string | undefined> {
  const parts = relative(root, dir).split(sep).filter(Boolean);
  let at = root;
  for (const part of parts) {
    at = join(at, part);
    const info = await lstat(at).catch(() => undefined);
    if (!info) return undefined;
    if (info.isSymbolicLink()) return at;
  }
  return undefined;
}

/**
 * Refuse to write into `dir` when it resolves, through a symbolic link below `root`, to a place
 * outside `root`'s real path. Links above and at `root` are followed (the caller chose that path);
 * a link found inside the tree (`dest/sub → ../outside`) must not carry a key out of it.
 * Checked before the write; Node has no `openat`/`O_RESOLVE_BENEATH`, so a link swapped in by a
 * concurrent process between this check and the write is not caught.
 * @throws PermissionDeniedError naming the link and where it leads.
 */
export async function assertDirectoryWithin(dir: string, root: string, label: string): Promise<void> {
  // The root itself is followed wherever it leads: a file directly in it needs no check (and a flat
  // tree of small files spares two realpath calls per file, each a readlink per path component).
  if (resolve(dir) === resolve(root)) return;
  const [realRoot, realDir] = await Promise.all([
    resolveExisting(resolve(root)),
    resolveExisting(resolve(dir)),
  ]);
  if (isInside(realRoot, realDir)) return;
  const link = await firstLinkBelow(resolve(root), resolve(dir));
  const through = link
    ? `${link} is a symbolic link to ${await readlink(link).catch(() => '?')}`
    : `its directory resolves to ${realDir}`;
  throw new PermissionDeniedError(`Refusing to write ${label}: ${through}, outside the destination ${root}`, {
    uri: label,
    hint: 'Stowage never follows a link out of a tree destination; remove the link or copy to its target directly.',
  });
}
