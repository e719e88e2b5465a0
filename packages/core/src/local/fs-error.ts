import { lstat, stat } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import {
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  TransientError,
} from '../errors/error-types.js';
import { isStowageError } from '../errors/stowage-error.js';

/** What a file system call was doing when it failed, for {@link toFsError}. */
export interface FsErrorContext {
  /** Display form of the URI (or the path) the call was about. */
  uri: string;
  /** The local path involved. */
  path: string;
  /** Provider name for the error. */
  provider?: string;
  /**
   * The call created or replaced `path` (a write, a copy's destination, a directory marker): then
   * ENOTDIR, EISDIR, EEXIST and ENOTEMPTY mean a file and a directory clash on the path, not a
   * missing file.
   */
  writing?: boolean;
  /** `path` is a directory being created (a `dir/` marker), not a file. */
  directory?: boolean;
}

const FILE_TABLE_FULL = new Set(['EMFILE', 'ENFILE']);
const CLASH = new Set(['ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY']);

function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when `error` is the process (EMFILE) or the system (ENFILE) running out of file
 * descriptors, raw or as the TransientError {@link toFsError} makes of it: the caller should run
 * fewer files at once, not just wait.
 */
export function isTooManyOpenFiles(error: unknown): boolean {
  const code = errnoOf(error);
  if (code !== undefined && FILE_TABLE_FULL.has(code)) return true;
  const cause = isStowageError(error) ? (error as Error).cause : undefined;
  const causeCode = errnoOf(cause);
  return causeCode !== undefined && FILE_TABLE_FULL.has(causeCode);
}

/** The longest component of `path` in UTF-8 bytes. */
function longestComponent(path: string): { name: string; bytes: number } {
  let longest = { name: '', bytes: 0 };
  for (const name of path.split(sep)) {
    const bytes = Buffer.byteLength(name);
    if (bytes > longest.bytes) longest = { name, bytes };
  }
  return longest;
}

/** What stands in the way of creating `path`: a directory at it, or a file where a directory must be. */
async function clashAt(path: string, directory: boolean): Promise<string | undefined> {
  const target = path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
  const here = await stat(target).catch(() => undefined);
  if (here?.isDirectory() && !directory) return `${target} is a directory`;
  if (here && !here.isDirectory() && directory) return `${target} is a file, not a directory`;
  for (let at = dirname(target); at !== dirname(at); at = dirname(at)) {
    const info = await lstat(at).catch(() => undefined);
    if (!info) continue;
    if (info.isDirectory()) return undefined;
    const followed = info.isSymbolicLink() ? await stat(at).catch(() => undefined) : info;
    if (followed?.isDirectory()) return undefined;
    return `${at} is a file, not a directory`;
  }
  return undefined;
}

/**
 * The typed error for a failed file system call: NotFound, PermissionDenied, InvalidArgument (a
 * name too long; a file and a directory on one path), Transient (out of file descriptors,
 * retryable). Anything else, and any StowageError, is returned as it is.
 *
 * A file/directory clash is InvalidArgument, not NotFound: nothing is missing, the key simply
 * cannot be stored on a file system that already has (or is asked for) the other kind at that
 * name, and trying again will not help until one of them is renamed.
 */
export async function toFsError(error: unknown, context: FsErrorContext): Promise<unknown> {
  if (isStowageError(error)) return error;
  const code = errnoOf(error);
  const { uri, path } = context;
  const options = { uri, cause: error, ...(context.provider ? { provider: context.provider } : {}) };
  if (code === 'ENAMETOOLONG') {
    const longest = longestComponent(path);
    const detail =
      longest.bytes > 255
        ? `a name of ${longest.bytes} bytes ("${longest.name.slice(0, 40)}…") is longer than the file system allows (255 bytes, NAME_MAX, on most)`
        : `the path of ${Buffer.byteLength(path)} bytes is longer than the system allows (4096 bytes, PATH_MAX, on Linux)`;
    return new InvalidArgumentError(`File name too long: ${uri}: ${detail}`, {
      ...options,
      hint: 'Use shorter names: each path component must fit the file system limit.',
    });
  }
  if (code !== undefined && FILE_TABLE_FULL.has(code)) {
    return new TransientError(
      `${code}: too many open files (${code === 'EMFILE' ? 'this process' : 'the whole system'}) at ${uri}`,
      {
        ...options,
        hint: 'Copy fewer files at once (lower the concurrency), or raise the open-file limit (ulimit -n).',
      },
    );
  }
  if (context.writing && code !== undefined && CLASH.has(code)) {
    const clash = await clashAt(path, context.directory ?? false);
    if (clash || code !== 'EEXIST') {
      return new InvalidArgumentError(
        `Cannot ${context.directory ? 'create the directory' : 'write'} ${uri}: ${clash ?? 'a file and a directory clash on its path'}`,
        { ...options, hint: 'A name cannot be both a file and a directory: rename or remove one of them.' },
      );
    }
  }
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')
    return new NotFoundError(`No such file: ${uri}`, options);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new PermissionDeniedError(
      `${code === 'EROFS' ? 'Read-only file system' : 'Permission denied'}: ${uri}`,
      {
        ...options,
        hint:
          code === 'EROFS'
            ? 'The file system is mounted read-only: choose another destination.'
            : `Check the permissions of ${path} and of the directories above it (ls -ld), for the user this runs as.`,
      },
    );
  return error;
}
