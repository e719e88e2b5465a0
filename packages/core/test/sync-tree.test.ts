import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStorage,
  type DeleteOutcome,
  FsProvider,
  MemoryProvider,
  type Storage,
  type TransferEvent,
  type TreeChange,
} from '../src/index.js';
import { faulty } from './support/faulty-provider.js';

let dir: string;
let storage: Storage;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-sync-'));
  storage = createStorage({ providers: [new FsProvider(), new MemoryProvider()] });
  for (const [key, body] of Object.entries({ 'a.txt': 'a', 'b.txt': 'bb', 'keep/c.txt': 'c' }))
    await storage.write(`mem://src/${key}`, body);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of storage.list(prefix, { recursive: true })) out.push(e.key);
  return out.sort();
}

async function collect(changes: AsyncIterable<TreeChange>): Promise<TreeChange[]> {
  const out: TreeChange[] = [];
  for await (const change of changes) out.push(change);
  return out;
}

describe('syncTree', () => {
  it('copies what is missing or different, skips what is equal, and deletes extraneous objects the filters keep', async () => {
    await storage.copyTree('mem://src/', `${dir}/out/`);
    await storage.write('mem://src/b.txt', 'changed');
    await writeFile(join(dir, 'out/extra.txt'), 'x');
    await writeFile(join(dir, 'out/keep/protected.txt'), 'p');

    const deletions: DeleteOutcome[] = [];
    const transfer = storage.syncTree('mem://src/', `${dir}/out/`, {
      delete: true,
      exclude: 'keep/**',
      onDelete: (outcome) => deletions.push(outcome),
    });
    const events = lastValueFrom(transfer.events$.pipe(toArray()));
    const result = await transfer.done;

    expect(result).toMatchObject({ deleted: 1, deleteFailures: 0, failed: 0 });
    expect(result.files).toBe(1); // only b.txt changed
    expect(await readFile(join(dir, 'out/b.txt'), 'utf8')).toBe('changed');
    expect(deletions.map((d) => d.uri.key)).toEqual([`${dir.slice(1)}/out/extra.txt`]);
    // What the exclude leaves out is protected from deletion, and not copied either.
    expect(await keysUnder(`${dir}/out/`)).toEqual(
      ['a.txt', 'b.txt', 'keep/c.txt', 'keep/protected.txt'].map((k) => `${dir.slice(1)}/out/${k}`),
    );
    const completed = (await events).filter((e: TransferEvent) => e.type === 'completed');
    expect(completed.length).toBeGreaterThan(0);
  });

  it('plans without touching either side', async () => {
    await writeFile(join(dir, 'stale.txt'), 's');
    const plan = await collect(storage.planSync('mem://src/', `${dir}/`, { delete: true }));
    const copies = plan
      .filter((c) => c.action === 'copy')
      .map((c) => (c as { destination: string }).destination);
    expect(copies.map((d) => d.split('/').pop()).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(plan.filter((c) => c.action === 'delete')).toHaveLength(1);
    expect(await keysUnder(`${dir}/`)).toEqual([`${dir.slice(1)}/stale.txt`]);
  });

  it('deletes nothing when the copy failed: the source may be what is missing', async () => {
    const broken = faulty(new MemoryProvider(), { failFromOffset: 0 });
    const local = createStorage({ providers: [new FsProvider(), broken.provider] });
    await local.write('mem://src/a.txt', 'a');
    await writeFile(join(dir, 'extra.txt'), 'x');

    const failure = await local.syncTree('mem://src/', `${dir}/`, { delete: true }).done.catch((e) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as { treeResult?: { failed: number; deleted: number } }).treeResult).toMatchObject({
      failed: 1,
      deleted: 0,
    });
    expect(await readFile(join(dir, 'extra.txt'), 'utf8')).toBe('x');
  });

  it('with dryRun copies and deletes nothing', async () => {
    await writeFile(join(dir, 'extra.txt'), 'x');
    const result = await storage.syncTree('mem://src/', `${dir}/`, { delete: true, dryRun: true }).done;
    expect(result.deleted).toBe(0);
    expect(await keysUnder(`${dir}/`)).toEqual([`${dir.slice(1)}/extra.txt`]);
  });
});
