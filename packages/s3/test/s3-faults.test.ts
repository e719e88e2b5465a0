import { applyLayers, type CredentialSource, Credentials, readAll, withRetry } from '@stowage/core';
import {
  type FaultProxy,
  type S3ServerHandle,
  slowDown,
  startFaultProxy,
  startS3Server,
} from '@stowage/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clearAwsEnv,
  freshBucket,
  payload,
  providerFor,
  rawClient,
  s3,
  sha256Of,
} from './support/s3-fixture.js';

const MiB = 1024 * 1024;
let server: S3ServerHandle;
let proxy: FaultProxy;
let bucket: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = clearAwsEnv();
  server = await startS3Server();
  bucket = await freshBucket(rawClient(server), 'faults');
  proxy = await startFaultProxy({ target: server.endpoint });
});
afterEach(() => proxy.clear());
afterAll(async () => {
  await proxy?.close();
  await server?.close();
  restoreEnv?.();
});

/** The provider pointed at the proxy instead of the server. */
function viaProxy(options: Parameters<typeof providerFor>[1] = {}) {
  return providerFor({ ...server, endpoint: proxy.endpoint }, options);
}

describe('S3 provider under injected faults (s3rver behind a fault proxy)', () => {
  it('uploads 100 MiB in parts with one part failing mid-body, retried, byte-identical', async () => {
    const provider = viaProxy();
    try {
      const data = payload(100 * MiB);
      const fault = proxy.inject({
        match: { method: 'PUT', query: { partNumber: '3', uploadId: true } },
        action: { kind: 'reset', afterRequestBytes: 1 * MiB },
      });
      const uri = s3(bucket, 'big/100MiB.bin');
      const result = await provider.write(uri, data);
      expect(fault.hits).toBe(1);
      const part3 = proxy.requests.filter((r) => r.method === 'PUT' && r.query.get('partNumber') === '3');
      expect(part3).toHaveLength(2);
      expect(part3[0]!.fault).toBe('reset');
      expect(result.size).toBe(data.length);
      expect(await sha256Of(await provider.read(uri))).toBe(await sha256Of(data));
    } finally {
      await provider.close();
    }
  }, 120_000);

  it('maps a part whose connection resets on every attempt to a retryable Transient "connection reset", not Timeout', async () => {
    const provider = viaProxy({ maxAttempts: 2, multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    try {
      const fault = proxy.inject({
        match: { method: 'PUT', query: { partNumber: '2', uploadId: true } },
        action: { kind: 'reset', afterRequestBytes: 64 * 1024 },
        times: Infinity,
      });
      const error = await provider.write(s3(bucket, 'reset/part.bin'), payload(12 * MiB)).catch((e) => e);
      expect(fault.hits).toBeGreaterThanOrEqual(2);
      expect(error).toMatchObject({ code: 'Transient', retryable: true, provider: 's3' });
      expect(error.message).toMatch(/upload part 2 .* connection reset \(ECONNRESET\)/);
    } finally {
      await provider.close();
    }
  });

  it('rides out a burst of 503 SlowDown (the retry layer), and maps a longer one to a retryable Transient error with its request id', async () => {
    const adapter = viaProxy();
    const provider = applyLayers(adapter, [withRetry({ baseDelayMs: 10, maxDelayMs: 100 })]);
    try {
      await provider.write(s3(bucket, 'slow.txt'), 'patience');
      proxy.inject({ match: { method: 'GET', path: `/${bucket}/slow.txt` }, action: slowDown(), times: 2 });
      expect((await readAll(await provider.read(s3(bucket, 'slow.txt')))).toString()).toBe('patience');
      proxy.inject({
        match: { method: 'GET', path: `/${bucket}/slow.txt` },
        action: slowDown(0),
        times: Infinity,
      });
      const error = await provider.read(s3(bucket, 'slow.txt')).catch((e) => e);
      expect(error).toMatchObject({ code: 'Transient', retryable: true, provider: 's3' });
      expect(error.requestId).toMatch(/^FAULTPROXY\d+$/);
      expect(error.message).toContain('SlowDown');
      expect(error.message).toContain('HTTP 503');
      expect(error.cause).toBeDefined();
    } finally {
      await adapter.close();
    }
  });

  it('fails a read whose connection resets mid-body, or whose body is cut short, with a retryable error', async () => {
    const provider = viaProxy();
    try {
      const uri = s3(bucket, 'cut.bin');
      await provider.write(uri, payload(2 * MiB));
      proxy.inject({
        match: { method: 'GET', path: `/${bucket}/cut.bin` },
        action: { kind: 'resetMidBody' },
      });
      const reset = await readAll(await provider.read(uri)).catch((e) => e);
      expect(reset).toMatchObject({ retryable: true });
      expect(['Transient', 'ChecksumMismatch']).toContain(reset.code);
      proxy.inject({
        match: { method: 'GET', path: `/${bucket}/cut.bin` },
        action: { kind: 'truncate', afterBytes: 1000 },
      });
      const cut = await readAll(await provider.read(uri)).catch((e) => e);
      expect(cut).toMatchObject({ retryable: true });
      expect(['Transient', 'ChecksumMismatch']).toContain(cut.code);
    } finally {
      await provider.close();
    }
  });

  it('restarts a read whose connection resets before the first body byte, once per fault, and returns the whole object', async () => {
    const provider = viaProxy();
    try {
      const uri = s3(bucket, 'early-reset.bin');
      const data = payload(1 * MiB + 17);
      await provider.write(uri, data);
      const fault = proxy.inject({
        match: { method: 'GET', path: `/${bucket}/early-reset.bin` },
        action: { kind: 'resetMidBody', afterBytes: 0 },
        times: 2,
      });
      expect(await sha256Of(await provider.read(uri))).toBe(await sha256Of(data));
      expect(fault.hits).toBe(2);
      const gets = proxy.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/early-reset.bin'));
      expect(gets).toHaveLength(3);
      // Bounded: a third reset in a row reaches the caller.
      proxy.inject({
        match: { method: 'GET', path: `/${bucket}/early-reset.bin` },
        action: { kind: 'resetMidBody', afterBytes: 0 },
        times: 3,
      });
      const failed = await provider
        .read(uri)
        .then(readAll)
        .catch((e) => e);
      expect(failed).toMatchObject({ code: 'Transient', retryable: true });
    } finally {
      await provider.close();
    }
  });

  it('refreshes credentials once after ExpiredToken, then asks for a login when they stay expired', async () => {
    const calls: boolean[] = [];
    const source: CredentialSource = {
      name: 'session',
      resolve: async (context) => {
        calls.push(context?.forceRefresh === true);
        return Credentials.aws(
          { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: 'session-token' },
          'session',
        );
      },
    };
    const provider = viaProxy({ credentials: source });
    try {
      await provider.write(s3(bucket, 'session.txt'), 'x');
      proxy.inject({
        match: { method: 'GET' },
        action: {
          kind: 'status',
          status: 400,
          code: 'ExpiredToken',
          message: 'The provided token has expired.',
        },
      });
      calls.length = 0;
      expect((await readAll(await provider.read(s3(bucket, 'session.txt')))).toString()).toBe('x');
      expect(calls).toContain(true);
      proxy.inject({
        match: { method: 'GET' },
        action: { kind: 'status', status: 400, code: 'ExpiredToken' },
        times: Infinity,
      });
      const error = await provider.read(s3(bucket, 'session.txt')).catch((e) => e);
      expect(error).toMatchObject({ code: 'AuthenticationRequired' });
    } finally {
      await provider.close();
    }
  });

  it('explains a 403 that may be requester-pays, and retries with the payer header only when allowed', async () => {
    const plain = viaProxy();
    const payer = viaProxy({ retryWithRequestPayer: true });
    try {
      await plain.write(s3(bucket, 'rp.txt'), 'paid');
      // As S3 answers a requester-pays bucket when x-amz-request-payer is missing.
      proxy.inject({
        match: { method: 'GET', headers: { 'x-amz-request-payer': false } },
        action: { kind: 'status', status: 403, code: 'AccessDenied', message: 'Access Denied' },
        times: Infinity,
      });
      const error = await plain.read(s3(bucket, 'rp.txt')).catch((e) => e);
      expect(error).toMatchObject({ code: 'PermissionDenied' });
      expect(error.hint).toMatch(/requester-pays/);
      expect((await readAll(await payer.read(s3(bucket, 'rp.txt')))).toString()).toBe('paid');
      expect(proxy.requests.at(-1)!.headers['x-amz-request-payer']).toBe('requester');
    } finally {
      await plain.close();
      await payer.close();
    }
  });

  it('follows a wrong-region answer once and remembers the bucket region', async () => {
    const provider = viaProxy();
    try {
      await provider.write(s3(bucket, 'where.txt'), 'here');
      const redirect = proxy.inject({
        match: { headers: { authorization: /\/us-east-1\/s3\// } },
        action: {
          kind: 'status',
          status: 301,
          code: 'PermanentRedirect',
          headers: { 'x-amz-bucket-region': 'eu-west-1' },
        },
        times: Infinity,
      });
      expect((await provider.stat(s3(bucket, 'where.txt'))).size).toBe(4);
      expect(provider.regionCache.get(bucket)).toBe('eu-west-1');
      expect((await readAll(await provider.read(s3(bucket, 'where.txt')))).toString()).toBe('here');
      expect(redirect.hits).toBe(1);
      expect(proxy.requests.at(-1)!.headers.authorization).toContain('/eu-west-1/s3/');
    } finally {
      await provider.close();
    }
  });

  it('never follows a wrong-region answer whose region is not a region name (it would become the host)', async () => {
    const provider = viaProxy();
    try {
      await provider.write(s3(bucket, 'bogus-region.txt'), 'here');
      const before = proxy.requests.length;
      proxy.inject({
        match: { path: `/${bucket}/bogus-region.txt` },
        action: {
          kind: 'status',
          status: 301,
          code: 'PermanentRedirect',
          headers: { 'x-amz-bucket-region': 'evil.example/x#' },
        },
        times: Infinity,
      });
      const error = await provider.stat(s3(bucket, 'bogus-region.txt')).catch((e) => e);
      expect(error).toMatchObject({ code: 'InvalidConfig', retryable: false });
      expect(`${error.message} ${error.hint}`).not.toContain('evil.example');
      expect(provider.regionCache.get(bucket)).toBeUndefined();
      // One request, to the configured endpoint, signed for the provider's own region.
      expect(proxy.requests.slice(before)).toHaveLength(1);
      expect(proxy.requests.at(-1)!.headers.authorization).toContain('/us-east-1/s3/');
    } finally {
      await provider.close();
    }
  });

  it('addresses buckets by path with any custom endpoint unless forcePathStyle says otherwise (localhost too)', async () => {
    const local = proxy.endpoint.replace('127.0.0.1', 'localhost');
    const provider = viaProxy({ endpoint: local, forcePathStyle: undefined });
    try {
      const before = proxy.requests.length;
      await provider.write(s3(bucket, 'by-path.txt'), 'path style');
      expect((await readAll(await provider.read(s3(bucket, 'by-path.txt')))).toString()).toBe('path style');
      const sent = proxy.requests.slice(before);
      expect(sent.length).toBeGreaterThanOrEqual(2);
      for (const request of sent) {
        expect(request.path.startsWith(`/${bucket}/`)).toBe(true);
        expect(request.headers.host).toBe(new URL(local).host);
      }
    } finally {
      await provider.close();
    }
  });

  it('falls back to an unsigned read after a 403 only when asked, says so, and never for writes', async () => {
    const provider = viaProxy({ unsignedReadFallback: true });
    try {
      await provider.write(s3(bucket, 'public.txt'), 'open data');
      proxy.inject({
        match: { headers: { authorization: true } },
        action: { kind: 'status', status: 403, code: 'AccessDenied' },
        times: Infinity,
      });
      const stream = await provider.read(s3(bucket, 'public.txt'));
      expect((await readAll(stream)).toString()).toBe('open data');
      expect(stream.unsignedFallback).toMatch(/unsignedReadFallback/);
      expect(proxy.requests.at(-1)!.headers.authorization).toBeUndefined();
      expect((await provider.stat(s3(bucket, 'public.txt'))).unsignedFallback).toBeDefined();
      await expect(provider.write(s3(bucket, 'public.txt'), 'overwrite')).rejects.toMatchObject({
        code: 'PermissionDenied',
      });
    } finally {
      await provider.close();
    }
  });

  it('keeps keys, tokens and signatures out of error messages, hints and JSON', async () => {
    const accessKeyId = 'AKIAIOSFODNN7EXAMPLE';
    const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const sessionToken = 'FwoGZXIvYXdzEXAMPLETOKENVALUE';
    const provider = viaProxy({
      credentials: {
        name: 'leaky',
        resolve: async () => Credentials.aws({ accessKeyId, secretAccessKey, sessionToken }, 'leaky'),
      },
    });
    try {
      proxy.inject({
        match: { method: 'GET' },
        action: {
          kind: 'status',
          status: 403,
          code: 'SignatureDoesNotMatch',
          message: `The request signature we calculated does not match the signature you provided. Key ${accessKeyId}`,
          extraXml: `<AWSAccessKeyId>${accessKeyId}</AWSAccessKeyId><SignatureProvided>deadbeef</SignatureProvided>`,
        },
      });
      const error = await provider.read(s3(bucket, 'any.txt')).catch((e) => e);
      expect(error).toMatchObject({ code: 'PermissionDenied' });
      const signature = /Signature=([0-9a-f]+)/.exec(
        String(proxy.requests.at(-1)!.headers.authorization),
      )![1]!;
      const { inspect } = await import('node:util');
      for (const text of [
        error.message,
        error.hint,
        JSON.stringify(error),
        String(error),
        inspect(error, { depth: 8 }),
      ]) {
        for (const secret of [accessKeyId, secretAccessKey, sessionToken, signature])
          expect(text).not.toContain(secret);
      }
      const url = await provider.presign(s3(bucket, 'any.txt'));
      proxy.inject({
        match: { method: 'GET' },
        action: { kind: 'status', status: 403, code: 'AccessDenied' },
      });
      const failed = await provider.read(s3(bucket, 'any.txt')).catch((e) => e);
      expect(failed.message).not.toContain(new URL(url).searchParams.get('X-Amz-Signature')!);
    } finally {
      await provider.close();
    }
  });

  it('times out a request that stalls longer than requestTimeoutMs, as a retryable error', async () => {
    const provider = viaProxy({ requestTimeoutMs: 200, maxAttempts: 1 });
    try {
      await provider.write(s3(bucket, 'stall.txt'), 'late');
      proxy.inject({ match: { method: 'HEAD' }, action: { kind: 'latency', ms: 1500 } });
      const started = Date.now();
      const error = await provider.stat(s3(bucket, 'stall.txt')).catch((e) => e);
      expect(Date.now() - started).toBeLessThan(1400);
      expect(error).toMatchObject({ retryable: true });
      expect(['Timeout', 'Transient']).toContain(error.code);
    } finally {
      await provider.close();
    }
  });

  it('sends anonymous requests without an Authorization header', async () => {
    const provider = viaProxy({ anonymous: true });
    try {
      await provider.stat(s3(bucket, 'slow.txt')).catch(() => undefined);
      expect(proxy.requests.at(-1)!.headers.authorization).toBeUndefined();
    } finally {
      await provider.close();
    }
  });
});
