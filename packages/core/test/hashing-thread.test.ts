import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChecksumMismatchError, createStorage, FsProvider, MemoryProvider } from '../src/index.js';

// Downloads of 64 MiB and more are hashed on a worker thread (its own module, the same DigestSet as
// every other digest): the digest it computes is checked, right or wrong.
const MiB = 1024 * 1024;
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the hashing thread of large ranged downloads', () => {
  it('verifies a 65 MiB download against its SHA-256, and refuses a wrong one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stowage-hash-thread-'));
    const memory = new MemoryProvider();
    const storage = createStorage({ providers: [new FsProvider(), memory] });
    const data = randomBytes(65 * MiB);
    await storage.write('mem://big/blob', data);
    const sha256 = createHash('sha256').update(data).digest('base64');
    const copied = await storage.copy('mem://big/blob', join(dir, 'blob'), { partSize: 8 * MiB });
    expect(copied.strategy).toBe('ranged-download');
    expect(copied.verified).toContain('sha256');
    expect(copied.sha256).toBe(sha256);
    expect((await readFile(join(dir, 'blob'))).equals(data)).toBe(true);
    const wrong = createHash('sha256').update('other').digest('base64');
    await expect(
      storage.copy('mem://big/blob', join(dir, 'wrong'), { partSize: 8 * MiB, checksum: { sha256: wrong } }),
    ).rejects.toBeInstanceOf(ChecksumMismatchError);
  });
});
