import { createStorage, parseUri } from '@stowage/core';
import { type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProvider } from '../src/index.js';
import { drain, payload, quickRetry, serve } from './support.js';

describe('stat', () => {
  let server: HttpTestServer;
  let noHead: HttpTestServer;
  const provider = new HttpProvider();
  beforeAll(async () => {
    server = await startHttpServer();
    noHead = await startHttpServer({ noHead: true });
  });
  afterAll(async () => {
    await provider.close();
    await server.close();
    await noHead.close();
  });

  it('reads size, ETag, Last-Modified, Content-Type and Accept-Ranges from HEAD', async () => {
    const uri = await serve(server, 'a/data.csv', 'x,y\n1,2\n');
    const info = await provider.stat(uri);
    expect(info).toMatchObject({ size: 8, contentType: 'text/csv', acceptsRanges: true });
    expect(info.etag).toMatch(/^"/);
    expect(info.lastModified).toBeInstanceOf(Date);
    expect(server.requests.at(-1)?.method).toBe('HEAD');
  });

  it('falls back to a Range: bytes=0-0 GET when HEAD is refused', async () => {
    const uri = await serve(noHead, 'blob.bin', payload(1000));
    const info = await provider.stat(uri);
    expect(info.size).toBe(1000);
    expect(info.acceptsRanges).toBe(true);
    const methods = noHead.requests.map((r) => `${r.method} ${r.headers.range ?? ''}`.trim());
    expect(methods).toEqual(['HEAD', 'GET bytes=0-0']);
  });

  it('gives size 0 for an empty file behind a HEAD-refusing server', async () => {
    const uri = await serve(noHead, 'empty.bin', '');
    expect((await provider.stat(uri)).size).toBe(0);
  });

  it('maps 404 to NotFoundError', async () => {
    await expect(provider.stat(parseUri(server.urlFor('missing.bin')))).rejects.toMatchObject({
      code: 'NotFound',
    });
  });
});

describe('read', () => {
  let server: HttpTestServer;
  const provider = new HttpProvider();
  const data = payload(300_000);
  beforeAll(async () => {
    server = await startHttpServer();
    await serve(server, 'r/data.bin', data);
    await serve(server, 'r/empty.bin', '');
  });
  afterAll(async () => {
    await provider.close();
    await server.close();
  });
  const uri = () => parseUri(server.urlFor('r/data.bin'));

  it('streams the whole object', async () => {
    expect((await drain(await provider.read(uri()))).equals(data)).toBe(true);
  });

  it('reads byte ranges, clamping an end past the object', async () => {
    expect(
      (await drain(await provider.read(uri(), { range: { start: 10, end: 19 } }))).equals(
        data.subarray(10, 20),
      ),
    ).toBe(true);
    expect(
      (await drain(await provider.read(uri(), { range: { start: 299_990 } }))).equals(data.subarray(299_990)),
    ).toBe(true);
    expect(
      (await drain(await provider.read(uri(), { range: { start: 299_995, end: 999_999 } }))).length,
    ).toBe(5);
  });

  it('rejects a range starting past the end with InvalidArgumentError, and reads an empty object', async () => {
    await expect(provider.read(uri(), { range: { start: 300_000 } })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    await expect(provider.read(uri(), { range: { start: -1 } })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    expect((await drain(await provider.read(parseUri(server.urlFor('r/empty.bin'))))).length).toBe(0);
    expect(
      (await drain(await provider.read(parseUri(server.urlFor('r/empty.bin')), { range: { start: 0 } })))
        .length,
    ).toBe(0);
  });

  it('enforces ifMatch with PreconditionFailedError', async () => {
    const { etag } = await provider.stat(uri());
    expect((await drain(await provider.read(uri(), { ifMatch: etag! }))).length).toBe(data.length);
    await expect(provider.read(uri(), { ifMatch: '"other"' })).rejects.toMatchObject({
      code: 'PreconditionFailed',
    });
  });

  // Continuing after a dropped connection is Storage's (core's resumingRead), one home for every
  // provider: the adapter answers each request once.
  const storage = createStorage({ providers: [new HttpProvider()], retry: quickRetry });

  it('Storage.read continues a body cut mid-way with pinned ranged reads, identical bytes', async () => {
    server.setFault({ kind: 'drop', path: 'r/data.bin', afterBytes: 100_000, times: 2 });
    const before = server.requests.length;
    const got = await drain(await storage.read(server.urlFor('r/data.bin')));
    expect(got.equals(data)).toBe(true);
    const resumed = server.requests.slice(before).filter((r) => r.headers.range);
    expect(resumed.length).toBeGreaterThanOrEqual(2);
    expect(resumed[0]!.headers['if-match']).toMatch(/^"/);
    expect(resumed[0]!.headers['if-range']).toBe(resumed[0]!.headers['if-match']);
  });

  it('Storage.read continues a ranged read that was cut', async () => {
    server.setFault({ kind: 'drop', path: 'r/data.bin', afterBytes: 5_000, times: 1 });
    const got = await drain(
      await storage.read(server.urlFor('r/data.bin'), { range: { start: 1000, end: 200_999 } }),
    );
    expect(got.equals(data.subarray(1000, 201_000))).toBe(true);
  });

  it('the adapter alone does not continue a cut body: it fails, retryable', async () => {
    server.setFault({ kind: 'drop', path: 'r/data.bin', afterBytes: 5_000, times: 1 });
    await expect(drain(await provider.read(uri()))).rejects.toMatchObject({
      code: 'Transient',
      retryable: true,
    });
  });

  it('skips to the range when the server ignores Range (answers 200)', async () => {
    const plain = await startHttpServer({ noRanges: true });
    try {
      const u = await serve(plain, 'd.bin', data);
      const got = await drain(await provider.read(u, { range: { start: 5000, end: 5999 } }));
      expect(got.equals(data.subarray(5000, 6000))).toBe(true);
    } finally {
      await plain.close();
    }
  });

  it('fails (never completes) when a body stays short on a server without ranges', async () => {
    const plain = await startHttpServer({ noRanges: true });
    const once = new HttpProvider();
    try {
      const u = await serve(plain, 'd.bin', data);
      plain.setFault({ kind: 'drop', afterBytes: 50_000 });
      await expect(drain(await once.read(u))).rejects.toMatchObject({ code: 'Transient' });
    } finally {
      await once.close();
      await plain.close();
    }
  });

  it('rejects an HTML login page where a data file was expected', async () => {
    server.setFault({ kind: 'html', path: 'r/granule.nc', times: 1 });
    await serve(server, 'r/granule.nc', 'netcdf bytes');
    await expect(provider.read(parseUri(server.urlFor('r/granule.nc')))).rejects.toMatchObject({
      code: 'AuthenticationRequired',
    });
    // An .html key is a page, and is read as one.
    const page = await serve(server, 'r/index.html', '<html></html>');
    expect((await drain(await provider.read(page))).toString()).toBe('<html></html>');
  });
});
