import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  AbortedError,
  createStorage,
  FsProvider,
  readAll,
  parseUri as s3Uri,
  type TransferEvent,
} from '@stowage/core';
import type { FaultProxy, S3ServerHandle } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoGround, payload, providerFor, sha256Of, startMotoGround } from './support/s3-fixture.js';

// The transfer engine driving the S3 provider's multipart hooks on moto (which lists and aborts
// uploads), through a fault proxy: cancellation and mid-transfer faults, checked on the server.
const MiB = 1024 * 1024;
let ground: MotoGround;
let server: S3ServerHandle;
let proxy: FaultProxy;
let raw: S3Client;
let bucket: string;
let dir: string;

beforeAll(async () => {
  ground = await startMotoGround('engine');
  ({ server, proxy, raw, bucket } = ground);
  dir = await mkdtemp(join(tmpdir(), 'stowage-engine-s3-'));
}, 60_000);
afterAll(async () => {
  await ground?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function storage() {
  return createStorage({
    providers: [new FsProvider(), providerFor({ ...server, endpoint: proxy.endpoint })],
  });
}

async function openUploads(): Promise<number> {
  const listed = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return listed.Uploads?.length ?? 0;
}

describe('transfer engine on S3 (moto)', () => {
  it('cancelled half-way: no object, no open multipart upload', async () => {
    await writeFile(join(dir, 'cancel.bin'), payload(24 * MiB));
    proxy.inject({
      match: { method: 'PUT', query: { partNumber: true } },
      action: { kind: 'latency', ms: 150 },
      times: Number.POSITIVE_INFINITY,
    });
    const s = storage();
    const transfer = s.copy(join(dir, 'cancel.bin'), `s3://${bucket}/cancel.bin`, {
      partSize: 5 * MiB,
      concurrency: 2,
      stateDir: join(dir, 'state'),
    });
    transfer.events$.subscribe((e) => {
      if (e.type === 'progress' && e.bytes >= 5 * MiB) transfer.cancel();
    });
    await expect(transfer).rejects.toBeInstanceOf(AbortedError);
    proxy.clear();
    expect(await openUploads()).toBe(0);
    await expect(s.stat(`s3://${bucket}/cancel.bin`)).rejects.toThrow();
  });

  it('a part whose connection resets is retried, with a retry event, and the object is byte-identical', async () => {
    const data = payload(16 * MiB + 3);
    await writeFile(join(dir, 'fault.bin'), data);
    proxy.inject({
      match: { method: 'PUT', query: { partNumber: '2' } },
      action: { kind: 'reset', afterRequestBytes: 1024 * 1024 },
    });
    const s = storage();
    const transfer = s.copy(join(dir, 'fault.bin'), `s3://${bucket}/fault.bin`, {
      partSize: 5 * MiB,
      retry: { baseDelayMs: 10 },
      stateDir: join(dir, 'state'),
    });
    const events: TransferEvent[] = [];
    transfer.events$.subscribe((e) => events.push(e));
    const result = await transfer;
    expect(result.strategy).toBe('multipart-upload');
    expect(events.filter((e) => e.type === 'retry').length).toBeGreaterThanOrEqual(1);
    expect(await sha256Of(await readAll(await s.read(`s3://${bucket}/fault.bin`)))).toBe(
      await sha256Of(data),
    );
    expect(await openUploads()).toBe(0);
  });

  it('downloads in ranged parts through a mid-body reset, byte-identical', async () => {
    const data = payload(20 * MiB);
    const s = storage();
    await s.write(`s3://${bucket}/down.bin`, data);
    proxy.inject({
      match: { method: 'GET', headers: { range: /^bytes=/ } },
      action: { kind: 'resetMidBody', afterBytes: 100_000 },
    });
    const result = await s.copy(`s3://${bucket}/down.bin`, join(dir, 'down.bin'), {
      partSize: 5 * MiB,
      retry: { baseDelayMs: 10 },
    });
    expect(result.strategy).toBe('ranged-download');
    expect(await sha256Of(await readFile(join(dir, 'down.bin')))).toBe(await sha256Of(data));
  });

  it("verifies a download against the object's stored CRC32, and never against a multipart composite", async () => {
    const s = storage();
    const single = payload(3 * MiB);
    await s.write(`s3://${bucket}/crc-single.bin`, single);
    const options = { multipartThreshold: 1 * MiB, partSize: 1 * MiB, retry: { maxAttempts: 1 } };
    const clean = await s.copy(`s3://${bucket}/crc-single.bin`, join(dir, 'crc-single.bin'), options);
    expect(clean.strategy).toBe('ranged-download');
    expect(clean.verified).toContain('crc32');

    // One flipped byte on the wire (in the second part of the download's stream), framing
    // intact: only the digest can tell.
    proxy.inject({
      match: { method: 'GET', path: `/${bucket}/crc-single.bin`, headers: { range: /^bytes=0-/ } },
      action: { kind: 'corrupt', atByte: MiB + 1234 },
    });
    const target = join(dir, 'crc-corrupt.bin');
    await expect(s.copy(`s3://${bucket}/crc-single.bin`, target, options)).rejects.toMatchObject({
      code: 'ChecksumMismatch',
      message: expect.stringContaining('crc32'),
    });
    await expect(readFile(target)).rejects.toMatchObject({ code: 'ENOENT' });

    const multi = payload(12 * MiB);
    const provider = providerFor(server, { partSize: 5 * MiB, multipartThreshold: 5 * MiB });
    try {
      await provider.write(s3Uri(`s3://${bucket}/crc-multi.bin`), multi);
      const stat = await provider.stat(s3Uri(`s3://${bucket}/crc-multi.bin`));
      expect(stat.checksums?.crc32).toMatch(/-3$/);
    } finally {
      await provider.close();
    }
    const copied = await s.copy(`s3://${bucket}/crc-multi.bin`, join(dir, 'crc-multi.bin'), options);
    expect(copied.verified).not.toContain('crc32');
    expect(await sha256Of(await readFile(join(dir, 'crc-multi.bin')))).toBe(await sha256Of(multi));
  });
});
