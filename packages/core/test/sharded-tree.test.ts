import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStorage,
  type Entry,
  FsProvider,
  foldShardSummaries,
  InvalidArgumentError,
  InvalidManifestError,
  type ManifestEntry,
  MemoryProvider,
  manifestRecord,
  parseManifest,
  parseShard,
  SHARD_INDEX_VARIABLES,
  type ShardSummary,
  type Storage,
  shardOfKey,
} from '../src/index.js';

let dir: string;
let storage: Storage;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-shard-'));
  storage = createStorage({ providers: [new FsProvider(), new MemoryProvider()] });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of storage.list(prefix, { recursive: true })) out.push(e.key);
  return out.sort();
}

async function* entries(list: ManifestEntry[]): AsyncIterable<ManifestEntry> {
  yield* list;
}

describe('the shard hash', () => {
  it('puts every key in exactly one shard, balanced within 3% over 10,000 keys (4 shards or fewer)', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `data/part-${i}.parquet`);
    for (const count of [2, 3, 4, 7, 16]) {
      const sizes = new Array<number>(count).fill(0);
      for (const key of keys) {
        const shard = shardOfKey(key, count);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(count);
        sizes[shard]!++;
      }
      const even = keys.length / count;
      // Shards of a uniform hash vary as binomial counts do: within 4 standard deviations always.
      const spread = count <= 4 ? 0.03 : (4 * Math.sqrt(even * (1 - 1 / count))) / even;
      for (const size of sizes) expect(Math.abs(size - even) / even).toBeLessThan(spread);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(keys.length);
    }
  });

  it('is the first 8 bytes of SHA-256, big-endian, modulo N (fixed values, the same on any machine)', () => {
    // sha256("a.txt") starts with 18b7cb099a9ea3f5; the fixed values below pin the split.
    const expected = (key: string, count: number) =>
      Number(createHash('sha256').update(key).digest().readBigUInt64BE(0) % BigInt(count));
    for (const key of ['a.txt', 'dir/b', 'ünïcode/ключ', ''])
      for (const count of [1, 2, 5, 1000]) expect(shardOfKey(key, count)).toBe(expected(key, count));
    expect([shardOfKey('a.txt', 4), shardOfKey('dir/b', 4), shardOfKey('x/y/z', 7)]).toEqual(SNAPSHOT_SHARDS);
  });
});
// Computed once with the implementation above; a different hash or byte order changes them.
const SNAPSHOT_SHARDS = [1, 0, 6];

describe('parseShard', () => {
  it('reads I/N and auto/N from the array-job variables, in order', () => {
    expect(parseShard('3/8', {})).toEqual({ index: 3, count: 8 });
    expect(parseShard('0/1', {})).toEqual({ index: 0, count: 1 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 2, count: 4 });
    expect(parseShard('auto/4', { AWS_BATCH_JOB_ARRAY_INDEX: '1' })).toEqual({ index: 1, count: 4 });
    expect(parseShard('auto/4', { SLURM_ARRAY_TASK_ID: '3' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '0', SLURM_ARRAY_TASK_ID: '3' })).toEqual({
      index: 0,
      count: 4,
    });
    expect(SHARD_INDEX_VARIABLES[0]).toBe('JOB_COMPLETION_INDEX');
  });

  it('refuses bad syntax, I >= N, N = 0 and auto without a variable, with typed errors', () => {
    for (const bad of [
      '3',
      '3/',
      '/4',
      'a/4',
      '1/2/3',
      '-1/4',
      '1.5/4',
      '1/0',
      '4/4',
      '9/4',
      'auto/x',
      ' ',
    ]) {
      expect(() => parseShard(bad, {}), bad).toThrow(InvalidArgumentError);
    }
    expect(() => parseShard('4/4', {})).toThrow(/outside 0\.\.3/);
    expect(() => parseShard('auto/4', {})).toThrow(
      /JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, SLURM_ARRAY_TASK_ID/,
    );
    expect(() => parseShard('auto/4', { JOB_COMPLETION_INDEX: '4' })).toThrow(/outside 0\.\.3/);
    expect(() => parseShard('auto/4', { JOB_COMPLETION_INDEX: 'two' })).toThrow(InvalidArgumentError);
  });
});

