import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createStorage, FsProvider, PreconditionFailedError } from '@stowage/core';
import { type FaultProxy, type S3ServerHandle, startMotoServer, startS3Server } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoGround, payload, providerFor, startS3Ground } from './support/s3-fixture.js';

// An object replaced while the engine downloads it in ranged parts: moto honours If-Match on GET
// (412), s3rver ignores it (so the answer's own ETag must give the change away). Both must end in
// PreconditionFailed with nothing left, never in a file spliced from two versions.
const MiB = 1024 * 1024;

const grounds: Array<[string, () => Promise<S3ServerHandle>]> = [
  ['moto (honours If-Match)', () => startMotoServer()],
  ['s3rver (ignores If-Match)', () => startS3Server()],
];

for (const [name, start] of grounds) {
  describe(`ranged download of an object replaced mid-way, on ${name}`, () => {
    let ground: MotoGround;
    let server: S3ServerHandle;
    let proxy: FaultProxy;
    let raw: S3Client;
    let bucket: string;
    let dir: string;

    beforeAll(async () => {
      ground = await startS3Ground('pin', start);
      ({ server, proxy, raw, bucket } = ground);
      dir = await mkdtemp(join(tmpdir(), 'stowage-pin-s3-'));
    }, 60_000);
    afterAll(async () => {
      await ground?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const storage = () =>
      createStorage({
        providers: [new FsProvider(), providerFor({ ...server, endpoint: proxy.endpoint })],
      });

    it('fails with PreconditionFailed and leaves nothing; every part carried the first ETag', async () => {
      const key = 'replaced.bin';
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: payload(12 * MiB) }));
      // The download's one stream breaks off after 2 MiB; when its continuation (a ranged GET from
      // there) arrives, replace the object (directly, not through the proxy) and hold that GET until
      // the new version is in place.
      proxy.inject({
        match: { method: 'GET', headers: { range: /^bytes=0-/ } },
        action: { kind: 'resetMidBody', afterBytes: 2 * MiB },
      });
      let replaced: Promise<unknown> | undefined;
      proxy.inject({
        match: {
          method: 'GET',
          headers: { range: /^bytes=[1-9]/ },
          when: () => {
            replaced ??= raw.send(
              new PutObjectCommand({ Bucket: bucket, Key: key, Body: payload(12 * MiB) }),
            );
            return true;
          },
        },
        action: { kind: 'latency', ms: 2_000 },
      });
      const out = join(dir, 'a');
      const transfer = storage().copy(`s3://${bucket}/${key}`, join(out, key), {
        multipartThreshold: 5 * MiB,
        partSize: 5 * MiB,
        concurrency: 1,
        retry: { baseDelayMs: 1 },
      });
      await expect(transfer).rejects.toBeInstanceOf(PreconditionFailedError);
      await replaced;
      expect(await readdir(out).catch(() => [])).toEqual([]);
      const gets = proxy.requests.filter((r) => r.method === 'GET' && r.headers.range !== undefined);
      expect(gets.length).toBeGreaterThanOrEqual(2);
      const first = gets[0]!.headers['if-match'];
      expect(first).toMatch(/^"/);
      for (const get of gets) expect(get.headers['if-match']).toBe(first);
      proxy.clear();
    });

    it('an unchanged object still downloads whole in pinned parts', async () => {
      const key = 'steady.bin';
      const data = payload(11 * MiB + 3);
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data }));
      const out = join(dir, 'b');
      const result = await storage().copy(`s3://${bucket}/${key}`, join(out, key), {
        multipartThreshold: 5 * MiB,
        partSize: 5 * MiB,
        concurrency: 2,
      });
      expect(result.strategy).toBe('ranged-download');
      expect((await readFile(join(out, key))).equals(data)).toBe(true);
    });
  });
}
