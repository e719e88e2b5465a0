import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createStorage,
  defineProvider,
  MemoryProvider,
  NO_CAPABILITIES,
  NotFoundError,
  type ObjectStat,
  parseUri,
  readAll,
  type StorageUri,
  UnsupportedOperationError,
} from '../src/index.js';

// A read-only adapter writes stat and read and nothing else: defineProvider makes every other
// operation refuse with UnsupportedOperationError, and the engine copies from it like any source.
const files = new Map([['greeting.txt', 'hello from a read-only adapter']]);
const readOnly = defineProvider({
  name: 'table',
  schemes: ['table'],
  capabilities: { ...NO_CAPABILITIES, read: true },
  async stat(uri: StorageUri): Promise<ObjectStat> {
    const text = files.get(uri.key);
    if (text === undefined) throw new NotFoundError(`No ${uri.key}`, { provider: 'table' });
    return { uri, size: Buffer.byteLength(text) };
  },
  async read(uri: StorageUri): Promise<Readable> {
    await this.stat(uri);
    return Readable.from([Buffer.from(files.get(uri.key)!)]);
  },
});

describe('defineProvider', () => {
  const uri = parseUri('table://t/greeting.txt');

  it('leaves what the adapter wrote as it is', async () => {
    expect((await readAll(await readOnly.read(uri))).toString()).toBe(files.get('greeting.txt'));
  });

  it('makes write, list and delete refuse with UnsupportedOperationError; deleteMany reports it per key', async () => {
    await expect(readOnly.write(uri, 'x')).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(readOnly.delete(uri)).rejects.toBeInstanceOf(UnsupportedOperationError);
    const listing = readOnly.list(parseUri('table://t/'))[Symbol.asyncIterator]();
    await expect(listing.next()).rejects.toBeInstanceOf(UnsupportedOperationError);
    const outcomes = [];
    for await (const outcome of readOnly.deleteMany([uri])) outcomes.push(outcome);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.error).toBeInstanceOf(UnsupportedOperationError);
  });

  it('is a source the engine copies from', async () => {
    const memory = new MemoryProvider();
    const storage = createStorage({ providers: [readOnly, memory] });
    const result = await storage.copy('table://t/greeting.txt', 'mem://out/greeting.txt');
    expect(result.strategy).toBe('stream');
    expect((await readAll(await memory.read(parseUri('mem://out/greeting.txt')))).toString()).toBe(
      files.get('greeting.txt'),
    );
  });
});
