import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const MiB = 1024 * 1024;

/** Write `bytes` of random data in 1 MiB chunks (never the whole file in memory). */
async function randomFile(path: string, bytes: number): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.size === bytes) return;
  const out = createWriteStream(path);
  const chunk = randomBytes(MiB);
  for (let written = 0; written < bytes; written += MiB) {
    // Vary each chunk a little so compression or dedup anywhere cannot flatter a result.
    chunk.writeUInt32LE(written / MiB, 0);
    if (!out.write(chunk.subarray(0, Math.min(MiB, bytes - written)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** The shared payloads: two large files and a tree of 1,000 files, scaled by `scale`. */
export async function makeFixtures(
  dir: string,
  scale: number,
): Promise<Record<string, { path: string; bytes: number }>> {
  await mkdir(dir, { recursive: true });
  const big = Math.max(MiB, Math.round((1024 * MiB * scale) / MiB) * MiB);
  const mid = Math.max(MiB, Math.round((256 * MiB * scale) / MiB) * MiB);
  const files: Record<string, { path: string; bytes: number }> = {
    'file-1GiB': { path: join(dir, 'file-1GiB.bin'), bytes: big },
    'file-256MiB': { path: join(dir, 'file-256MiB.bin'), bytes: mid },
  };
  await randomFile(files['file-1GiB']!.path, big);
  await randomFile(files['file-256MiB']!.path, mid);
  const count = Math.max(10, Math.round(1000 * Math.min(1, scale * 4)));
  const tree = join(dir, 'tree-1000x1MiB');
  await mkdir(tree, { recursive: true });
  for (let i = 0; i < count; i++) await randomFile(join(tree, `f${String(i).padStart(4, '0')}.bin`), MiB);
  files['tree-1000x1MiB'] = { path: tree, bytes: count * MiB };
  return files;
}
