import { homedir as osHomedir } from 'node:os';
import { join } from 'node:path';

/** Where to look for home and environment; injected so tests never touch the real home directory. */
export interface DirContext {
  /** Environment to read (`STOWAGE_CATALOG_DIR`, `XDG_DATA_HOME`, `LOCALAPPDATA`). Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Home directory. Default `os.homedir()`. */
  homedir?: string;
  /** Platform whose directory layout to use. Default `process.platform`. */
  platform?: NodeJS.Platform;
}

function base(context: DirContext): {
  env: Record<string, string | undefined>;
  home: string;
  platform: string;
} {
  return {
    env: context.env ?? process.env,
    home: context.homedir ?? osHomedir(),
    platform: context.platform ?? process.platform,
  };
}

/** The per-user data directory of the platform (XDG on Linux), as platformdirs computes it. */
function userDataDir(context: DirContext): string {
  const { env, home, platform } = base(context);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  if (platform === 'win32') return env.LOCALAPPDATA || join(home, 'AppData', 'Local');
  return env.XDG_DATA_HOME || join(home, '.local', 'share');
}

/**
 * Stowage's own catalog directory: `$STOWAGE_CATALOG_DIR`, else `<user data dir>/stowage/catalog`
 * (Linux `~/.local/share/stowage/catalog`). Separate from quilt3's so neither tool rewrites the
 * other's login or resets the other's config.
 */
export function stowageCatalogDir(context: DirContext = {}): string {
  const { env } = base(context);
  if (env.STOWAGE_CATALOG_DIR) return env.STOWAGE_CATALOG_DIR;
  return join(userDataDir(context), 'stowage', 'catalog');
}

/**
 * quilt3's `BASE_PATH` (`platformdirs.user_data_dir("Quilt", "QuiltData")`): Linux
 * `~/.local/share/Quilt`, macOS `~/Library/Application Support/Quilt`, Windows
 * `%LOCALAPPDATA%\QuiltData\Quilt`. Read only, and only when asked (`importQuilt3Login`).
 */
export function quilt3DataDir(context: DirContext = {}): string {
  const { platform } = base(context);
  if (platform === 'win32') return join(userDataDir(context), 'QuiltData', 'Quilt');
  return join(userDataDir(context), 'Quilt');
}
