import { ListMultipartUploadsCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { readAll } from '@stowage/core';
import type { FaultProxy, S3ServerHandle } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeMultipartUploadXml, type S3Provider } from '../src/index.js';
import {
  freshBucket,
  type MotoGround,
  payload,
  providerFor,
  s3,
  sha256Of,
  startMotoGround,
} from './support/s3-fixture.js';

const MiB = 1024 * 1024;
let ground: MotoGround;
let server: S3ServerHandle;
let proxy: FaultProxy;
let raw: S3Client;
let provider: S3Provider;
let bucket: string;

beforeAll(async () => {
  ground = await startMotoGround('moto');
  ({ server, proxy, raw, bucket } = ground);
  provider = providerFor(server, {
    multipartThreshold: 6 * MiB,
    partSize: 5 * MiB,
    multipartCopyThreshold: 6 * MiB,
  });
}, 60_000);
afterAll(async () => {
  await provider?.close();
  await ground?.close();
});

async function openUploads(): Promise<number> {
  const out = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return out.Uploads?.length ?? 0;
}

describe('S3 provider on moto', () => {
  it('leaves no multipart upload behind after abortUpload (ListMultipartUploads)', async () => {
    const handle = await provider.beginUpload(s3(bucket, 'aborted/one'));
    await provider.uploadPart(handle, 1, payload(5 * MiB));
    expect(await openUploads()).toBe(1);
    expect((await provider.listParts(handle)).map((p) => p.partNumber)).toEqual([1]);
    await provider.abortUpload(handle);
    expect(await openUploads()).toBe(0);
    await expect(provider.stat(s3(bucket, 'aborted/one'))).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('aborts its own multipart upload when a part keeps failing or the caller cancels', async () => {
    const faulty = providerFor(
      { ...server, endpoint: proxy.endpoint },
      { multipartThreshold: 6 * MiB, partSize: 5 * MiB, maxAttempts: 1 },
    );
    try {
      proxy.inject({
        match: { method: 'PUT', query: { partNumber: '2' } },
        action: { kind: 'status', status: 500, code: 'InternalError' },
        times: Infinity,
      });
      await expect(faulty.write(s3(bucket, 'aborted/failing'), payload(12 * MiB))).rejects.toMatchObject({
        code: 'Transient',
      });
      proxy.clear();
      expect(await openUploads()).toBe(0);
      const controller = new AbortController();
      const slow = (async function* () {
        yield payload(6 * MiB);
        controller.abort();
        yield payload(6 * MiB);
      })();
      await expect(
        faulty.write(s3(bucket, 'aborted/cancelled'), slow, { signal: controller.signal }),
      ).rejects.toMatchObject({
        code: 'Aborted',
      });
      expect(await openUploads()).toBe(0);
      await expect(provider.stat(s3(bucket, 'aborted/failing'))).rejects.toMatchObject({ code: 'NotFound' });
    } finally {
      proxy.clear();
      await faulty.close();
    }
  }, 60_000);

  it('stores and returns an S3 checksum, and enforces If-None-Match on create', async () => {
    const uri = s3(bucket, 'cond/once.txt');
    await provider.write(uri, 'first', { ifNoneMatch: '*' });
    await expect(provider.write(uri, 'second', { ifNoneMatch: '*' })).rejects.toMatchObject({
      code: 'PreconditionFailed',
    });
    const stat = await provider.stat(uri);
    expect(stat.checksums?.crc32).toBeDefined();
    await expect(provider.read(uri, { ifMatch: '"not-the-etag"' })).rejects.toMatchObject({
      code: 'PreconditionFailed',
    });
    expect((await readAll(await provider.read(uri, { ifMatch: stat.etag! }))).toString()).toBe('first');
  });

  it('reads an older version by versionId', async () => {
    const versioned = await freshBucket(raw, 'ver');
    await raw.send(
      new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = await provider.write(s3(versioned, 'doc'), 'one');
    await provider.write(s3(versioned, 'doc'), 'two');
    expect(v1.versionId).toBeDefined();
    const old = { ...s3(versioned, 'doc'), versionId: v1.versionId! };
    expect((await readAll(await provider.read(old))).toString()).toBe('one');
    expect((await provider.stat(old)).versionId).toBe(v1.versionId);
    expect((await readAll(await provider.read(s3(versioned, 'doc')))).toString()).toBe('two');
  });

  it('copies above the multipart-copy threshold with UploadPartCopy, byte-identical', async () => {
    const data = payload(11 * MiB);
    await provider.write(s3(bucket, 'copy/big-src'), data, { metadata: { tag: 'x' } });
    const result = await provider.copy(s3(bucket, 'copy/big-src'), s3(bucket, 'copy/big-dst'));
    expect(result.size).toBe(data.length);
    expect(proxy.requests.length).toBeGreaterThanOrEqual(0);
    expect(await sha256Of(await provider.read(s3(bucket, 'copy/big-dst')))).toBe(await sha256Of(data));
    expect((await provider.stat(s3(bucket, 'copy/big-dst'))).metadata).toEqual({ tag: 'x' });
  });

  it('aborts a presigned multipart upload with plain fetch', async () => {
    const upload = await provider.presignMultipartUpload(s3(bucket, 'presigned/abort.bin'), {
      parts: 2,
      expiresIn: 300,
    });
    const put = await fetch(upload.partUrls[0]!, { method: 'PUT', body: payload(5 * MiB) });
    expect(put.status).toBe(200);
    expect(await openUploads()).toBe(1);
    const aborted = await fetch(upload.abortUrl, { method: 'DELETE' });
    expect(aborted.status).toBe(204);
    expect(await openUploads()).toBe(0);
  });

  it('completes a presigned multipart upload with plain fetch', async () => {
    const data = payload(6 * MiB);
    const upload = await provider.presignMultipartUpload(s3(bucket, 'presigned/done.bin'), { parts: 2 });
    const etags = [];
    for (const [i, body] of [data.subarray(0, 5 * MiB), data.subarray(5 * MiB)].entries()) {
      const response = await fetch(upload.partUrls[i]!, { method: 'PUT', body });
      etags.push({ partNumber: i + 1, etag: response.headers.get('etag')! });
    }
    const done = await fetch(upload.completeUrl, { method: 'POST', body: completeMultipartUploadXml(etags) });
    expect(done.status).toBe(200);
    expect(await sha256Of(await provider.read(s3(bucket, 'presigned/done.bin')))).toBe(await sha256Of(data));
  });

  it('streams a part through uploadPart with S3 checksums on', async () => {
    const handle = await provider.beginUpload(s3(bucket, 'hooks/streamed'));
    const data = payload(5 * MiB + 3);
    const part = await provider.uploadPart(
      handle,
      1,
      (async function* () {
        yield data;
      })(),
      { contentLength: data.length },
    );
    expect(part.checksumCrc32).toBeDefined();
    await provider.completeUpload(handle, [part]);
    expect(await sha256Of(await provider.read(s3(bucket, 'hooks/streamed')))).toBe(await sha256Of(data));
  });
});
