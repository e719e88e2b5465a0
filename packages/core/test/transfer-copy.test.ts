import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  ChecksumMismatchError,
  type CopyOptions,
  createStorage,
  decorateProvider,
  FsProvider,
  MemoryProvider,
  PreconditionFailedError,
  type Provider,
  readAll,
  type Storage,
  type TransferEvent,
  TransientError,
} from '../src/index.js';
import { faulty } from './support/faulty-provider.js';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('base64');

let dir: string;
let memory: MemoryProvider;
let storage: Storage;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-transfer-'));
  memory = new MemoryProvider();
  storage = createStorage({ providers: [new FsProvider(), memory] });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function leftovers(path: string): Promise<string[]> {
  return (await readdir(path).catch(() => [] as string[])).filter((n) => n.startsWith('.stowage-tmp-'));
}

describe('copy between providers', () => {
  it('streams a small object fs → memory → fs byte-identical, with events in order', async () => {
    const data = randomBytes(300_000);
    await storage.write(join(dir, 'in.bin'), data);
    const transfer = storage.copy(join(dir, 'in.bin'), 'mem://b/out.bin');
    const events = lastValueFrom(transfer.events$.pipe(toArray()));
    const result = await transfer;
    expect(result.strategy).toBe('stream');
    expect(result.verified).toContain('size');
    const types = (await events).map((e) => e.type);
    expect(types[0]).toBe('queued');
    expect(types[1]).toBe('started');
    expect(types.at(-1)).toBe('completed');
    const back = await storage.copy('mem://b/out.bin', join(dir, 'back.bin'));
    expect(back.verified).toEqual(expect.arrayContaining(['size', 'sha256']));
    expect(sha256(await readFile(join(dir, 'back.bin')))).toBe(sha256(data));
  });

  it('uses server-side copy within one provider', async () => {
    await storage.write('mem://b/a', 'hello');
    const result = await storage.copy('mem://b/a', 'mem://b/c');
    expect(result.strategy).toBe('server-side-copy');
    expect((await readAll(await storage.read('mem://b/c'))).toString()).toBe('hello');
  });

  it('appends the base name when the destination is a prefix', async () => {
    await storage.write('mem://b/dir/file.txt', 'x');
    await storage.copy('mem://b/dir/file.txt', `${dir}/sub/`);
    expect(await readFile(join(dir, 'sub/file.txt'), 'utf8')).toBe('x');
  });

  it('skips the source digest when verifySourceDigest is false, but still checks the size and a given checksum', async () => {
    const data = randomBytes(20 * MiB + 5);
    await storage.write('mem://b/unverified', data);
    const plain = await storage.copy('mem://b/unverified', join(dir, 'unverified'), {
      partSize: 8 * MiB,
      verifySourceDigest: false,
    });
    expect(plain.strategy).toBe('ranged-download');
    expect(plain.verified).toEqual(['size']);
    const wrong = await storage
      .copy('mem://b/unverified', join(dir, 'unverified-2'), {
        partSize: 8 * MiB,
        verifySourceDigest: false,
        checksum: { sha256: sha256(Buffer.from('something else')) },
      })
      .catch((e) => e);
    expect(wrong).toBeInstanceOf(ChecksumMismatchError);
    await expect(readFile(join(dir, 'unverified-2'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('two downloads whose long names share a prefix never share a partial file', async () => {
    const stem = 'n'.repeat(130);
    const a = randomBytes(4 * MiB);
    const b = randomBytes(4 * MiB);
    await storage.write(`mem://b/${stem}-a.bin`, a);
    await storage.write(`mem://b/${stem}-b.bin`, b);
    const options = { partSize: 1 * MiB, multipartThreshold: 1 * MiB, concurrency: 2 };
    const [ra, rb] = await Promise.all([
      storage.copy(`mem://b/${stem}-a.bin`, join(dir, `${stem}-a.bin`), options),
      storage.copy(`mem://b/${stem}-b.bin`, join(dir, `${stem}-b.bin`), options),
    ]);
    expect([ra.strategy, rb.strategy]).toEqual(['ranged-download', 'ranged-download']);
    expect(sha256(await readFile(join(dir, `${stem}-a.bin`)))).toBe(sha256(a));
    expect(sha256(await readFile(join(dir, `${stem}-b.bin`)))).toBe(sha256(b));
  });

  it('downloads large objects in parallel ranged parts and verifies the digest', async () => {
    const data = randomBytes(40 * MiB + 123);
    await storage.write('mem://b/big', data);
    const transfer = storage.copy('mem://b/big', join(dir, 'big'), { partSize: 8 * MiB, concurrency: 3 });
    const events = lastValueFrom(transfer.events$.pipe(toArray()));
    const result = await transfer;
    expect(result.strategy).toBe('ranged-download');
    expect(result.verified).toEqual(['size', 'sha256']);
    expect(result.sha256).toBe(sha256(data));
    const progress = (await events).filter(
      (e): e is Extract<TransferEvent, { type: 'progress' }> => e.type === 'progress',
    );
    expect(progress.at(-1)?.bytes).toBe(data.length);
    expect(sha256(await readFile(join(dir, 'big')))).toBe(sha256(data));
    expect(await leftovers(dir)).toEqual([]);
  });

  it('continues a download whose connection drops and still ends byte-identical', async () => {
    const data = randomBytes(33 * MiB);
    await memory.write({ scheme: 'mem', bucket: 'b', key: 'big' }, data);
    const { provider, stats } = faulty(memory, { failReads: new Set([1]), afterBytes: 1_000_000 });
    const s = createStorage({ providers: [new FsProvider(), provider] });
    const transfer = s.copy('mem://b/big', join(dir, 'big'), {
      partSize: 8 * MiB,
      concurrency: 1,
      retry: { baseDelayMs: 1 },
    });
    const events = lastValueFrom(transfer.events$.pipe(toArray()));
    await transfer;
    const retries = (await events).filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(1);
    // One stream, continued once where it broke off.
    expect(stats.ranges).toEqual([
      { start: 0, end: 33 * MiB - 1 },
      { start: 1_000_000, end: 33 * MiB - 1 },
    ]);
    expect(sha256(await readFile(join(dir, 'big')))).toBe(sha256(data));
  });

  it('fails with ChecksumMismatchError and keeps nothing when the digest is wrong (stream and parts)', async () => {
    await storage.write('mem://b/small', 'abc');
    await expect(
      storage.copy('mem://b/small', join(dir, 'small'), { checksum: { sha256: sha256(Buffer.from('xyz')) } }),
    ).rejects.toBeInstanceOf(ChecksumMismatchError);
    await storage.write('mem://b/big', randomBytes(20 * MiB));
    await expect(
      storage.copy('mem://b/big', join(dir, 'big'), { checksum: { sha256: sha256(Buffer.from('xyz')) } }),
    ).rejects.toBeInstanceOf(ChecksumMismatchError);
    await expect(stat(join(dir, 'small'))).rejects.toThrow();
    await expect(stat(join(dir, 'big'))).rejects.toThrow();
    expect(await leftovers(dir)).toEqual([]);
  });

  it('cancelled half-way leaves no destination and no temp file', async () => {
    await memory.write({ scheme: 'mem', bucket: 'b', key: 'big' }, randomBytes(24 * MiB));
    const { provider } = faulty(memory, { chunkDelayMs: 5 });
    const s = createStorage({ providers: [new FsProvider(), provider] });
    for (const size of ['big'] as const) {
      const controller = new AbortController();
      const transfer = s.copy(`mem://b/${size}`, join(dir, size), {
        signal: controller.signal,
        partSize: 8 * MiB,
      });
      transfer.events$.subscribe((e) => {
        if (e.type === 'progress' && e.bytes > 2 * MiB) controller.abort();
      });
      await expect(transfer).rejects.toBeInstanceOf(AbortedError);
      await expect(stat(join(dir, size))).rejects.toThrow();
    }
    expect(await leftovers(dir)).toEqual([]);
  });

  it('cancelling a multipart upload aborts it on the destination', async () => {
    const data = randomBytes(20 * MiB);
    await storage.write(join(dir, 'up.bin'), data);
    const target = new MemoryProvider();
    const slow = faulty(new FsProvider(), { chunkDelayMs: 10 });
    const s = createStorage({ providers: [slow.provider, target] });
    const transfer = s.copy(join(dir, 'up.bin'), 'mem://b/up.bin', {
      partSize: 5 * MiB,
      stateDir: join(dir, 'state'),
    });
    transfer.events$.subscribe((e) => {
      if (e.type === 'progress' && e.bytes > MiB) transfer.cancel();
    });
    await expect(transfer).rejects.toBeInstanceOf(AbortedError);
    expect(target.openUploads()).toEqual([]);
    await expect(target.stat({ scheme: 'mem', bucket: 'b', key: 'up.bin' })).rejects.toThrow();
  });

  it('a part upload that breaks off and is retried leaves no read of the source open', async () => {
    // Every stream the engine got from the source must end up destroyed, including the one of the
    // attempt that broke off: the copy goes on, so no cancel closes it, and a file read left to
    // garbage collection holds its descriptor until then (Node's DEP0137 warning).
    const target = new MemoryProvider();
    const run = await copyThroughOneBreak(
      target,
      (breakOnce) => ({
        // Part 2's first request reads a little of its body, then its connection "resets".
        uploadPart: async (handle, number, body, options) => {
          if (number === 2 && breakOnce()) {
            for await (const _chunk of body as Readable) break;
            throw new TransientError('connection reset by the test');
          }
          return target.uploadPart(handle, number, body, options);
        },
      }),
      { partSize: 5 * MiB, multipartThreshold: 5 * MiB, stateDir: join(dir, 'state') },
    );
    expect(run.strategy).toBe('multipart-upload');
    expect(run.broken).toBe(true);
    expect(run.copied).toBe(run.sent);
    expect(run.destroyed).toEqual(run.destroyed.map(() => true));
  });

  it('a streamed copy whose write breaks off and is redone leaves no read of the source open', async () => {
    const target = new MemoryProvider();
    const run = await copyThroughOneBreak(
      target,
      (breakOnce) => ({
        // The first write pipes its body into a "request" that resets after a chunk, as an HTTP
        // client does: the request stream is destroyed, the body is only unpiped.
        write: async (uri, body, options) => {
          if (breakOnce()) {
            const request = (body as Readable).pipe(new PassThrough());
            for await (const _chunk of request) break;
            throw new TransientError('connection reset by the test');
          }
          return target.write(uri, body, options);
        },
      }),
      { multipartThreshold: 1024 * MiB },
    );
    expect(run.strategy).toBe('stream');
    expect(run.broken).toBe(true);
    expect(run.copied).toBe(run.sent);
    expect(run.destroyed).toEqual(run.destroyed.map(() => true));
  });

  it('uploads in parts to a multipart-capable destination, byte-identical', async () => {
    const data = randomBytes(21 * MiB);
    await storage.write(join(dir, 'up.bin'), data);
    const result = await storage.copy(join(dir, 'up.bin'), 'mem://b/up.bin', {
      partSize: 5 * MiB,
      stateDir: join(dir, 'state'),
    });
    expect(result.strategy).toBe('multipart-upload');
    expect(sha256(await readAll(await storage.read('mem://b/up.bin')))).toBe(sha256(data));
    expect(memory.openUploads()).toEqual([]);
  });

  it('honours the overwrite policy', async () => {
    await storage.write('mem://b/src', 'newer');
    await storage.write(join(dir, 'dst'), 'old');
    const never = await storage.copy('mem://b/src', join(dir, 'dst'), { overwrite: 'never' });
    expect(never.skipped).toBe('exists');
    expect(await readFile(join(dir, 'dst'), 'utf8')).toBe('old');
    const differs = await storage.copy('mem://b/src', join(dir, 'dst'), { overwrite: 'if-different' });
    expect(differs.skipped).toBeUndefined();
    expect(await readFile(join(dir, 'dst'), 'utf8')).toBe('newer');
    const same = await storage.copy('mem://b/src', 'mem://b/copy');
    expect(same.skipped).toBeUndefined();
    const again = await storage.copy('mem://b/src', 'mem://b/copy', { overwrite: 'if-different' });
    expect(again.skipped).toBe('same');
    // On disk, ETags name files, not contents: an identical, newer copy counts as the same.
    await storage.copy(join(dir, 'dst'), join(dir, 'dst-copy'));
    const local = await storage.copy(join(dir, 'dst'), join(dir, 'dst-copy'), { overwrite: 'if-different' });
    expect(local.skipped).toBe('same');
  });

  it('move deletes the source only after a verified copy', async () => {
    await storage.write('mem://b/m', 'payload');
    await storage.move('mem://b/m', join(dir, 'moved'));
    expect(await readFile(join(dir, 'moved'), 'utf8')).toBe('payload');
    await expect(storage.stat('mem://b/m')).rejects.toThrow();

    await storage.write('mem://b/keep', 'payload');
    await expect(
      storage.move('mem://b/keep', join(dir, 'moved2'), {
        checksum: { sha256: sha256(Buffer.from('other')) },
      }),
    ).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect((await storage.stat('mem://b/keep')).size).toBe(7);
  });

  it('fails when the source changes during a ranged download', async () => {
    await storage.write('mem://b/changing', randomBytes(20 * MiB));
    // The body breaks after the change; its continuation is pinned to the first version.
    const { provider } = faulty(memory, { chunkDelayMs: 2, cutAtOffset: 12 * MiB });
    const s = createStorage({ providers: [new FsProvider(), provider] });
    const transfer = s.copy('mem://b/changing', join(dir, 'changing'), {
      partSize: 5 * MiB,
      concurrency: 1,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    let rewritten = false;
    transfer.events$.subscribe((e) => {
      if (e.type === 'progress' && e.bytes > 6 * MiB && !rewritten) {
        rewritten = true;
        void memory.write({ scheme: 'mem', bucket: 'b', key: 'changing' }, randomBytes(20 * MiB));
      }
    });
    await expect(transfer).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(stat(join(dir, 'changing'))).rejects.toThrow();
    expect(await leftovers(dir)).toEqual([]);
  });

  it('storage.events$ merges the events of every transfer', async () => {
    await storage.write('mem://b/1', 'a');
    await storage.write('mem://b/2', 'b');
    const seen: TransferEvent[] = [];
    const sub = storage.events$.subscribe((e) => seen.push(e));
    await Promise.all([storage.copy('mem://b/1', join(dir, '1')), storage.copy('mem://b/2', join(dir, '2'))]);
    sub.unsubscribe();
    expect(new Set(seen.map((e) => e.transferId)).size).toBe(2);
    expect(seen.filter((e) => e.type === 'completed')).toHaveLength(2);
  });
});

/**
 * Copy a 12 MiB file to `target` decorated by `overrides` (which break one request, once, through
 * `breakOnce`), recording every stream the engine gets from the source: whether each is destroyed
 * 50 ms after the copy, and the SHA-256 of what was sent and of what arrived.
 */
async function copyThroughOneBreak(
  target: MemoryProvider,
  overrides: (breakOnce: () => boolean) => Partial<Provider>,
  options: CopyOptions,
) {
  const data = randomBytes(12 * MiB);
  await storage.write(join(dir, 'up.bin'), data);
  const reads: Readable[] = [];
  const fs = new FsProvider();
  const source = decorateProvider(fs, {
    read: async (uri, readOptions) => {
      const stream = await fs.read(uri, readOptions);
      reads.push(stream);
      return stream;
    },
  });
  let broken = false;
  const breakOnce = () => {
    if (broken) return false;
    broken = true;
    return true;
  };
  const s = createStorage({ providers: [source, decorateProvider(target, overrides(breakOnce))] });
  const result = await s.copy(join(dir, 'up.bin'), 'mem://b/up.bin', {
    ...options,
    retry: { baseDelayMs: 1 },
  });
  const copied = sha256(await readAll(await s.read('mem://b/up.bin')));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    strategy: result.strategy,
    broken,
    sent: sha256(data),
    copied,
    destroyed: reads.map((stream) => stream.destroyed),
  };
}
