import {
  applyLayers,
  createStorage,
  MemoryProvider,
  parseUri,
  type RetryNotice,
  type RetryOptions,
  withRetry,
} from '@stowage/core';
import { type HttpTestServer, startHttpServer } from '@stowage/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, HttpProvider } from '../src/index.js';
import { drain, payload, quickRetry, serve } from './support.js';

// The HTTP adapter makes one attempt per request; retries are the retry layer's (one policy for
// every provider, applied by Storage by default). These tests compose it as Storage does.
function retrying(policy: RetryOptions = {}) {
  return applyLayers(new HttpProvider(), [withRetry({ ...quickRetry, ...policy })]);
}

describe('retries (the retry layer over the HTTP adapter)', () => {
  let server: HttpTestServer;
  beforeAll(async () => {
    server = await startHttpServer();
    await serve(server, 'f.bin', payload(10_000));
  });
  afterAll(async () => server.close());
  afterEach(() => server.clearFaults());

  it('the adapter alone sends a request once', async () => {
    const provider = new HttpProvider();
    server.setFault({ kind: 'status', path: 'f.bin', status: 503, times: 1 });
    const before = server.requests.length;
    await expect(provider.stat(parseUri(server.urlFor('f.bin')))).rejects.toMatchObject({
      code: 'Transient',
    });
    expect(server.requests.length - before).toBe(1);
    await provider.close();
  });

  it('retries 503 with Retry-After N times, then succeeds, waiting as asked', async () => {
    const notices: RetryNotice[] = [];
    const provider = retrying({ onRetry: (n) => notices.push(n) });
    server.setFault({ kind: 'status', path: 'f.bin', status: 503, retryAfter: 1, times: 2 });
    const started = Date.now();
    expect((await provider.stat(parseUri(server.urlFor('f.bin')))).size).toBe(10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(notices.map((n) => n.delayMs)).toEqual([1000, 1000]);
    expect(notices[0]!.reason).toMatch(/^Transient/);
  });

  it('retries 429 and 500 on reads', async () => {
    const provider = retrying();
    server.setFault({ kind: 'status', path: 'f.bin', status: 429, times: 1 });
    server.setFault({ kind: 'status', path: 'f.bin', status: 500, times: 1 });
    expect((await drain(await provider.read(parseUri(server.urlFor('f.bin'))))).length).toBe(10_000);
  });

  it('gives up after maxAttempts with a retryable TransientError', async () => {
    const provider = retrying({ maxAttempts: 3 });
    server.setFault({ kind: 'status', path: 'f.bin', status: 502 });
    const before = server.requests.length;
    await expect(provider.stat(parseUri(server.urlFor('f.bin')))).rejects.toMatchObject({
      code: 'Transient',
      retryable: true,
    });
    expect(server.requests.length - before).toBe(3);
  });

  it('does not wait for a Retry-After longer than maxRetryAfterMs', async () => {
    const provider = retrying({ maxRetryAfterMs: 1000 });
    server.setFault({ kind: 'status', path: 'f.bin', status: 503, retryAfter: 3600, times: 1 });
    const started = Date.now();
    await expect(provider.stat(parseUri(server.urlFor('f.bin')))).rejects.toMatchObject({
      retryAfterMs: 3_600_000,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries a refused connection and fails with a typed error', async () => {
    const gone = await startHttpServer();
    const url = gone.urlFor('x');
    await gone.close();
    await expect(retrying({ maxAttempts: 2 }).stat(parseUri(url))).rejects.toMatchObject({
      code: 'Transient',
    });
  });

  it("a copy's retries are its own retry events", async () => {
    const storage = createStorage({
      providers: [new HttpProvider(), new MemoryProvider()],
      retry: quickRetry,
    });
    server.setFault({ kind: 'status', path: 'f.bin', status: 503, times: 2 });
    const transfer = storage.copy(server.urlFor('f.bin'), 'mem://out/f.bin');
    const retries: string[] = [];
    transfer.events$.subscribe((e) => {
      if (e.type === 'retry') retries.push(e.operation);
    });
    expect((await transfer).bytes).toBe(10_000);
    expect(retries).toEqual(['stat', 'stat']);
  });
});

describe('redirects', () => {
  let server: HttpTestServer;
  let other: HttpTestServer;
  beforeAll(async () => {
    server = await startHttpServer();
    other = await startHttpServer({ host: '127.0.0.2' });
    await serve(server, 'target.txt', 'here');
    await serve(other, 'elsewhere.txt', 'there');
  });
  afterAll(async () => {
    await server.close();
    await other.close();
  });

  it('follows a redirect on the same host, keeping credentials', async () => {
    const provider = new HttpProvider({ credentials: bearerToken('tok-123') });
    server.setFault({ kind: 'redirect', path: 'old.txt', location: '/target.txt', times: 1 });
    const text = await drain(await provider.read(parseUri(server.urlFor('old.txt'))));
    expect(text.toString()).toBe('here');
    const hops = server.requests.slice(-2);
    expect(hops.map((r) => r.headers.authorization)).toEqual(['Bearer tok-123', 'Bearer tok-123']);
    await provider.close();
  });

  it('drops Authorization on a redirect to another host', async () => {
    const provider = new HttpProvider({ credentials: bearerToken('tok-123') });
    server.setFault({
      kind: 'redirect',
      path: 'away.txt',
      location: other.urlFor('elsewhere.txt'),
      times: 1,
    });
    const text = await drain(await provider.read(parseUri(server.urlFor('away.txt'))));
    expect(text.toString()).toBe('there');
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer tok-123');
    expect(other.requests.at(-1)!.headers.authorization).toBeUndefined();
    await provider.close();
  });

  it('drops signer headers on a redirect to another host', async () => {
    const provider = new HttpProvider({ sign: () => ({ 'x-api-key': 'k-secret' }) });
    server.setFault({
      kind: 'redirect',
      path: 'away2.txt',
      location: other.urlFor('elsewhere.txt'),
      times: 1,
    });
    await drain(await provider.read(parseUri(server.urlFor('away2.txt'))));
    expect(server.requests.at(-1)!.headers['x-api-key']).toBe('k-secret');
    expect(other.requests.at(-1)!.headers['x-api-key']).toBeUndefined();
    await provider.close();
  });

  it('stops after maxRedirects', async () => {
    const provider = new HttpProvider({ maxRedirects: 3 });
    server.setFault({ kind: 'redirect', path: 'loop.txt', location: '/loop.txt' });
    await expect(provider.stat(parseUri(server.urlFor('loop.txt')))).rejects.toThrow(/Too many redirects/);
    expect(() => new HttpProvider({ maxRedirects: 11 })).toThrow(/at most 10/);
    await provider.close();
  });
});

describe('timeouts and abort', () => {
  let server: HttpTestServer;
  beforeAll(async () => {
    server = await startHttpServer();
    await serve(server, 'slow.bin', payload(200_000));
  });
  afterAll(async () => server.close());

  it('fails a stalled body with TimeoutError after the idle timeout, in one request', async () => {
    const provider = new HttpProvider({ timeouts: { idleMs: 200 } });
    server.setFault({ kind: 'stall', path: 'slow.bin', afterBytes: 1000 });
    const before = server.requests.length;
    const started = Date.now();
    await expect(drain(await provider.read(parseUri(server.urlFor('slow.bin'))))).rejects.toMatchObject({
      code: 'Timeout',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.requests.slice(before).filter((r) => r.key === 'slow.bin')).toHaveLength(1);
    server.clearFaults();
    await provider.close();
  });

  it('stops a read promptly when the signal fires', async () => {
    const provider = new HttpProvider();
    server.setFault({ kind: 'slow', path: 'slow.bin', bytesPerSecond: 50_000 });
    const controller = new AbortController();
    const stream = await provider.read(parseUri(server.urlFor('slow.bin')), { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(drain(stream)).rejects.toMatchObject({ code: 'Aborted' });
    await expect(
      provider.stat(parseUri(server.urlFor('slow.bin')), { signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'Aborted',
    });
    server.clearFaults();
    await provider.close();
  });
});
