import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidConfigError } from '@stowage/core';
import { type CatalogConfig, parseStoredConfig } from './catalog-config.js';
import { fileError } from './file-errors.js';
import { type TokenSet, toTokenSet } from './token-store.js';

/** What an installed quilt3 has on disk for its current catalog. */
export interface Quilt3Login {
  /** quilt3's `config.yml`, read into Stowage's shape. */
  config: CatalogConfig;
  /** quilt3's `auth.json` entry for `config.registryUrl`, if it is logged in there. */
  tokens?: TokenSet;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(error, path, "quilt3's file", 'read');
  }
}

/**
 * Read quilt3's `config.yml` and its `auth.json` entry (keyed by registry URL) from quilt3's data
 * directory. Read only: quilt3 rewrites those files whole, so Stowage never writes them.
 * `credentials.json` is ignored on purpose: it is not keyed by registry and may belong to another stack.
 */
export async function readQuilt3Login(quilt3Dir: string): Promise<Quilt3Login | undefined> {
  const configPath = join(quilt3Dir, 'config.yml');
  const configText = await readOptional(configPath);
  if (configText === undefined) return undefined;
  const config = parseStoredConfig(configText, configPath);
  if (!config) return undefined;
  const authPath = join(quilt3Dir, 'auth.json');
  const authText = await readOptional(authPath);
  if (authText === undefined) return { config };
  let auth: unknown;
  try {
    auth = JSON.parse(authText);
  } catch {
    throw new InvalidConfigError(`quilt3's ${authPath} is not JSON`, {
      uri: authPath,
      provider: 'catalog',
      hint: 'Log in with login() instead of importing the quilt3 login.',
    });
  }
  const entry = (auth as Record<string, unknown> | null)?.[config.registryUrl];
  if (entry === null || typeof entry !== 'object') return { config };
  const tokens = toTokenSet(entry as Record<string, unknown>);
  return tokens ? { config, tokens } : { config };
}
