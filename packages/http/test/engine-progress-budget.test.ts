import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, FsProvider } from '@stowage/core';
import { startHttpServer } from '@stowage/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpProvider } from '../src/index.js';
import { namesIn, payload, quickRetry, removeDir, scratch, serve } from './support.js';

// A link that cuts every connection after 64 KiB: the engine continues each part from where the
// last attempt stopped, and only attempts that made no progress count against the retry budget,
// so the download finishes, byte-identical, in a bounded number of requests.
const MiB = 1024 * 1024;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('a download whose every connection is cut after 64 KiB', () => {
  it('finishes byte-identical, each part continuing where it stopped', async () => {
    const server = await startHttpServer();
    const out = await scratch();
    cleanups.push(
      () => server.close(),
      () => removeDir(out),
    );
    const data = payload(4 * MiB + 123);
    const uri = await serve(server, 'flaky.bin', data);
    server.setFault({ kind: 'drop', path: 'flaky.bin', afterBytes: 64 * 1024 });
    const storage = createStorage({
      providers: [new FsProvider(), new HttpProvider()],
      retry: quickRetry,
    });
    const result = await storage.copy(server.urlFor(uri.key), join(out, 'flaky.bin'), {
      multipartThreshold: MiB,
      partSize: MiB,
      concurrency: 2,
      retry: quickRetry,
    });
    expect(result.strategy).toBe('ranged-download');
    expect((await readFile(join(out, 'flaky.bin'))).equals(data)).toBe(true);
    expect(await namesIn(out)).toEqual(['flaky.bin']);
    const gets = server.requests.filter((r) => r.method === 'GET').length;
    // About one request per 64 KiB, never the whole object again per attempt.
    expect(gets).toBeGreaterThanOrEqual(64);
    expect(gets).toBeLessThanOrEqual(200);
  });
});
