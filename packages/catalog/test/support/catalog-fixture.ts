import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalog, type CatalogOptions } from '@stowage/catalog';

/** A temp directory removed by `cleanup()`. */
export async function tempDir(
  prefix = 'stowage-catalog-',
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/**
 * What a user does in the browser: open `{registryUrl}/login`, follow it to the catalog's code page,
 * copy the code. Gives login() an `openBrowser` and a `prompt` that do that.
 */
export function fakeBrowser(): {
  opened: string[];
  openBrowser: (url: string) => void;
  prompt: (message: string) => Promise<string>;
} {
  const opened: string[] = [];
  return {
    opened,
    openBrowser: (url) => {
      opened.push(url);
    },
    prompt: async () => {
      const url = opened.at(-1);
      if (!url) throw new Error('login() did not open the login URL');
      const page = await (await fetch(url)).text();
      const match = /<pre id="code">([^<]+)<\/pre>/.exec(page);
      if (!match) throw new Error('no code on the page');
      return match[1]!;
    },
  };
}

/** A Catalog in its own temp dir, no browser, quiet, no retries (tests stay fast). */
export function testCatalog(dir: string, options: CatalogOptions = {}): Catalog {
  return new Catalog({
    dir,
    env: {},
    openBrowser: false,
    print: () => undefined,
    http: { retries: 0, timeoutMs: 5_000 },
    ...options,
  });
}
