import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createStorage, FsProvider, type TransferEvent } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoGround, payload, providerFor, startMotoGround } from './support/s3-fixture.js';

// Retries happen in one place, by one policy: the adapter (and the AWS SDK) make one attempt per
// request, the retry layer retries a request, the engine continues a body or re-sends a part the
// layer cannot replay. So a part that keeps failing is sent a stated number of times, counted here
// at the fault proxy, and each retry is an event of the transfer.
const MiB = 1024 * 1024;
const retry = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
let ground: MotoGround;
let dir: string;

beforeAll(async () => {
  ground = await startMotoGround('budget');
  dir = await mkdtemp(join(tmpdir(), 'stowage-retry-budget-'));
}, 60_000);
afterAll(async () => {
  await ground?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function storage() {
  return createStorage({
    providers: [new FsProvider(), providerFor({ ...ground.server, endpoint: ground.proxy.endpoint })],
    retry,
  });
}

function eventsOf(transfer: { events$: { subscribe(f: (e: TransferEvent) => void): unknown } }) {
  const events: TransferEvent[] = [];
  transfer.events$.subscribe((e) => events.push(e));
  return events;
}

describe('how often one failing part is sent', () => {
  it('a ranged download whose continuation GET always fails with 503: maxAttempts GETs, each retry an event', async () => {
    const { raw, bucket, proxy } = ground;
    await raw.send(new PutObjectCommand({ Bucket: bucket, Key: 'down.bin', Body: payload(12 * MiB) }));
    proxy.clear();
    // The download's one stream breaks off after 6 MiB; every GET continuing it fails.
    proxy.inject({
      match: { method: 'GET', path: `/${bucket}/down.bin`, headers: { range: /^bytes=0-/ } },
      action: { kind: 'resetMidBody', afterBytes: 6 * MiB },
    });
    proxy.inject({
      match: { method: 'GET', path: `/${bucket}/down.bin`, headers: { range: /^bytes=[1-9]/ } },
      action: { kind: 'status', status: 503, code: 'SlowDown' },
      times: Number.POSITIVE_INFINITY,
    });
    const before = proxy.requests.length;
    const transfer = storage().copy(`s3://${bucket}/down.bin`, join(dir, 'down.bin'), {
      multipartThreshold: 6 * MiB,
      partSize: 6 * MiB,
      concurrency: 1,
      retry,
    });
    const events = eventsOf(transfer);
    await expect(transfer).rejects.toMatchObject({ code: 'Transient' });
    const sends = proxy.requests
      .slice(before)
      .filter((r) => r.method === 'GET' && /^bytes=[1-9]/.test(r.headers.range ?? ''));
    expect(sends).toHaveLength(4);
    // One for the broken body, three for the continuation's request.
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(4);
    expect(await readdir(dir)).not.toContain('down.bin');
    proxy.clear();
  });

  it('an upload part whose PUT always fails with 503: maxAttempts PUTs of it (the engine re-sends; a stream is not replayed twice over)', async () => {
    const { bucket, proxy } = ground;
    await writeFile(join(dir, 'up.bin'), payload(12 * MiB));
    proxy.clear();
    proxy.inject({
      match: { method: 'PUT', query: { partNumber: '2', uploadId: true } },
      action: { kind: 'status', status: 503, code: 'SlowDown' },
      times: Number.POSITIVE_INFINITY,
    });
    const before = proxy.requests.length;
    const transfer = storage().copy(join(dir, 'up.bin'), `s3://${bucket}/up.bin`, {
      multipartThreshold: 6 * MiB,
      partSize: 6 * MiB,
      concurrency: 1,
      retry,
      resume: false,
    });
    const events = eventsOf(transfer);
    await expect(transfer).rejects.toMatchObject({ code: 'Transient' });
    const sends = proxy.requests
      .slice(before)
      .filter((r) => r.method === 'PUT' && r.query.get('partNumber') === '2');
    expect(sends).toHaveLength(4);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(3);
    proxy.clear();
  });

  it('a one-request upload whose PUT always fails with 503: maxAttempts PUTs, not that many per level', async () => {
    const { bucket, proxy } = ground;
    await writeFile(join(dir, 'small.bin'), payload(64 * 1024));
    proxy.clear();
    proxy.inject({
      match: { method: 'PUT', path: `/${bucket}/small.bin` },
      action: { kind: 'status', status: 503, code: 'SlowDown' },
      times: Number.POSITIVE_INFINITY,
    });
    const before = proxy.requests.length;
    const transfer = storage().copy(join(dir, 'small.bin'), `s3://${bucket}/small.bin`, { retry });
    const events = eventsOf(transfer);
    await expect(transfer).rejects.toMatchObject({ code: 'Transient' });
    const sends = proxy.requests.slice(before).filter((r) => r.method === 'PUT');
    // The adapter replays the short body it buffered; the engine must not start that over again.
    expect(sends).toHaveLength(4);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(3);
    proxy.clear();
  });
});
