import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isStowageError, type StowageError } from '@stowage/core';
import { type CatalogFaults, type LocalCatalog, startCatalogServer } from '@stowage/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCatalog } from './support/catalog-fixture.js';

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

async function freshCatalog() {
  const dir = await tempDir();
  cleanups.push(dir.cleanup);
  return testCatalog(dir.path);
}

async function loggedInCatalog() {
  const catalog = await freshCatalog();
  await catalog.config(local.catalogUrl);
  await catalog.loginWithToken(local.issueCode());
  const file = catalog.tokenFile(local.registryUrl);
  const stored = await readFile(file, 'utf8');
  const { refresh_token, access_token } = JSON.parse(stored);
  return { catalog, file, stored, secrets: [refresh_token as string, access_token as string] };
}

/** The error, checked to be a StowageError of `code` naming the catalog, with a hint and no secret. */
async function typedFailure(
  promise: Promise<unknown>,
  code: string,
  secrets: string[] = [],
  mention: string = local.catalogUrl,
): Promise<StowageError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(isStowageError(error), String(error)).toBe(true);
  const typed = error as StowageError;
  expect(typed.code, typed.message).toBe(code);
  expect(typed.message).toContain(mention);
  expect(typed.hint).toBeTruthy();
  const everything = [typed.message, typed.hint, JSON.stringify(typed), inspect(typed, { depth: 5 })].join(
    '\n',
  );
  for (const secret of secrets) expect(everything).not.toContain(secret);
  return typed;
}

