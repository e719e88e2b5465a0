import { register as registerCore, Storage } from '@stowage/core';
import { type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProvider, register } from '../src/index.js';
import { drain, serve } from './support.js';

describe('register', () => {
  let server: HttpTestServer;
  beforeAll(async () => {
    server = await startHttpServer();
    await serve(server, 'hello.txt', 'hi');
  });
  afterAll(async () => server.close());

  it('adds the provider under PROVIDER so a resolved Storage serves http(s)', async () => {
    const container = registerCore().createChildContainer();
    register(container, { timeouts: { connectMs: 5_000 } });
    const storage = container.resolve(Storage);
    expect(storage.providerFor('https://example.org/x').name).toBe('http');
    expect((await drain(await storage.read(server.urlFor('hello.txt')))).toString()).toBe('hi');
    await storage.close();
  });

  it('declares capabilities from its options', () => {
    expect(new HttpProvider({ allowWrite: true, listing: 'autoindex-json' }).capabilities).toMatchObject({
      write: true,
      delete: false,
      list: true,
      conditionalWrite: true,
      multipart: false,
    });
    expect(
      new HttpProvider({ allowWrite: true, conditionalWrite: false }).capabilities.conditionalWrite,
    ).toBe(false);
    expect(() => new HttpProvider({ headers: { Authorization: 'x' } })).toThrow(/pass credentials instead/);
    expect(() => new HttpProvider({ segmentSize: 0 })).toThrow(/segmentSize/);
  });
});
