import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactSecrets, StowageError } from '@stowage/core';
import { type LocalCatalog, startCatalogServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeBrowser, tempDir, testCatalog } from './support/catalog-fixture.js';

// Registry tokens, one-time codes and API keys are known secrets once the catalog has them: any
// text that quotes them later (a registry error, a log line, an event) prints them masked, even
// where no `token=` name stands beside the value.
let local: LocalCatalog;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  local = await startCatalogServer();
  dir = await tempDir();
});
afterAll(async () => {
  await local?.stop();
  await dir?.cleanup();
});

describe('catalog secrets are masked wherever they are quoted', () => {
  it('the stored login tokens and the one-time code', async () => {
    const catalog = testCatalog(dir.path);
    await catalog.config(local.catalogUrl);
    const browser = fakeBrowser();
    await catalog.login({ openBrowser: browser.openBrowser, prompt: browser.prompt });
    const authDir = join(catalog.dir, 'auth');
    const [file] = (await readdir(authDir)).filter((name) => name.endsWith('.json'));
    const stored = JSON.parse(await readFile(join(authDir, file!), 'utf8')) as Record<string, string>;
    const quoted = `registry said: refresh ${stored.refresh_token} and access ${stored.access_token} are odd`;
    const scrubbed = redactSecrets(quoted);
    expect(scrubbed).not.toContain(stored.refresh_token);
    expect(scrubbed).not.toContain(stored.access_token);
    const error = new StowageError('Transient', `bad answer quoting ${stored.access_token}`);
    expect(JSON.stringify(error)).not.toContain(stored.access_token);
  });

  it('an API key', async () => {
    const catalog = testCatalog(dir.path);
    await catalog.config(local.catalogUrl);
    const key = 'qk_Zx81mQ0pLr7TnV2wYc5s';
    await catalog.loginWithApiKey(key);
    expect(redactSecrets(`the key ${key} was refused`)).not.toContain(key);
  });
});