describe('manifests', () => {
  it('round-trips: the records ls -r --json prints parse back into the entries', async () => {
    const listed: Entry[] = [];
    await storage.write('mem://b/src/a.txt', 'aaa');
    await storage.write('mem://b/src/d/b.txt', 'bb');
    for await (const e of storage.list('mem://b/src/', { recursive: true })) listed.push(e);
    const lines = listed.map((e) => JSON.stringify(manifestRecord(e as Extract<Entry, { type: 'object' }>)));
    const parsed: ManifestEntry[] = [];
    for await (const e of parseManifest(['', ...lines, '{"type":"prefix","key":"src/d/"}'])) parsed.push(e);
    expect(parsed).toEqual(
      listed.map((e) => {
        const o = e as Extract<Entry, { type: 'object' }>;
        return {
          key: o.key,
          size: o.size,
          ...(o.etag ? { etag: o.etag } : {}),
          ...(o.lastModified ? { lastModified: o.lastModified } : {}),
        };
      }),
    );
  });

  it('names the line of a bad record in a typed error', async () => {
    const read = async (lines: string[]) => {
      for await (const _ of parseManifest(lines, 'm.jsonl'));
    };
    const good = '{"key":"src/a","size":1}';
    await expect(read([good, '', '{"key": oops'])).rejects.toMatchObject({
      constructor: InvalidManifestError,
      code: 'InvalidArgument',
      line: 3,
      message: 'Line 3 of m.jsonl is not valid JSON',
    });
    await expect(read([good, '{"key":"src/b"}'])).rejects.toMatchObject({ line: 2, message: /"size"/ });
    await expect(read(['[1]'])).rejects.toMatchObject({ line: 1 });
    await expect(read(['{"key":"k","size":-1}'])).rejects.toThrow(InvalidManifestError);
    await expect(read(['{"key":"k","size":1,"lastModified":"yesterday"}'])).rejects.toThrow(
      InvalidManifestError,
    );
  });
});

describe('foldShardSummaries', () => {
  const run = (
    index: number,
    files: number,
    skipped: number,
    failed: number,
    bytes = files,
  ): ShardSummary => ({
    shard: { index, count: 3 },
    files,
    skipped,
    failed,
    bytes,
    durationMs: 10 * (index + 1),
    failures: failed ? [{ source: `s3://b/${index}`, code: 'Transient', message: 'reset' }] : [],
  });

  it('adds the latest run of each shard and says which shards are missing or failed', () => {
    const first = foldShardSummaries([run(0, 5, 0, 0), run(1, 3, 0, 2)]);
    expect(first).toMatchObject({
      count: 3,
      files: 8,
      failed: 2,
      missing: [2],
      failedShards: [1],
      complete: false,
      reruns: 0,
      durationMs: 20,
    });
    expect(first.failures).toHaveLength(1);
    // Shard 1 rerun: it skips the 3 that landed and copies the 2 that failed; shard 2 runs.
    const all = foldShardSummaries([run(0, 5, 0, 0), run(1, 3, 0, 2), run(1, 2, 3, 0), run(2, 4, 0, 0)]);
    expect(all).toMatchObject({
      files: 11,
      skipped: 3,
      failed: 0,
      bytes: 11,
      missing: [],
      failedShards: [],
      complete: true,
      reruns: 1,
      failures: [],
    });
  });

  it('refuses summaries of different counts, an index out of range, and nothing', () => {
    expect(() =>
      foldShardSummaries([run(0, 1, 0, 0), { ...run(1, 1, 0, 0), shard: { index: 1, count: 4 } }]),
    ).toThrow(InvalidArgumentError);
    expect(() => foldShardSummaries([{ ...run(0, 1, 0, 0), shard: { index: 3, count: 3 } }])).toThrow(
      InvalidArgumentError,
    );
    expect(() => foldShardSummaries([])).toThrow(InvalidArgumentError);
  });
});

