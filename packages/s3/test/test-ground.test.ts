import { readAll } from '@stowage/core';
import { startFaultProxy, startMotoServer, startS3Server } from '@stowage/testing';
import { describe, expect, it } from 'vitest';
import { freshBucket, providerFor, rawClient, s3 } from './support/s3-fixture.js';

describe('S3 test ground', () => {
  it('says clearly when moto_server is not installed', async () => {
    await expect(startMotoServer({ command: '/nonexistent/moto_server' })).rejects.toThrow(
      /not found on PATH.*install moto/,
    );
  });

  it('starts s3rver on loopback with a random port, and the proxy adds latency per request', async () => {
    const server = await startS3Server({ buckets: ['ground'] });
    const proxy = await startFaultProxy({ target: server.endpoint });
    const provider = providerFor({ ...server, endpoint: proxy.endpoint });
    try {
      expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await provider.write(s3('ground', 'k'), 'v');
      proxy.inject({ match: { method: 'GET' }, action: { kind: 'latency', ms: 300 } });
      const started = Date.now();
      expect((await readAll(await provider.read(s3('ground', 'k')))).toString()).toBe('v');
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      expect(proxy.requests.at(-1)!.fault).toBe('latency');
      const raw = rawClient(server);
      expect(await freshBucket(raw)).toMatch(/^b-/);
      raw.destroy();
    } finally {
      await provider.close();
      await proxy.close();
      await server.close();
    }
  });
});
