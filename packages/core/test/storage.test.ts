import 'reflect-metadata';
import { container as root } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import {
  createStorage,
  FsProvider,
  InvalidArgumentError,
  InvalidUriError,
  MemoryProvider,
  PROVIDER,
  readAll,
  register,
  Storage,
  UnsupportedOperationError,
  withRetry,
} from '../src/index.js';

describe('Storage', () => {
  it('is built by tsyringe from registered providers, with explicit tokens', async () => {
    const container = register(root.createChildContainer(), { layers: [withRetry()] });
    const storage = container.resolve(Storage);
    await storage.write('mem://ns/k', 'v');
    expect((await readAll(await storage.read('mem://ns/k'))).toString()).toBe('v');
    expect(storage.providers.map((p) => p.name).sort()).toEqual(['fs', 'memory']);
  });

  it('adapters add providers under the PROVIDER token', () => {
    const container = register(root.createChildContainer(), { builtins: false });
    container.register(PROVIDER, { useValue: new MemoryProvider() });
    expect(container.resolve(Storage).providers.map((p) => p.name)).toEqual(['memory']);
  });

  it('can be built with new, without a container', () => {
    const storage = new Storage([new FsProvider()], {});
    expect(() => storage.providerFor('mem://x/y')).toThrow(InvalidUriError);
  });

  it('names the missing adapter for an unregistered scheme', () => {
    const storage = createStorage();
    expect(() => storage.providerFor('s3://bucket/key')).toThrow(/No provider for "s3:"/);
  });

  it('refuses two providers for one scheme', () => {
    expect(() => createStorage({ providers: [new MemoryProvider(), new MemoryProvider()] })).toThrow(
      InvalidArgumentError,
    );
  });

  it('throws UnsupportedOperationError for a capability a provider lacks', async () => {
    await expect(async () => createStorage().presign('mem://a/b')).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
  });
});
