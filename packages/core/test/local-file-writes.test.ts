import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStorage, FsProvider, MemoryProvider, parseUri, readAll, type Storage } from '../src/index.js';

const MiB = 1024 * 1024;
let dir: string;
let storage: Storage;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-local-writes-'));
  storage = createStorage({ providers: [new FsProvider(), new MemoryProvider()] });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Spy on FileHandle#sync (the class is not exported; take it from an open handle). */
async function spyOnSync() {
  const handle = await open(join(dir, '.probe'), 'w');
  const proto = Object.getPrototypeOf(handle) as { sync(): Promise<void> };
  await handle.close();
  await rm(join(dir, '.probe'));
  return vi.spyOn(proto, 'sync');
}

describe('durable writes into local files', () => {
  it('a streamed copy with durable fsyncs the file and its directory; without, nothing', async () => {
    await storage.write('mem://b/small', randomBytes(64 * 1024));
    const sync = await spyOnSync();
    await storage.copy('mem://b/small', join(dir, 'plain.bin'));
    expect(sync).not.toHaveBeenCalled();
    const result = await storage.copy('mem://b/small', join(dir, 'sub', 'durable.bin'), { durable: true });
    expect(result.strategy).toBe('stream');
    // One fsync of the file before the rename, one of the directory after it.
    expect(sync).toHaveBeenCalledTimes(2);
    expect((await readFile(join(dir, 'sub', 'durable.bin'))).length).toBe(64 * 1024);
  });

  it('a ranged download with durable fsyncs the file and its directory', async () => {
    await storage.write('mem://b/big', randomBytes(3 * MiB));
    const sync = await spyOnSync();
    const result = await storage.copy('mem://b/big', join(dir, 'big.bin'), {
      durable: true,
      multipartThreshold: MiB,
      partSize: MiB,
    });
    expect(result.strategy).toBe('ranged-download');
    expect(sync).toHaveBeenCalledTimes(2);
  });
});

describe('fs reads and writes', () => {
  it('a read streams the file it validated, even when the path is replaced before the bytes are read', async () => {
    const fs = new FsProvider();
    const path = join(dir, 'data.bin');
    const first = randomBytes(300 * 1024);
    await writeFile(path, first);
    const uri = parseUri(path);
    const { etag } = await fs.stat(uri);
    const stream = await fs.read(uri, { ifMatch: etag! });
    // Replace the file atomically, as a writer would.
    await writeFile(join(dir, 'next.bin'), randomBytes(300 * 1024));
    await rename(join(dir, 'next.bin'), path);
    expect((await readAll(stream)).equals(first)).toBe(true);
  });

  it.skipIf(process.platform === 'win32')(
    'reading a FIFO or a directory is NotFound at once (no wait for a writer)',
    async () => {
      const fs = new FsProvider();
      const fifo = join(dir, 'pipe');
      execFileSync('mkfifo', [fifo]);
      await expect(fs.read(parseUri(fifo))).rejects.toMatchObject({
        code: 'NotFound',
        message: expect.stringMatching(/not a regular file/),
      });
      await expect(fs.read(parseUri(dir))).rejects.toMatchObject({ code: 'NotFound' });
    },
    5_000,
  );

  it('a write into a missing directory creates it, and a failed write leaves no temp file', async () => {
    const fs = new FsProvider();
    const target = parseUri(join(dir, 'a', 'b', 'c.bin'));
    const body = randomBytes(200 * 1024);
    const written = await fs.write(target, body, { contentLength: body.length });
    expect(written.size).toBe(body.length);
    expect((await readFile(join(dir, 'a', 'b', 'c.bin'))).equals(body)).toBe(true);
    // The write result's validator is the file's: a conditional read with it succeeds.
    await readAll(await fs.read(target, { ifMatch: written.etag! }));
    await expect(fs.write(target, body, { contentLength: body.length + 1 })).rejects.toMatchObject({
      code: 'ChecksumMismatch',
    });
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['c.bin']);
  });
});
