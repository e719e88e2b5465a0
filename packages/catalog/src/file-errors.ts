import { InvalidConfigError, PermissionDeniedError } from '@stowage/core';

/**
 * A file-system failure on one of the catalog's own files (`config.yml`, a login file, its lock) as
 * a typed error naming the file and what to do: a directory or a loop where the file should be is
 * `InvalidConfig`, a permission or read-only problem is `PermissionDenied`. Anything else (EMFILE,
 * ENOMEM, …) is not about the file and is returned unchanged.
 */
export function fileError(error: unknown, path: string, what: string, action: 'read' | 'write'): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const options = { uri: path, provider: 'catalog', cause: error };
  const moveAway = `Move ${path} (or what is in its way) aside; it is written again by config() or login().`;
  switch (code) {
    case 'EISDIR':
      return new InvalidConfigError(`${what} ${path} is a directory, not a file`, {
        ...options,
        hint: moveAway,
      });
    case 'ENOTDIR':
    case 'EEXIST': // mkdir of its directory found a file there
      return new InvalidConfigError(`${what} ${path} cannot be used: a part of its path is a file`, {
        ...options,
        hint: moveAway,
      });
    case 'ELOOP':
      return new InvalidConfigError(`${what} ${path} is a symbolic link loop`, {
        ...options,
        hint: moveAway,
      });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new PermissionDeniedError(
        `Cannot ${action} ${what} ${path}: ${code === 'EROFS' ? 'the file system is read-only' : 'permission denied'}`,
        {
          ...options,
          hint: 'Check the owner and mode of the file and its directory, or point STOWAGE_CATALOG_DIR (the dir option) elsewhere.',
        },
      );
    default:
      return error;
  }
}
