import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineProvider, parseUri } from '@stowage/core';
import { describeProviderConformance } from '@stowage/testing';
import { strToU8, zipSync } from 'fflate';
import { ZipProvider } from '../src/zip-provider.js';
import { RepackingZip } from './repacking-zip.js';

// As shipped: read-only. The suite runs what needs no seeding (missing keys, empty listings) and
// checks that write, delete, presign and multipart are refused; the rest is skipped by capability.
describeProviderConformance('zip (read-only)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stowage-zip-conformance-'));
  const path = join(dir, 'archive.zip');
  await writeFile(path, zipSync({ 'elsewhere/x.txt': strToU8('x') }));
  const provider = defineProvider(new ZipProvider());
  await provider.mount('archive', path);
  return {
    provider,
    base: parseUri('zip://archive/fixture/'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

// Every read behaviour, over real archives: the suite's writes are packed into a zip file that
// ZipProvider mounts before each stat, read and list (see repacking-zip.ts).
describeProviderConformance('zip (read paths, archives packed from the suite writes)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stowage-zip-conformance-'));
  return {
    provider: new RepackingZip(defineProvider(new ZipProvider()), 'archive', join(dir, 'archive.zip')),
    base: parseUri('zip://archive/fixture/'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
