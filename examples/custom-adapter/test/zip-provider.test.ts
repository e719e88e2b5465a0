import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUri } from '@stowage/core';
import { describeProviderConformance } from '@stowage/testing';
import { strToU8, zipSync } from 'fflate';
import { ZipProvider } from '../src/zip-provider.js';

// A read-only provider gets the behaviours that need no writes (missing keys, empty listings,
// refusals of what it cannot do); the rest are skipped by capability, with the reason shown.
describeProviderConformance('zip (read-only)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stowage-zip-conformance-'));
  const path = join(dir, 'empty.zip');
  await writeFile(path, zipSync({ 'elsewhere/x.txt': strToU8('x') }));
  const provider = new ZipProvider();
  await provider.mount('archive', path);
  return { provider, base: parseUri('zip://archive/fixture/') };
});
