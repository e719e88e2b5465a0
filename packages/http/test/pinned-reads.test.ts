import { readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, FsProvider, PreconditionFailedError } from '@stowage/core';
import { type HttpServerOptions, type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpProvider } from '../src/index.js';
import { drain, namesIn, payload, quickRetry, removeDir, scratch, serve } from './support.js';

// A file replaced on the server while the engine reads it (its first stream broke off and is
// continued) must never come out as one file spliced from two versions: every read is pinned to the version the first stat saw, by
// If-Match / If-Range where the server honours them and by each answer's own validators where it
// does not. The servers here differ only in how much of that they honour.
const MiB = 1024 * 1024;
const PART = 1 * MiB;
const OLD = new Date('2020-01-01T00:00:00Z');

let server: HttpTestServer | undefined;
let out: string | undefined;
afterEach(async () => {
  await server?.close();
  if (out) await removeDir(out);
  server = undefined;
  out = undefined;
});

async function changingFile(options: HttpServerOptions) {
  server = await startHttpServer(options);
  out = await scratch();
  const before = payload(6 * MiB + 777);
  const after = payload(6 * MiB + 777);
  const uri = await serve(server, 'big.bin', before);
  // Second-granular Last-Modified must differ after the change, whatever the clock does.
  await utimes(join(server.dir, 'big.bin'), OLD, OLD);
  // The download's first GET is served from the old file and cut after 2 MiB; the GET that
  // continues it sees the new one.
  server.setFault({ kind: 'drop', path: 'big.bin', afterBytes: 2 * MiB, times: 1 });
  server.setFault({ kind: 'change', path: 'big.bin', afterRequests: 1, content: after });
  return { uri, before, after };
}

function engine() {
  return createStorage({
    providers: [new FsProvider(), new HttpProvider()],
    retry: quickRetry,
  });
}

function copyInParts(source: string, destination: string) {
  return engine().copy(source, destination, {
    multipartThreshold: PART,
    partSize: PART,
    concurrency: 1,
    retry: quickRetry,
  });
}

const cases: Array<[string, HttpServerOptions, (headers: Record<string, unknown>) => void]> = [
  [
    'a server that honours If-Match and If-Range',
    {},
    (h) => {
      expect(h['if-match']).toMatch(/^"/);
      expect(h['if-range']).toBe(h['if-match']);
    },
  ],
  ['a server that ignores conditional headers (answers compared by ETag)', { conditionals: false }, () => {}],
  [
    'a server without ETags (pinned by Last-Modified)',
    { etags: false },
    (h) => {
      expect(h['if-unmodified-since']).toBe(OLD.toUTCString());
      expect(h['if-range']).toBe(OLD.toUTCString());
      expect(h['if-match']).toBeUndefined();
    },
  ],
  [
    'a server without ETags that ignores conditionals (answers compared by Last-Modified)',
    { etags: false, conditionals: false },
    () => {},
  ],
];

describe('engine downloads pinned to the version first seen', () => {
  for (const [name, options, checkHeaders] of cases) {
    it(`${name}: a file changed mid-download fails with PreconditionFailed, nothing left`, async () => {
      const { uri } = await changingFile(options);
      const transfer = copyInParts(server!.urlFor(uri.key), join(out!, 'big.bin'));
      const failed: string[] = [];
      transfer.events$.subscribe((e) => {
        if (e.type === 'failed') failed.push(e.error.code);
      });
      const error = await transfer.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PreconditionFailedError);
      expect((error as Error).message).toMatch(/changed during the transfer/);
      expect(failed).toEqual(['PreconditionFailed']);
      expect(await namesIn(out!)).toEqual([]);
      const gets = server!.requests.filter((r) => r.method === 'GET');
      expect(gets.length).toBeGreaterThanOrEqual(2);
      for (const get of gets) checkHeaders(get.headers);
    });
  }

  it('an unchanged file downloads whole through one pinned stream', async () => {
    server = await startHttpServer({ conditionals: false });
    out = await scratch();
    const data = payload(3 * MiB + 5);
    const uri = await serve(server, 'same.bin', data);
    const result = await copyInParts(server!.urlFor(uri.key), join(out, 'same.bin'));
    expect(result.strategy).toBe('ranged-download');
    expect((await readFile(join(out, 'same.bin'))).equals(data)).toBe(true);
    // concurrency 1: one lane, one request for the whole file.
    const gets = server.requests.filter((r) => r.method === 'GET');
    expect(gets.map((r) => r.headers.range)).toEqual([`bytes=0-${data.length - 1}`]);
  });

  it('a server that ignores Range answers with the pinned version whole; the part skips to its offset', async () => {
    server = await startHttpServer({ noRanges: 'advertised', conditionals: false });
    out = await scratch();
    const data = payload(2 * MiB + 9);
    const uri = await serve(server, 'whole.bin', data);
    await copyInParts(server!.urlFor(uri.key), join(out, 'whole.bin'));
    expect((await readFile(join(out, 'whole.bin'))).equals(data)).toBe(true);
  });
});

describe('HttpProvider.read with a pin', () => {
  const provider = new HttpProvider();

  it('a read continued after a dropped connection does not continue into a new version', async () => {
    server = await startHttpServer({ conditionals: false });
    const data = payload(2 * MiB);
    const uri = await serve(server, 'drop.bin', data);
    const storage = createStorage({ providers: [provider], retry: quickRetry });
    server.setFault({ kind: 'drop', path: 'drop.bin', afterBytes: 256 * 1024, times: 1 });
    server.setFault({ kind: 'change', path: 'drop.bin', afterRequests: 1, content: payload(2 * MiB) });
    const stream = await storage.read(server.urlFor(uri.key));
    await expect(drain(stream)).rejects.toBeInstanceOf(PreconditionFailedError);
    const resumed = server.requests.filter((r) => r.method === 'GET').at(-1)!;
    expect(resumed.headers.range).toBe(`bytes=${256 * 1024}-`);
  });

  it('a ranged read with a stale ETag fails at once, on a server that ignores If-Match', async () => {
    server = await startHttpServer({ conditionals: false });
    const uri = await serve(server, 'stale.bin', 'first version');
    await expect(
      provider.read(uri, { ifMatch: '"stale"', range: { start: 0, end: 3 } }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('a weak ETag is compared, never sent as If-Match (strong comparison would always fail)', async () => {
    server = await startHttpServer();
    const uri = await serve(server, 'weak.txt', 'weakly tagged');
    const { etag } = await provider.stat(uri);
    const text = await drain(await provider.read(uri, { ifMatch: `W/${etag}`, range: { start: 0, end: 5 } }));
    expect(text.toString()).toBe('weakly');
    const get = server.requests.filter((r) => r.method === 'GET').at(-1)!;
    expect(get.headers['if-match']).toBeUndefined();
    expect(get.headers['if-range']).toBeUndefined();
  });
});