describe('copyTree with shard and manifest', () => {
  const KEYS = Array.from({ length: 200 }, (_, i) => `t/${i % 7}/f${i}.txt`);

  it('N shards copy every key exactly once between them; the union is the whole tree', async () => {
    await Promise.all(KEYS.map((k) => storage.write(`mem://b/src/${k}`, k)));
    const seen = new Map<string, number>();
    for (let index = 0; index < 3; index++) {
      const result = await storage.copyTree('mem://b/src/', `mem://b/dst${index}/`, {
        shard: { index, count: 3 },
      });
      expect(result.shard).toEqual({ index, count: 3 });
      expect(result.failed).toBe(0);
      for (const key of await keysUnder(`mem://b/dst${index}/`)) {
        const rel = key.slice(`dst${index}/`.length);
        seen.set(rel, (seen.get(rel) ?? 0) + 1);
        expect(shardOfKey(rel, 3)).toBe(index);
      }
    }
    expect([...seen.keys()].sort()).toEqual([...KEYS].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('a rerun of a shard skips what landed (if-different by default) and copies the rest', async () => {
    await Promise.all(KEYS.map((k) => storage.write(`mem://b/src/${k}`, k)));
    const shard = { index: 1, count: 2 };
    const mine = KEYS.filter((k) => shardOfKey(k, 2) === 1);
    // An earlier run got half of them across.
    const landed = mine.slice(0, Math.floor(mine.length / 2));
    for (const k of landed) await storage.copy(`mem://b/src/${k}`, `mem://b/dst/${k}`);
    const rerun = await storage.copyTree('mem://b/src/', 'mem://b/dst/', { shard });
    expect(rerun).toMatchObject({ files: mine.length - landed.length, skipped: landed.length, failed: 0 });
    expect(await keysUnder('mem://b/dst/')).toEqual(mine.map((k) => `dst/${k}`).sort());
  });

  it('reads the tree from a manifest URI instead of listing it', async () => {
    await Promise.all(KEYS.map((k) => storage.write(`mem://b/src/${k}`, k)));
    // A manifest naming only some keys: the copy takes exactly those (the source is not listed).
    const some = KEYS.slice(0, 50);
    const lines: string[] = [];
    for await (const e of storage.list('mem://b/src/', { recursive: true }))
      if (e.type === 'object' && some.includes(e.key.slice(4))) lines.push(JSON.stringify(manifestRecord(e)));
    const file = join(dir, 'manifest.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const result = await storage.copyTree('mem://b/src/', 'mem://b/dst/', { manifest: file });
    expect(result).toMatchObject({ files: 50, failed: 0 });
    expect(await keysUnder('mem://b/dst/')).toEqual(some.map((k) => `dst/${k}`).sort());
  });

  it('refuses manifest keys that escape the destination or lie outside the source, each on its own', async () => {
    await storage.write('mem://b/src/ok.txt', 'ok');
    await storage.write('mem://b/outside.txt', 'no');
    const manifest = entries([
      { key: 'src/ok.txt', size: 2 },
      { key: 'src/../outside.txt', size: 2 },
      { key: 'outside.txt', size: 2 },
    ]);
    const failure = await storage.copyTree('mem://b/src/', 'mem://b/dst/', { manifest }).then(
      () => undefined,
      (error: unknown) =>
        error as Error & { treeResult?: { files: number; failed: number; failures: unknown[] } },
    );
    expect(failure?.treeResult).toMatchObject({ files: 1, failed: 2 });
    expect(await keysUnder('mem://b/')).toEqual(['dst/ok.txt', 'outside.txt', 'src/ok.txt']);
  });

  it('stops with a typed error naming the line when the manifest has a bad line', async () => {
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, '{"key":"src/a","size":1}\nnot json\n');
    await storage.write('mem://b/src/a', 'a');
    await expect(storage.copyTree('mem://b/src/', 'mem://b/dst/', { manifest: file })).rejects.toMatchObject({
      constructor: InvalidManifestError,
      line: 2,
    });
  });

  it('refuses a shard whose index is not below its count', async () => {
    await expect(
      storage.copyTree('mem://b/src/', 'mem://b/dst/', { shard: { index: 2, count: 2 } }),
    ).rejects.toThrow(InvalidArgumentError);
  });
});
