// tsyringe needs its reflect polyfill first (as an app's entry would load it).
import 'reflect-metadata';
import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { createStorage, MemoryProvider, PROVIDER, register, STORAGE_CONFIG, Storage } from '../src/index.js';

// Composition never touches the global container: createStorage and register() compose in a child
// container of their own, so storages share no registrations and the global one stays empty.
describe('composition', () => {
  it('two storages built by createStorage share no providers', async () => {
    const one = createStorage({ providers: [new MemoryProvider()] });
    const two = createStorage({ providers: [new MemoryProvider()] });
    await one.write('mem://ns/only-in-one.txt', 'one');
    await expect(two.stat('mem://ns/only-in-one.txt')).rejects.toMatchObject({ code: 'NotFound' });
    expect(one.providerFor('mem://ns/x')).not.toBe(two.providerFor('mem://ns/x'));
  });

  it('nothing is registered in the global container by createStorage or register()', () => {
    createStorage();
    const child = register();
    expect(child).not.toBe(container);
    expect(child.resolve(Storage)).toBeInstanceOf(Storage);
    expect(container.isRegistered(PROVIDER)).toBe(false);
    expect(container.isRegistered(STORAGE_CONFIG)).toBe(false);
    expect(container.isRegistered(Storage)).toBe(false);
  });
});
