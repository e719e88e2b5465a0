import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Entry, parseUri } from '@stowage/core';
import { type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProvider } from '../src/index.js';
import { serve } from './support.js';

async function collect(entries: AsyncIterable<Entry>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of entries) out.push(e.type === 'prefix' ? `${e.key} (prefix)` : `${e.key} ${e.size}`);
  return out;
}

describe('write and delete', () => {
  let server: HttpTestServer;
  const provider = new HttpProvider({ allowWrite: true, allowDelete: true });
  beforeAll(async () => {
    server = await startHttpServer({ writable: true });
  });
  afterAll(async () => {
    await provider.close();
    await server.close();
  });

  it('PUTs a buffer and a stream, then DELETEs (a missing object is fine)', async () => {
    const a = parseUri(server.urlFor('up/a.txt'));
    const result = await provider.write(a, 'hello');
    expect(result).toMatchObject({ size: 5 });
    expect(result.etag).toMatch(/^"/);
    expect(await readFile(join(server.dir, 'up/a.txt'), 'utf8')).toBe('hello');
    const b = parseUri(server.urlFor('up/b c.bin'));
    const progress: number[] = [];
    await provider.write(b, Readable.from([Buffer.alloc(70_000, 1), Buffer.alloc(30_000, 2)]), {
      contentLength: 100_000,
      onProgress: (n) => progress.push(n),
    });
    expect((await stat(join(server.dir, 'up/b c.bin'))).size).toBe(100_000);
    expect(progress.at(-1)).toBe(100_000);
    await provider.delete(a);
    await provider.delete(a);
    await expect(stat(join(server.dir, 'up/a.txt'))).rejects.toThrow();
  });

  it('honours ifNoneMatch: * with PreconditionFailedError', async () => {
    const uri = parseUri(server.urlFor('up/once.txt'));
    await provider.write(uri, 'first', { ifNoneMatch: '*' });
    await expect(provider.write(uri, 'second', { ifNoneMatch: '*' })).rejects.toMatchObject({
      code: 'PreconditionFailed',
    });
    expect(await readFile(join(server.dir, 'up/once.txt'), 'utf8')).toBe('first');
  });

  it('refuses a body whose digest or length is not what the caller said, storing nothing', async () => {
    const uri = parseUri(server.urlFor('up/bad.txt'));
    const wrong = createHash('sha256').update('other').digest('base64');
    await expect(provider.write(uri, 'content', { checksum: { sha256: wrong } })).rejects.toMatchObject({
      code: 'ChecksumMismatch',
    });
    await expect(
      provider.write(uri, Readable.from([Buffer.from('content')]), { checksum: { sha256: wrong } }),
    ).rejects.toMatchObject({ code: 'ChecksumMismatch' });
    await expect(
      provider.write(uri, Readable.from([Buffer.from('short')]), { contentLength: 100 }),
    ).rejects.toMatchObject({ code: 'ChecksumMismatch' });
    await expect(stat(join(server.dir, 'up/bad.txt'))).rejects.toThrow();
  });

  it('throws UnsupportedOperationError when writes are not enabled, or the server refuses the method', async () => {
    const readOnly = new HttpProvider();
    expect(readOnly.capabilities).toMatchObject({
      write: false,
      delete: false,
      list: false,
      read: true,
      rangeRead: true,
    });
    await expect(readOnly.write(parseUri(server.urlFor('x')), 'x')).rejects.toMatchObject({
      code: 'Unsupported',
    });
    await expect(readOnly.delete(parseUri(server.urlFor('x')))).rejects.toMatchObject({
      code: 'Unsupported',
    });
    const plain = await startHttpServer();
    try {
      await expect(provider.write(parseUri(plain.urlFor('x')), 'x')).rejects.toMatchObject({
        code: 'Unsupported',
      });
    } finally {
      await plain.close();
      await readOnly.close();
    }
  });
});

describe('list', () => {
  let server: HttpTestServer;
  const provider = new HttpProvider({ listing: 'autoindex-json' });
  beforeAll(async () => {
    server = await startHttpServer({ autoindex: 'json' });
    for (const key of ['d/a.txt', 'd/a-b.txt', 'd/a/x.txt', 'd/a/y/z.txt', 'd/b.txt', 'top.txt'])
      await serve(server, key, key);
    await mkdir(join(server.dir, 'd/empty'), { recursive: true });
  });
  afterAll(async () => {
    await provider.close();
    await server.close();
  });

  it('lists one level with prefixes, hiding empty directories', async () => {
    expect(await collect(provider.list(parseUri(server.urlFor('d/'))))).toEqual([
      'd/a-b.txt 9',
      'd/a.txt 7',
      'd/a/ (prefix)',
      'd/b.txt 7',
    ]);
  });

  it('lists recursively in key order, and by name prefix', async () => {
    expect(await collect(provider.list(parseUri(server.urlFor('d/')), { recursive: true }))).toEqual([
      'd/a-b.txt 9',
      'd/a.txt 7',
      'd/a/x.txt 9',
      'd/a/y/z.txt 11',
      'd/b.txt 7',
    ]);
    expect(await collect(provider.list(parseUri(server.urlFor('d/a')), { recursive: true }))).toEqual([
      'd/a-b.txt 9',
      'd/a.txt 7',
      'd/a/x.txt 9',
      'd/a/y/z.txt 11',
    ]);
    expect(await collect(provider.list(parseUri(server.urlFor('nothing/'))))).toEqual([]);
  });

  it('refuses to list without a JSON autoindex', async () => {
    const html = await startHttpServer({ autoindex: 'html' });
    try {
      await expect(collect(provider.list(parseUri(html.urlFor(''))))).rejects.toMatchObject({
        code: 'Unsupported',
      });
      await expect(collect(new HttpProvider().list(parseUri(server.urlFor('d/'))))).rejects.toMatchObject({
        code: 'Unsupported',
      });
    } finally {
      await html.close();
    }
  });
});
