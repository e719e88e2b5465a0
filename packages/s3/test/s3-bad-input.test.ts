import { choosePartSize, parseUri } from '@stowage/core';
import { type FaultProxy, startFaultProxy } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketNameProblem, S3_LIMITS, S3Provider } from '../src/index.js';

// A proxy in front of nothing: any request that slips through is recorded.
let proxy: FaultProxy;
let provider: S3Provider;
beforeAll(async () => {
  proxy = await startFaultProxy({ target: 'http://127.0.0.1:9' });
  provider = new S3Provider({
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    versioning: false,
    credentials: { name: 'none', resolve: async () => undefined },
  });
});
afterAll(async () => {
  await provider?.close();
  await proxy?.close();
});

describe('S3 provider rejects bad input before any request', () => {
  it.each([
    ['ab', /3 to 63/],
    ['a'.repeat(64), /3 to 63/],
    ['My_Bucket', /lower-case/],
    ['-bucket', /begin and end/],
    ['bucket-', /begin and end/],
    ['my..bucket', /adjacent periods/],
    ['192.168.5.4', /IP addresses/],
    ['xn--bucket', /xn--/],
    ['bucket-s3alias', /-s3alias/],
  ])('bucket name %s', async (name, rule) => {
    expect(bucketNameProblem(name)).toMatch(rule);
    const error = await provider.stat(parseUri(`s3://${name}/key`)).catch((e) => e);
    expect(error).toMatchObject({ code: 'InvalidUri' });
    expect(error.message).toContain(name);
    expect(error.message).toMatch(rule);
  });

  it('accepts legacy bucket names only when asked', () => {
    expect(bucketNameProblem('Legacy_Bucket', 'legacy')).toBeUndefined();
    expect(bucketNameProblem('my-data.bucket-01')).toBeUndefined();
  });

  it('keys over 1,024 UTF-8 bytes', async () => {
    const key = 'é'.repeat(513); // 1,026 bytes
    await expect(provider.write(parseUri(`s3://bucket/${key}`), 'x')).rejects.toMatchObject({
      code: 'InvalidUri',
      message: expect.stringMatching(/1026 bytes.*1024/),
    });
    await expect(provider.stat(parseUri(`s3://bucket/${'k'.repeat(1024)}`))).rejects.not.toMatchObject({
      code: 'InvalidUri',
    });
  });

  it('a versionId when the provider has no versioning', async () => {
    await expect(provider.read(parseUri('s3://bucket/key?versionId=abc'))).rejects.toMatchObject({
      code: 'Unsupported',
    });
  });

  it('an endpoint that is not an http(s) URL', () => {
    expect(() => new S3Provider({ endpoint: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
    expect(() => new S3Provider({ endpoint: 'ftp://host' })).toThrow(/http/);
    expect(() => new S3Provider({ endpoint: 'http://user:pw@host' })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
  });

  it('a part size that is no byte count, and other out-of-range options', () => {
    expect(() => new S3Provider({ partSize: 0 })).toThrow(/partSize/);
    expect(() => new S3Provider({ concurrency: 0 })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
    expect(
      () => new S3Provider({ anonymous: true, credentials: { name: 'x', resolve: async () => undefined } }),
    ).toThrow(/exclude/);
    expect(() => new S3Provider({ checksumAlgorithm: 'MD5' as never })).toThrow(/CRC32/);
  });

  it('bad ranges, part numbers and presign lifetimes', async () => {
    const uri = parseUri('s3://bucket/key');
    await expect(provider.read(uri, { range: { start: 5, end: 2 } })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    await expect(provider.uploadPart({ uri, uploadId: 'u' }, 10_001, 'x')).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    await expect(provider.presign(uri, { expiresIn: 0 })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(provider.read(parseUri('s3://bucket/'))).rejects.toMatchObject({ code: 'InvalidUri' });
  });

  it('a malformed region: InvalidArgument as an option, InvalidConfig from the environment', () => {
    for (const region of [
      'evil.com/x#',
      'us-east-1\u0000',
      '../',
      '',
      '-us-east-1',
      '12345',
      'a'.repeat(64),
    ]) {
      const error = (() => {
        try {
          new S3Provider({ region, endpoint: proxy.endpoint });
        } catch (e) {
          return e as { code?: string; message: string; retryable?: boolean };
        }
        return undefined;
      })();
      expect(error, region).toMatchObject({ code: 'InvalidArgument', retryable: false });
      expect(error!.message).toContain(JSON.stringify(region));
    }
    expect(
      () =>
        new S3Provider({
          resolveContext: { env: { AWS_DEFAULT_REGION: 'eu-west-1/../x' }, homedir: '/nonexistent' },
        }),
    ).toThrow(expect.objectContaining({ code: 'InvalidConfig', uri: 'AWS_DEFAULT_REGION' }));
    // Well-formed names pass, AWS's and any S3-compatible store's.
    for (const region of ['us-east-1', 'eu-central-2', 'auto', 'garage', 'US-EAST-1']) {
      expect(() => new S3Provider({ region }), region).not.toThrow();
    }
  });

  it('made no request for any of it', () => {
    // Only the "1,024-byte key is fine" probe above went out.
    expect(proxy.requests.filter((r) => !r.path.includes('kkkk'))).toEqual([]);
  });

  it("sizes parts by S3's table: grown to stay within 10,000 parts, refused past 5 TiB", () => {
    const MiB = 1024 * 1024;
    const partSizeFor = (size: number, preferred: number) =>
      choosePartSize(size, preferred, S3_LIMITS, 's3://b/k').partSize;
    expect(partSizeFor(100 * MiB, 8 * MiB)).toBe(8 * MiB);
    const size = 200 * 1024 * MiB;
    const grown = partSizeFor(size, 8 * MiB);
    expect(Math.ceil(size / grown)).toBeLessThanOrEqual(10_000);
    expect(grown % MiB).toBe(0);
    expect(() => partSizeFor(6 * 1024 ** 4, 8 * MiB)).toThrow(/largest object/);
    expect(partSizeFor(50 * MiB, 1 * MiB)).toBe(5 * MiB);
  });
});
