import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quilt3DataDir, stowageCatalogDir } from '@stowage/catalog';
import { type LocalCatalog, startCatalogServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCatalog } from './support/catalog-fixture.js';

let local: LocalCatalog;
beforeAll(async () => {
  local = await startCatalogServer();
});
afterAll(async () => {
  await local.stop();
});

describe('where state lives', () => {
  it('uses a Stowage directory, not quilt3’s, on every platform', () => {
    const home = '/home/u';
    expect(stowageCatalogDir({ env: {}, homedir: home, platform: 'linux' })).toBe(
      '/home/u/.local/share/stowage/catalog',
    );
    expect(stowageCatalogDir({ env: { XDG_DATA_HOME: '/x' }, homedir: home, platform: 'linux' })).toBe(
      '/x/stowage/catalog',
    );
    expect(stowageCatalogDir({ env: { STOWAGE_CATALOG_DIR: '/d' }, homedir: home })).toBe('/d');
    expect(stowageCatalogDir({ env: {}, homedir: home, platform: 'darwin' })).toBe(
      '/home/u/Library/Application Support/stowage/catalog',
    );
    expect(quilt3DataDir({ env: {}, homedir: home, platform: 'linux' })).toBe('/home/u/.local/share/Quilt');
    expect(quilt3DataDir({ env: {}, homedir: home, platform: 'darwin' })).toBe(
      '/home/u/Library/Application Support/Quilt',
    );
    expect(quilt3DataDir({ env: { LOCALAPPDATA: 'C:/L' }, homedir: home, platform: 'win32' })).toMatch(
      /^C:\/L[\\/]QuiltData[\\/]Quilt$/,
    );
  });

  it('the default directory follows the injected home and environment', async () => {
    const dir = await tempDir();
    try {
      const catalog = testCatalog(undefined as unknown as string, {
        dir: undefined,
        homedir: dir.path,
        env: {},
      });
      expect(catalog.dir).toBe(join(dir.path, '.local', 'share', 'stowage', 'catalog'));
    } finally {
      await dir.cleanup();
    }
  });
});

describe('importing a quilt3 login (opt-in)', () => {
  it('reads quilt3’s config.yml and its auth.json entry, and never writes quilt3’s files', async () => {
    const dir = await tempDir();
    try {
      // Log in once to get real tokens, and lay them out as quilt3 would.
      const source = testCatalog(join(dir.path, 'source'));
      await source.config(local.catalogUrl);
      await source.loginWithToken(local.issueCode());
      const tokens = JSON.parse(await readFile(source.tokenFile(local.registryUrl), 'utf8'));
      const quilt3 = join(dir.path, 'home', '.local', 'share', 'Quilt');
      await mkdir(quilt3, { recursive: true });
      const configYml = `navigator_url: ${local.catalogUrl}\nregistryUrl: ${local.registryUrl}\nregion: us-east-1\ntelemetry_disabled: false\n`;
      const authJson = JSON.stringify({
        [local.registryUrl]: {
          refresh_token: tokens.refresh_token,
          access_token: tokens.access_token,
          expires_at: tokens.expires_at,
        },
        'https://other-registry.example.com': { refresh_token: 'x', access_token: 'y', expires_at: 1 },
      });
      await writeFile(join(quilt3, 'config.yml'), configYml);
      await writeFile(join(quilt3, 'auth.json'), authJson);

      const catalog = testCatalog(join(dir.path, 'stowage'), { homedir: join(dir.path, 'home') });
      expect(await catalog.loggedIn()).toBeNull();
      const imported = await catalog.importQuilt3Login();
      expect(imported).toMatchObject({ catalogUrl: local.catalogUrl, registryUrl: local.registryUrl });
      expect(await catalog.loggedIn()).toBe(local.catalogUrl);
      expect((await catalog.whoami()).name).toBe('alice');
      expect(await readFile(join(quilt3, 'config.yml'), 'utf8')).toBe(configYml);
      expect(await readFile(join(quilt3, 'auth.json'), 'utf8')).toBe(authJson);
    } finally {
      await dir.cleanup();
    }
  });

  it('returns null when quilt3 has no login', async () => {
    const dir = await tempDir();
    try {
      const catalog = testCatalog(join(dir.path, 'stowage'), { homedir: dir.path });
      expect(await catalog.importQuilt3Login()).toBeNull();
    } finally {
      await dir.cleanup();
    }
  });
});

