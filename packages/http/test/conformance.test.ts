import { randomBytes } from 'node:crypto';
import { parseUri } from '@stowage/core';
import { describeProviderConformance, type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterAll, beforeAll } from 'vitest';
import { HttpProvider } from '../src/index.js';

// One local server serves every behaviour; each behaviour gets its own empty directory under it.
let server: HttpTestServer;
beforeAll(async () => {
  server = await startHttpServer({ writable: true, autoindex: 'json', digests: ['repr-digest'] });
});
afterAll(async () => server.close());

describeProviderConformance(
  'http (PUT, DELETE and JSON autoindex enabled)',
  () => {
    const provider = new HttpProvider({
      allowWrite: true,
      allowDelete: true,
      listing: 'autoindex-json',
    });
    return {
      provider,
      base: parseUri(`${server.baseUrl}/${randomBytes(6).toString('hex')}/`),
      cleanup: () => provider.close(),
    };
  },
  // The server stores files in a directory tree, as the fs provider does.
  {
    preservesEmptySegments: false,
    trailingSlashObjects: false,
    keyAndPrefixCoexist: false,
    maxListKeys: 600,
  },
);
