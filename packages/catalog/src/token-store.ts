import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidConfigError, registerSecret } from '@stowage/core';
import { fileError } from './file-errors.js';
import { type FileLockOptions, withFileLock } from './file-lock.js';
import { removeFile, writeFileAtomic } from './private-file.js';

/** A registry login: the long-lived refresh token and the short-lived access token. */
export interface TokenSet {
  /** Exchanged for a new token set when the access token nears expiry; rotated by each refresh. */
  refreshToken: string;
  /** Bearer token for registry calls. */
  accessToken: string;
  /** When the access token expires, in epoch seconds (as the registry sends `expires_at`). */
  expiresAt: number;
  /**
   * When this process received the token set, in epoch seconds (stored as `issued_at`; absent in
   * logins written by quilt3). With `expiresAt` it gives the token's lifetime.
   */
  issuedAt?: number;
}

/** The on-disk shape: quilt3's `auth.json` entry plus the registry it belongs to. */
interface StoredTokens {
  registryUrl: string;
  catalogUrl?: string;
  refresh_token: string;
  access_token: string;
  expires_at: number;
  issued_at?: number;
}

/** Check a token answer or a stored entry; `undefined` when a field is missing or mistyped. */
export function toTokenSet(value: Record<string, unknown>): TokenSet | undefined {
  const { refresh_token, access_token, expires_at, issued_at } = value;
  if (typeof refresh_token !== 'string' || refresh_token.length === 0) return undefined;
  if (typeof access_token !== 'string' || access_token.length === 0) return undefined;
  const expires = typeof expires_at === 'string' ? Number(expires_at) : expires_at;
  if (typeof expires !== 'number' || !Number.isFinite(expires)) return undefined;
  // Every login passes through here (read from disk or just exchanged): from now on any message,
  // log or event that quotes either token prints it masked.
  registerSecret(refresh_token);
  registerSecret(access_token);
  const tokens: TokenSet = { refreshToken: refresh_token, accessToken: access_token, expiresAt: expires };
  if (typeof issued_at === 'number' && Number.isFinite(issued_at)) tokens.issuedAt = issued_at;
  return tokens;
}

/** What a login file is called in errors. */
const LOGIN_FILE = 'The catalog login file';

/**
 * Registry logins on disk, one file per registry URL (`auth/<host>-<hash>.json`), so several stacks
 * sit side by side and two processes logged in to different stacks never rewrite each other's file.
 * Every write is atomic and 0600 from creation. Processes sharing one login serialise their
 * read-exchange-write sequences with {@link TokenStore.locked}.
 */
export class TokenStore {
  /** The `auth` directory under the catalog directory, holding one file per registry. */
  readonly dir: string;

  constructor(catalogDir: string) {
    this.dir = join(catalogDir, 'auth');
  }

  /** The file holding the login for one registry. */
  pathFor(registryUrl: string): string {
    const host = new URL(registryUrl).host.replace(/[^A-Za-z0-9.-]/g, '_');
    const hash = createHash('sha256').update(registryUrl).digest('hex').slice(0, 12);
    return join(this.dir, `${host}-${hash}.json`);
  }

  /** The stored login for a registry, or `undefined` when there is none. */
  async read(registryUrl: string): Promise<TokenSet | undefined> {
    const path = this.pathFor(registryUrl);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fileError(error, path, LOGIN_FILE, 'read');
    }
    const broken = () =>
      new InvalidConfigError(`The login file ${path} for ${registryUrl} is damaged`, {
        uri: path,
        provider: 'catalog',
        hint: 'Run login() again; it rewrites the file.',
      });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw broken();
    }
    if (parsed === null || typeof parsed !== 'object') throw broken();
    const stored = parsed as Record<string, unknown>;
    if (stored.registryUrl !== registryUrl) return undefined;
    const tokens = toTokenSet(stored);
    if (!tokens) throw broken();
    return tokens;
  }

  /** Store (replace) the login for a registry, atomically, mode 0600. */
  async write(registryUrl: string, tokens: TokenSet, catalogUrl?: string): Promise<void> {
    const stored: StoredTokens = {
      registryUrl,
      ...(catalogUrl ? { catalogUrl } : {}),
      refresh_token: tokens.refreshToken,
      access_token: tokens.accessToken,
      expires_at: tokens.expiresAt,
      ...(tokens.issuedAt === undefined ? {} : { issued_at: tokens.issuedAt }),
    };
    const path = this.pathFor(registryUrl);
    try {
      await writeFileAtomic(path, `${JSON.stringify(stored, null, 2)}\n`);
    } catch (error) {
      throw fileError(error, path, LOGIN_FILE, 'write');
    }
  }

  /** Forget the login for a registry; false when there was none. */
  async remove(registryUrl: string): Promise<boolean> {
    const path = this.pathFor(registryUrl);
    try {
      return await removeFile(path);
    } catch (error) {
      throw fileError(error, path, LOGIN_FILE, 'write');
    }
  }

  /**
   * Run `work` holding the lock of one registry's login (`<login file>.lock`), so that processes
   * sharing the login read, exchange and write it one at a time: the registry rotates refresh
   * tokens, and a token presented twice is refused (and may end the login). A crashed holder
   * does not block the others (see `withFileLock`).
   */
  async locked<T>(registryUrl: string, work: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
    const path = `${this.pathFor(registryUrl)}.lock`;
    try {
      return await withFileLock(path, work, { what: `the login to ${registryUrl}`, ...options });
    } catch (error) {
      throw fileError(error, path, 'The catalog login lock', 'write');
    }
  }
}