/** A catalog logged in with a code, whose access tokens the registry then expires early. */
async function loggedInThenExpired(path: string) {
  const catalog = testCatalog(path);
  await catalog.config(local.catalogUrl);
  await catalog.loginWithToken(local.issueCode());
  local.expireAccessTokens();
  return catalog;
}

describe('refresh under concurrency', () => {
  it('many calls answered 401 at once share one refresh', async () => {
    const dir = await tempDir();
    try {
      // The registry expired the token early: every call gets a 401, and all of them must share one
      // refresh (a second refresh would also revoke the rotated refresh token the first one stored).
      const catalog = await loggedInThenExpired(dir.path);
      const before = local.count('/api/token');
      const names = await Promise.all(Array.from({ length: 8 }, () => catalog.whoami()));
      expect(names.every((n) => n.name === 'alice')).toBe(true);
      expect(local.count('/api/token') - before).toBe(1);
    } finally {
      await dir.cleanup();
    }
  });

  it('two catalogs sharing one login dir refresh once between them and never present a rotated refresh token', async () => {
    const dir = await tempDir();
    try {
      // Two Catalog instances share nothing in memory, as two processes would not. Both find the
      // access token refused; without the login lock both would exchange the same refresh token,
      // and the registry (which rotates it) would refuse the second one.
      const first = await loggedInThenExpired(dir.path);
      const second = testCatalog(dir.path);
      local.faults.latencyMs = 200;
      const before = local.count('/api/token');
      const refused = () => local.requests.filter((r) => r.path === '/api/token' && r.status !== 200).length;
      const refusedBefore = refused();
      const names = await Promise.all([first.whoami(), second.whoami(), first.whoami(), second.whoami()]);
      expect(names.map((n) => n.name)).toEqual(['alice', 'alice', 'alice', 'alice']);
      expect(local.count('/api/token') - before).toBe(1);
      expect(refused() - refusedBefore).toBe(0);
    } finally {
      local.faults.latencyMs = undefined;
      await dir.cleanup();
    }
  });

  it('a refresh run again after a failed one (a transfer retry) re-reads the login: a rotation stored meanwhile is used, not exchanged again', async () => {
    const dir = await tempDir();
    try {
      const first = await loggedInThenExpired(dir.path);
      const second = testCatalog(dir.path);
      local.faults.token = 'status-500';
      const failed = await first.whoami().catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: 'Transient', retryable: true });
      local.faults.token = undefined;
      const exchanges = local.count('/api/token');
      const refused = local.requests.filter((r) => r.path === '/api/token' && r.status === 401).length;
      expect((await second.whoami()).name).toBe('alice'); // the other process refreshes meanwhile
      expect((await first.whoami()).name).toBe('alice'); // the retry
      expect(local.count('/api/token') - exchanges).toBe(1);
      expect(local.requests.filter((r) => r.path === '/api/token' && r.status === 401).length).toBe(refused);
    } finally {
      local.faults.token = undefined;
      await dir.cleanup();
    }
  });

  it('a caller that gives up during the shared refresh does not cancel it for the others', async () => {
    const dir = await tempDir();
    try {
      const catalog = await loggedInThenExpired(dir.path);
      local.faults.latencyMs = 300;
      const before = local.count('/api/token');
      const impatient = new AbortController();
      const first = catalog.whoami(impatient.signal).catch((e: unknown) => e);
      const others = Array.from({ length: 3 }, () => catalog.whoami());
      // Give up once the refresh is under way (the registry has the /api/token request).
      const deadline = Date.now() + 10_000;
      while (local.count('/api/token') === before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      impatient.abort();
      expect(await first).toMatchObject({ code: 'Aborted' });
      const names = await Promise.all(others);
      expect(names.every((n) => n.name === 'alice')).toBe(true);
      expect(local.count('/api/token') - before).toBe(1);
    } finally {
      local.faults.latencyMs = undefined;
      await dir.cleanup();
    }
  });
});