describe('catalog URL and config.json', () => {
  it('a catalog URL without scheme is an InvalidArgument naming it', async () => {
    const catalog = await freshCatalog();
    const error = await typedFailure(
      catalog.config('catalog.example.com'),
      'InvalidArgument',
      [],
      'catalog.example.com',
    );
    expect(error.message).toMatch(/no scheme/);
  });

  it('an unreachable catalog is a retryable Transient error naming it', async () => {
    const catalog = await freshCatalog();
    const dead = await startCatalogServer();
    const url = dead.catalogUrl;
    await dead.stop();
    const error = await typedFailure(catalog.config(url), 'Transient', [], url);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it.each([
    ['not-json', 'InvalidConfig', /not JSON/],
    ['html', 'InvalidConfig', /HTML page/],
    ['missing-registry', 'InvalidConfig', /without "registryUrl"/],
    ['status-500', 'Transient', /HTTP 500/],
  ] as const)('config.json answering %s is %s', async (fault, code, text) => {
    const catalog = await freshCatalog();
    local.faults.configJson = fault;
    const error = await typedFailure(catalog.config(local.catalogUrl), code);
    expect(error.message).toMatch(text);
    expect(await catalog.config()).toBeNull();
  });
});

describe('files in the way and bad stored configuration', () => {
  it('a 404 for config.json says the URL is not a catalog web address (e.g. the registry URL was given)', async () => {
    const catalog = await freshCatalog();
    const error = await typedFailure(catalog.config(local.registryUrl), 'NotFound', [], local.registryUrl);
    expect(error.message).toMatch(/config\.json.*HTTP 404/);
    expect(error.hint).toMatch(/not the web address of a Quilt catalog/);
    expect(error.hint).not.toMatch(/registry has no such endpoint/);
  });

  it('a login file that is a directory is InvalidConfig naming it, not an untyped EISDIR', async () => {
    const { catalog, file } = await loggedInCatalog();
    await rm(file);
    await mkdir(file);
    for (const call of [catalog.loggedIn(), catalog.whoami(), catalog.loginWithToken(local.issueCode())]) {
      const error = await typedFailure(call, 'InvalidConfig', [], file);
      expect(error.message).toMatch(/is a directory, not a file/);
    }
  });

  it('a file where the login directory should be is InvalidConfig too', async () => {
    const catalog = await freshCatalog();
    await catalog.config(local.catalogUrl);
    await writeFile(join(catalog.dir, 'auth'), 'not a directory');
    const file = catalog.tokenFile(local.registryUrl);
    expect((await typedFailure(catalog.loggedIn(), 'InvalidConfig', [], file)).message).toMatch(
      /a part of its path is a file/,
    );
    await typedFailure(catalog.loginWithToken(local.issueCode()), 'InvalidConfig', [], file);
  });

  it('a config.yml that is a directory, or holds a bad registryUrl or region, is InvalidConfig naming it', async () => {
    const catalog = await freshCatalog();
    const path = join(catalog.dir, 'config.yml');
    await mkdir(path, { recursive: true });
    expect((await typedFailure(catalog.config(), 'InvalidConfig', [], path)).message).toMatch(/directory/);
    await rm(path, { recursive: true });
    await writeFile(path, 'navigator_url: https://catalog.example.com\nregistryUrl: registry.example.com\n');
    const url = await typedFailure(catalog.loggedIn(), 'InvalidConfig', [], path);
    expect(url.message).toMatch(/registryUrl .* has no scheme/);
    await writeFile(path, `registryUrl: ${local.registryUrl}\nregion: "eu-west-1/../x"\n`);
    expect((await typedFailure(catalog.config(), 'InvalidConfig', [], path)).message).toMatch(
      /not a region name/,
    );
  });
});

describe('token endpoint', () => {
  it.each([
    ['error-200', 'AuthenticationRequired', /Code expired or already used/],
    ['status-500', 'Transient', /HTTP 500/],
    ['status-401', 'AuthenticationRequired', /HTTP 401/],
    ['html', 'InvalidConfig', /HTML page/],
    ['not-json', 'InvalidConfig', /JSON that is not an object/],
    ['missing-fields', 'InvalidConfig', /without refresh_token, expires_at/],
  ] as const)('answering %s is %s and leaves the previous login intact', async (fault, code, text) => {
    const { catalog, file, stored, secrets } = await loggedInCatalog();
    const newCode = local.issueCode();
    local.faults.token = fault;
    const error = await typedFailure(catalog.loginWithToken(newCode), code, [...secrets, newCode]);
    expect(error.message).toMatch(text);
    expect(await readFile(file, 'utf8')).toBe(stored);
    local.faults.token = undefined;
    expect(await catalog.loggedIn()).toBe(local.catalogUrl);
    expect((await catalog.whoami()).name).toBe('alice');
  });

  it('a used code is refused and the previous login stays', async () => {
    const { catalog, file, stored, secrets } = await loggedInCatalog();
    const code = local.issueCode();
    const other = await freshCatalog();
    await other.config(local.catalogUrl);
    await other.loginWithToken(code);
    await typedFailure(catalog.loginWithToken(code), 'AuthenticationRequired', [...secrets, code]);
    expect(await readFile(file, 'utf8')).toBe(stored);
  });

  it('revoked refresh tokens make the next call an AuthenticationRequired "run login again"', async () => {
    const { catalog, secrets } = await loggedInCatalog();
    local.faults.revokedRefreshTokens = true;
    local.expireAccessTokens();
    const error = await typedFailure(catalog.whoami(), 'AuthenticationRequired', secrets);
    expect(error.message).toMatch(/Failed to refresh the access token/);
    expect(error.hint).toMatch(/login\(\)/);
  });

  it('access tokens that arrive already expired are refreshed before the next call', async () => {
    const catalog = await freshCatalog();
    await catalog.config(local.catalogUrl);
    local.faults.expiredAccessTokens = true;
    await catalog.loginWithToken(local.issueCode());
    const before = local.count('/api/token');
    expect((await catalog.whoami()).name).toBe('alice');
    expect(local.count('/api/token')).toBe(before + 1);
  });

  it('calls before config or login say what to run', async () => {
    const catalog = await freshCatalog();
    const noConfig = (await catalog.loginWithToken('x').catch((e: unknown) => e)) as StowageError;
    expect(noConfig.code).toBe('InvalidConfig');
    expect(noConfig.hint).toMatch(/config\(/);
    await catalog.config(local.catalogUrl);
    await typedFailure(catalog.whoami(), 'AuthenticationRequired');
    const badKey = await typedFailure(catalog.loginWithApiKey('secret-without-prefix'), 'InvalidArgument', [
      'secret-without-prefix',
    ]);
    expect(badKey.message).toMatch(/qk_/);
  });
});

describe('credentials endpoint', () => {
  it.each([
    ['missing-fields', 'InvalidConfig', /without SecretAccessKey/],
    ['expired', 'InvalidConfig', /already expired/],
    ['html', 'InvalidConfig', /HTML page/],
    ['not-json', 'InvalidConfig', /not JSON/],
    ['error-200', 'InvalidConfig', /Role not assumable/],
    ['status-500', 'Transient', /HTTP 500/],
  ] as const)('answering %s is %s with no secret in it', async (fault, code, text) => {
    const { catalog, secrets } = await loggedInCatalog();
    local.faults.credentials = fault;
    const error = await typedFailure(catalog.credentials().resolve({}), code, secrets);
    expect(error.message).toMatch(text);
    expect(error.hint).toMatch(/login|again/);
  });

  it('a 401 from get_credentials refreshes once and retries', async () => {
    const { catalog } = await loggedInCatalog();
    local.faults.unauthorizedCalls = 1;
    const credentials = await catalog.credentials().resolve({});
    expect(credentials?.accessKeyId).toBe(local.issuedAccessKeyIds.at(-1));
  });

  it('two 401s in a row are AuthenticationRequired', async () => {
    const { catalog, secrets } = await loggedInCatalog();
    local.faults.unauthorizedCalls = 2;
    await typedFailure(catalog.credentials().resolve({}), 'AuthenticationRequired', secrets);
  });
});
