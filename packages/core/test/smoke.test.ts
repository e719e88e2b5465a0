import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStorage, readAll } from '../src/index.js';

describe('smoke', () => {
  it('writes and lists through fs and memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stowage-'));
    const storage = createStorage();
    await storage.write(join(dir, 'a/b.txt'), 'hello');
    await storage.write('mem://ns/x/y', 'world');
    expect((await readAll(await storage.read(join(dir, 'a/b.txt')))).toString()).toBe('hello');
    const keys: string[] = [];
    for await (const e of storage.list(`${dir}/`, { recursive: true })) keys.push(e.key);
    expect(keys).toEqual([`${dir.slice(1)}/a/b.txt`]);
    const mem: string[] = [];
    for await (const e of storage.list('mem://ns/')) mem.push(`${e.type}:${e.key}`);
    expect(mem).toEqual(['prefix:x/']);
  });
});
