import { readFile, stat, writeFile } from 'node:fs/promises';
import { type CatalogFaults, type LocalCatalog, startCatalogServer } from '@stowage/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeBrowser, tempDir, testCatalog } from './support/catalog-fixture.js';

let local: LocalCatalog;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  local = await startCatalogServer();
});
afterAll(async () => {
  await local.stop();
});
afterEach(async () => {
  for (const key of Object.keys(local.faults)) delete local.faults[key as keyof CatalogFaults];
  while (cleanups.length) await cleanups.pop()!();
});

async function freshCatalog(options = {}) {
  const dir = await tempDir();
  cleanups.push(dir.cleanup);
  return { catalog: testCatalog(dir.path, options), dir: dir.path };
}

describe('config', () => {
  it('reads config.json, keeps the registry (another host) and stores it as YAML', async () => {
    const { catalog } = await freshCatalog();
    expect(await catalog.config()).toBeNull();
    const config = await catalog.config(`${local.catalogUrl}/`);
    expect(config).toMatchObject({
      navigator_url: local.catalogUrl,
      registryUrl: local.registryUrl,
      region: 'us-east-1',
      s3Proxy: `${local.catalogUrl}/proxy`,
      apiGatewayEndpoint: `${local.catalogUrl}/lambda`,
    });
    expect(config!.registryUrl).not.toBe(config!.navigator_url);
    const yaml = await readFile(`${catalog.dir}/config.yml`, 'utf8');
    expect(yaml).toContain(`registryUrl: ${local.registryUrl}`);
    expect(await catalog.config()).toEqual(config);
    expect(await catalog.loggedIn()).toBeNull();
  });

  it("config('') forgets the catalog", async () => {
    const { catalog } = await freshCatalog();
    await catalog.config(local.catalogUrl);
    expect(await catalog.config('')).toBeNull();
    expect(await catalog.config()).toBeNull();
  });
});

