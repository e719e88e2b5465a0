import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createStorage, FsProvider, type TransferEvent } from '@stowage/core';
import { type FaultProxy, type ProxiedRequest, startFaultProxy, startS3Server } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoGround, payload, providerFor, startS3Ground } from './support/s3-fixture.js';

// The engine's adaptive download against s3rver: one stream from the first byte, plus ranged lanes
// for the tail while they raise throughput. Behaviour only (which requests, which bytes), never speed.
const MiB = 1024 * 1024;
const SIZE = 40 * MiB;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let ground: MotoGround;
let capped: FaultProxy;
let dir: string;
let data: Buffer;
const key = 'adaptive.bin';

beforeAll(async () => {
  ground = await startS3Ground('adaptive', () => startS3Server());
  // A link that caps each connection at 16 MiB/s: one stream would take 2.5 s, four lanes well under 1.
  capped = await startFaultProxy({ target: ground.server.endpoint, bytesPerSecondPerConnection: 16 * MiB });
  dir = await mkdtemp(join(tmpdir(), 'stowage-adaptive-'));
  data = payload(SIZE);
  await ground.raw.send(new PutObjectCommand({ Bucket: ground.bucket, Key: key, Body: data }));
}, 60_000);
afterAll(async () => {
  await capped?.close();
  await ground?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const gets = (proxy: FaultProxy, from: number): ProxiedRequest[] =>
  proxy.requests.slice(from).filter((r) => r.method === 'GET' && r.headers.range !== undefined);

async function download(proxy: FaultProxy, name: string) {
  const storage = createStorage({
    providers: [new FsProvider(), providerFor({ ...ground.server, endpoint: proxy.endpoint })],
  });
  const seen = proxy.requests.length;
  const transfer = storage.copy(`s3://${ground.bucket}/${key}`, join(dir, name), {
    retry: { baseDelayMs: 1 },
  });
  const events: TransferEvent[] = [];
  transfer.events$.subscribe((e) => events.push(e));
  const result = await transfer;
  return { result, events, gets: gets(proxy, seen) };
}

describe('adaptive download on s3rver', () => {
  it('on a link that caps each connection it opens more lanes for the tail; bytes identical, every lane pinned', async () => {
    const { result, gets: requests } = await download(capped, 'capped.bin');
    expect(result.strategy).toBe('ranged-download');
    expect(sha(await readFile(join(dir, 'capped.bin')))).toBe(sha(data));
    // The first lane streams the whole object from byte 0; the lanes after it start further in.
    expect(requests[0]!.headers.range).toBe(`bytes=0-${SIZE - 1}`);
    expect(requests.length).toBeGreaterThan(1);
    for (const r of requests.slice(1)) expect(r.headers.range).toMatch(/^bytes=[1-9]\d*-/);
    const etag = requests[0]!.headers['if-match'];
    expect(etag).toMatch(/^"/);
    for (const r of requests) expect(r.headers['if-match']).toBe(etag);
    expect(await readdir(dir)).toEqual(['capped.bin']);
  });

  it('unthrottled on loopback it starts as one stream from byte 0 and ends byte-identical', async () => {
    const { result, gets: requests } = await download(ground.proxy, 'loopback.bin');
    expect(result.strategy).toBe('ranged-download');
    expect(requests[0]!.headers.range).toBe(`bytes=0-${SIZE - 1}`);
    // Lanes are added only after measuring windows (one, then doubling): never a fixed set at once.
    expect(requests.length).toBeLessThanOrEqual(4);
    expect(sha(await readFile(join(dir, 'loopback.bin')))).toBe(sha(data));
  });

  it('a connection cut mid-way is continued where it broke off, and the download finishes', async () => {
    capped.inject({
      match: { method: 'GET', headers: { range: /^bytes=0-/ } },
      action: { kind: 'resetMidBody', afterBytes: 3 * MiB },
    });
    const { events, gets: requests } = await download(capped, 'cut.bin');
    expect(sha(await readFile(join(dir, 'cut.bin')))).toBe(sha(data));
    expect(requests[0]!.status).toBe(206);
    expect(requests[0]!.fault).toBe('resetMidBody');
    // The first lane asked for the rest of its request from where its bytes stopped (at most the
    // 3 MiB sent: a reset may drop what the kernel had not handed over yet), pinned like the rest.
    const continued = requests.slice(1).filter((r) => {
      const from = Number(/^bytes=(\d+)-/.exec(r.headers.range ?? '')?.[1]);
      return from > 0 && from <= 3 * MiB;
    });
    expect(continued).toHaveLength(1);
    expect(continued[0]!.headers.range).toMatch(new RegExp(`-${SIZE - 1}$`));
    expect(continued[0]!.headers['if-match']).toBe(requests[0]!.headers['if-match']);
    expect(events.filter((e) => e.type === 'retry').length).toBeGreaterThanOrEqual(1);
  });
});
