import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseUri } from '@stowage/core';
import { type DigestHeader, type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumsFromHeaders, HttpProvider } from '../src/index.js';
import { drain, namesIn, payload, removeDir, scratch, serve } from './support.js';

const data = payload(700_000);
const sha256 = createHash('sha256').update(data).digest();
const md5 = createHash('md5').update(data).digest();

describe('digest headers', () => {
  it('parses Repr-Digest, Digest, Content-MD5 and x-amz-checksum-*, skipping composite values', () => {
    expect(
      checksumsFromHeaders({
        'repr-digest': `sha-512=:AAAA:, sha-256=:${sha256.toString('base64')}:`,
        'content-md5': md5.toString('base64'),
        'x-amz-checksum-crc32': 'AAAAAA==',
      }),
    ).toEqual({ sha256: sha256.toString('base64'), md5Hex: md5.toString('hex'), crc32: 'AAAAAA==' });
    expect(
      checksumsFromHeaders({ digest: `SHA-256=${sha256.toString('base64')},MD5=${md5.toString('base64')}` }),
    ).toEqual({
      sha256: sha256.toString('base64'),
      md5Hex: md5.toString('hex'),
    });
    expect(checksumsFromHeaders({ 'content-md5': md5.toString('base64') }, true)).toEqual({});
    expect(checksumsFromHeaders({ 'x-amz-checksum-sha256': 'abc-3' })).toEqual({});
  });
});

describe('verified downloads', () => {
  const servers: HttpTestServer[] = [];
  let out: string;
  const provider = new HttpProvider({ segmentSize: 128 * 1024 });
  beforeAll(async () => {
    out = await scratch();
  });
  afterAll(async () => {
    await provider.close();
    await Promise.all(servers.map((s) => s.close()));
    await removeDir(out);
  });
  const start = async (digests: DigestHeader[]) => {
    const server = await startHttpServer({ digests });
    servers.push(server);
    await serve(server, 'f.bin', data);
    return server;
  };

  for (const [header, name] of [
    ['repr-digest', 'sha256'],
    ['digest', 'sha256'],
    ['content-md5', 'md5Hex'],
    ['x-amz-checksum-sha256', 'sha256'],
  ] as const) {
    it(`verifies against ${header}, and refuses a corrupted body leaving nothing`, async () => {
      const server = await start([header]);
      const ok = await provider.downloadToFile(server.urlFor('f.bin'), join(out, `${header}.bin`), {
        concurrency: 1,
      });
      expect(ok.verified).toEqual([name]);
      const dir = await scratch();
      try {
        server.setFault({ kind: 'corrupt', path: 'f.bin', times: 1 });
        await expect(
          provider.downloadToFile(server.urlFor('f.bin'), join(dir, 'f.bin')),
        ).rejects.toMatchObject({
          code: 'ChecksumMismatch',
        });
        expect(await namesIn(dir)).toEqual([]);
      } finally {
        await removeDir(dir);
      }
    });
  }

  it('fails a streamed read whose bytes do not match the announced digest', async () => {
    const server = await start(['repr-digest']);
    server.setFault({ kind: 'corrupt', path: 'f.bin', times: 1 });
    await expect(drain(await provider.read(parseUri(server.urlFor('f.bin'))))).rejects.toMatchObject({
      code: 'ChecksumMismatch',
    });
    expect((await drain(await provider.read(parseUri(server.urlFor('f.bin'))))).equals(data)).toBe(true);
  });

  it('checks a .sha256 / .md5 sidecar when asked', async () => {
    const server = await start([]);
    await writeFile(join(server.dir, 'f.bin.sha256'), `${sha256.toString('hex')}  f.bin\n`);
    const viaSha = await provider.downloadToFile(server.urlFor('f.bin'), join(out, 'side.bin'), {
      sidecar: 'sha256',
    });
    expect(viaSha.verified).toEqual(['sha256']);
    await serve(server, 'g.bin', data);
    await writeFile(join(server.dir, 'g.bin.md5'), `MD5 (g.bin) = ${md5.toString('hex')}\n`);
    const viaAuto = await provider.downloadToFile(server.urlFor('g.bin'), join(out, 'side2.bin'), {
      sidecar: 'auto',
    });
    expect(viaAuto.verified).toEqual(['md5Hex']);
    await writeFile(join(server.dir, 'f.bin.sha256'), `${'0'.repeat(64)}  f.bin\n`);
    const dir = await scratch();
    try {
      await expect(
        provider.downloadToFile(server.urlFor('f.bin'), join(dir, 'f.bin'), { sidecar: 'sha256' }),
      ).rejects.toMatchObject({ code: 'ChecksumMismatch' });
      expect(await namesIn(dir)).toEqual([]);
      await expect(
        provider.downloadToFile(server.urlFor('g.bin'), join(dir, 'g.bin'), { sidecar: 'sha256' }),
      ).rejects.toMatchObject({ code: 'NotFound' });
    } finally {
      await removeDir(dir);
    }
  });

  it('checks the caller’s expected checksum', async () => {
    const server = await start([]);
    const dir = await scratch();
    try {
      await expect(
        provider.downloadToFile(server.urlFor('f.bin'), join(dir, 'f.bin'), {
          checksum: { md5Hex: '0'.repeat(32) },
        }),
      ).rejects.toMatchObject({ code: 'ChecksumMismatch' });
      const ok = await provider.downloadToFile(server.urlFor('f.bin'), join(dir, 'f.bin'), {
        checksum: { md5Hex: md5.toString('hex') },
      });
      expect(ok.verified).toEqual(['md5Hex']);
    } finally {
      await removeDir(dir);
    }
  });

  it('refuses to save an HTML login page as data (earthaccess #307)', async () => {
    const server = await start([]);
    await serve(server, 'granule.nc', data);
    server.setFault({ kind: 'html', path: 'granule.nc' });
    const dir = await scratch();
    try {
      await expect(
        provider.downloadToFile(server.urlFor('granule.nc'), join(dir, 'granule.nc')),
      ).rejects.toMatchObject({
        code: 'AuthenticationRequired',
      });
      await expect(
        provider.downloadToFile(server.urlFor('granule.nc'), join(dir, 'api'), {
          expectedContentType: 'application/x-netcdf',
        }),
      ).rejects.toMatchObject({ code: 'AuthenticationRequired' });
      expect(await namesIn(dir)).toEqual([]);
      const lenient = new HttpProvider({ refuseHtml: false });
      await lenient.downloadToFile(server.urlFor('granule.nc'), join(dir, 'page.nc'));
      expect(await readFile(join(dir, 'page.nc'), 'utf8')).toMatch(/<form/);
      await lenient.close();
    } finally {
      await removeDir(dir);
    }
  });
});