describe('login', () => {
  it('prints and opens {registryUrl}/login, reads the code through the prompt, stores the login', async () => {
    const browser = fakeBrowser();
    const printed: string[] = [];
    const { catalog } = await freshCatalog({ print: (line: string) => printed.push(line) });
    await catalog.config(local.catalogUrl);
    const result = await catalog.login({ openBrowser: browser.openBrowser, prompt: browser.prompt });
    expect(browser.opened).toEqual([`${local.registryUrl}/login`]);
    expect(printed.join('\n')).toContain(`${local.registryUrl}/login`);
    expect(result).toMatchObject({
      catalogUrl: local.catalogUrl,
      registryUrl: local.registryUrl,
      method: 'code',
    });
    expect(JSON.stringify(result)).not.toMatch(/refresh-|access-/);
    expect(await catalog.loggedIn()).toBe(local.catalogUrl);
    expect(await catalog.whoami()).toEqual({
      catalogUrl: local.catalogUrl,
      name: 'alice',
      email: 'alice@example.com',
      isAdmin: false,
      isActive: true,
    });
    // The token exchange was form-encoded, as the registry expects.
    const exchange = local.requests.find((r) => r.path === '/api/token');
    expect(exchange?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it('loginWithToken stores a rotated refresh token on every refresh', async () => {
    const { catalog } = await freshCatalog();
    await catalog.config(local.catalogUrl);
    await catalog.loginWithToken(local.issueCode());
    const file = catalog.tokenFile(local.registryUrl);
    const first = JSON.parse(await readFile(file, 'utf8'));
    local.expireAccessTokens();
    // The stored token says it is still valid, so the first call gets a 401, refreshes once and retries.
    expect((await catalog.whoami()).name).toBe('alice');
    const second = JSON.parse(await readFile(file, 'utf8'));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(local.isRefreshTokenLive(first.refresh_token)).toBe(false);
    expect(local.isRefreshTokenLive(second.refresh_token)).toBe(true);
  });

  it('refreshes lazily before a call when the access token is near expiry', async () => {
    // A 300 s skew and 400 s tokens: a token is due once it has less than 200 s left (half its
    // lifetime caps the skew), so a fresh one is used as it is and one with 150 s left is refreshed.
    const { catalog } = await freshCatalog({ refreshSkewSeconds: 300 });
    await catalog.config(local.catalogUrl);
    local.ttl.accessTokenSeconds = 400;
    try {
      await catalog.loginWithToken(local.issueCode());
      const before = local.count('/api/token');
      const statusesBefore = local.requests.filter((r) => r.status === 401).length;
      await catalog.whoami();
      expect(local.count('/api/token') - before).toBe(0);
      local.ttl.accessTokenSeconds = 150;
      await catalog.loginWithToken(local.issueCode());
      const file = catalog.tokenFile(local.registryUrl);
      const stored = JSON.parse(await readFile(file, 'utf8'));
      // As if issued 250 s ago with 400 s to live.
      await writeFile(file, JSON.stringify({ ...stored, issued_at: stored.expires_at - 400 }));
      const again = local.count('/api/token');
      await catalog.whoami();
      await catalog.whoami();
      expect(local.count('/api/token') - again).toBe(1);
      expect(local.requests.filter((r) => r.status === 401).length).toBe(statusesBefore);
    } finally {
      local.ttl.accessTokenSeconds = 3600;
    }
  });

  it('a token living less than twice the skew is not refreshed on every call', async () => {
    const { catalog } = await freshCatalog();
    await catalog.config(local.catalogUrl);
    local.ttl.accessTokenSeconds = 30; // under the 60 s skew
    try {
      await catalog.loginWithToken(local.issueCode());
      const before = local.count('/api/token');
      await catalog.whoami();
      await catalog.whoami();
      expect(local.count('/api/token') - before).toBe(0);
    } finally {
      local.ttl.accessTokenSeconds = 3600;
    }
  });

  it('a second process that rotated the refresh token is picked up instead of failing', async () => {
    const { catalog, dir } = await freshCatalog();
    await catalog.config(local.catalogUrl);
    await catalog.loginWithToken(local.issueCode());
    const other = testCatalog(dir);
    local.expireAccessTokens();
    await other.whoami(); // rotates and stores
    local.expireAccessTokens();
    expect((await catalog.whoami()).name).toBe('alice');
  });

  it('loginWithApiKey keeps the key in memory only and uses it as the bearer', async () => {
    const { catalog } = await freshCatalog();
    await catalog.config(local.catalogUrl);
    const key = local.createApiKey('bot');
    await catalog.loginWithApiKey(key);
    expect(await catalog.loggedIn()).toBe(local.catalogUrl);
    expect((await catalog.whoami()).name).toBe('bot');
    await expect(stat(catalog.tokenFile(local.registryUrl))).rejects.toThrow(/ENOENT/);
    const creds = await catalog.credentials().resolve({});
    expect(creds?.kind).toBe('aws');
    const out = await catalog.logout();
    expect(out).toMatchObject({ wasLoggedIn: true, revoked: false });
    expect(await catalog.loggedIn()).toBeNull();
  });

  it('logout with an API key set also revokes and removes a stored code login (quilt3 clears both)', async () => {
    const { catalog } = await freshCatalog();
    await catalog.config(local.catalogUrl);
    await catalog.loginWithToken(local.issueCode());
    const stored = JSON.parse(await readFile(catalog.tokenFile(local.registryUrl), 'utf8'));
    await catalog.loginWithApiKey(local.createApiKey('bot'));
    expect((await catalog.whoami()).name).toBe('bot');
    const out = await catalog.logout();
    expect(out).toMatchObject({ wasLoggedIn: true, revoked: true, detail: expect.stringMatching(/API key/) });
    expect(await catalog.loggedIn()).toBeNull();
    expect(local.isRefreshTokenLive(stored.refresh_token)).toBe(false);
    await expect(stat(catalog.tokenFile(local.registryUrl))).rejects.toThrow(/ENOENT/);
    expect(await catalog.logout()).toMatchObject({ wasLoggedIn: false });
  });

  it('logout revokes at the registry, then clears the local login', async () => {
    const { catalog } = await freshCatalog();
    await catalog.config(local.catalogUrl);
    await catalog.loginWithToken(local.issueCode());
    const stored = JSON.parse(await readFile(catalog.tokenFile(local.registryUrl), 'utf8'));
    const result = await catalog.logout();
    expect(result).toEqual({ catalogUrl: local.catalogUrl, wasLoggedIn: true, revoked: true });
    expect(local.isRefreshTokenLive(stored.refresh_token)).toBe(false);
    expect(await catalog.loggedIn()).toBeNull();
    await expect(stat(catalog.tokenFile(local.registryUrl))).rejects.toThrow(/ENOENT/);
    expect(await catalog.logout()).toMatchObject({ wasLoggedIn: false, revoked: false });
  });

  it('logout still clears the local login when the registry cannot revoke', async () => {
    const { catalog } = await freshCatalog();
    await catalog.config(local.catalogUrl);
    await catalog.loginWithToken(local.issueCode());
    local.faults.unauthorizedCalls = 2;
    const result = await catalog.logout();
    expect(result.revoked).toBe(false);
    expect(result.detail).toMatch(/401/);
    expect(await catalog.loggedIn()).toBeNull();
  });

  it('several registries keep separate login files side by side', async () => {
    const second = await startCatalogServer({ user: { name: 'bob' } });
    cleanups.push(() => second.stop());
    const { catalog } = await freshCatalog();
    await catalog.config(local.catalogUrl);
    await catalog.loginWithToken(local.issueCode());
    await catalog.config(second.catalogUrl);
    expect(await catalog.loggedIn()).toBeNull();
    await catalog.loginWithToken(second.issueCode());
    expect((await catalog.whoami()).name).toBe('bob');
    expect(catalog.tokenFile(local.registryUrl)).not.toBe(catalog.tokenFile(second.registryUrl));
    await catalog.config(local.catalogUrl);
    expect(await catalog.loggedIn()).toBe(local.catalogUrl);
    expect((await catalog.whoami()).name).toBe('alice');
  });
});
