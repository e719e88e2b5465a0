import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsProvider, parseUri } from '@stowage/core';
import { describeProviderConformance } from '../src/conformance/index.js';

describeProviderConformance(
  'fs',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stowage-conformance-'));
    return {
      provider: new FsProvider(),
      base: parseUri(`${dir}/`),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
  // A file system collapses `a//b`, a path ending in `/` is a directory, and `x` cannot be a file and a directory.
  { preservesEmptySegments: false, trailingSlashObjects: false, keyAndPrefixCoexist: false },
);
