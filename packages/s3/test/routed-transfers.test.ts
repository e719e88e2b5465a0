import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, DownloadCapExceededError, FsProvider, type TransferEvent } from '@stowage/core';
import { HttpProvider } from '@stowage/http';
import {
  type FaultProxy,
  type HttpTestServer,
  type S3ServerHandle,
  startFaultProxy,
  startHttpServer,
  startS3Server,
} from '@stowage/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type EnvironmentFacts,
  fixedCredentialFacts,
  fixedEnvironment,
  type RoutePolicy,
  S3Router,
  StaticDataLocator,
} from '../src/index.js';
import { providerFor } from './support/s3-fixture.js';

// The "cloud" is a local S3 server (behind a fault proxy that logs every request), the "mirror" a
// local HTTP server holding the same bytes. Facts about where the program runs are injected.
const data = randomBytes(3 * 1024 * 1024 + 17);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let s3: S3ServerHandle;
let proxy: FaultProxy;
let mirror: HttpTestServer;
let dir: string;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['open-data'] });
  proxy = await startFaultProxy({ target: s3.endpoint });
  mirror = await startHttpServer();
  await writeFile(join(mirror.dir, 'obj.bin'), data);
  await providerFor(s3).write({ scheme: 's3', bucket: 'open-data', key: 'obj.bin' }, data);
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await mirror?.close();
  await s3?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-routed-'));
  proxy.clear();
  proxy.requests.length = 0;
  mirror.requests.length = 0;
  return () => rm(dir, { recursive: true, force: true });
});

/** The router of the storage built last. */
let router: S3Router;

function storageWith(environment: EnvironmentFacts, bucketRegion: string, policy: RoutePolicy = {}) {
  router = new S3Router({
    environment: fixedEnvironment(environment),
    locator: new StaticDataLocator({
      mirrors: [{ s3: 's3://open-data/', http: `${mirror.baseUrl}/` }],
      buckets: { 'open-data': { region: bucketRegion } },
    }),
    credentials: fixedCredentialFacts({ available: true, detail: 'test keys' }),
    policy,
  });
  const provider = providerFor({ ...s3, endpoint: proxy.endpoint });
  return createStorage({ providers: [new FsProvider(), provider, new HttpProvider()], readRouter: router });
}

async function copyWithEvents(storage: ReturnType<typeof storageWith>, target: string, policy?: RoutePolicy) {
  const transfer = storage.copy('s3://open-data/obj.bin', target, policy ? { route: policy } : {});
  const events: TransferEvent[] = [];
  transfer.events$.subscribe((e) => events.push(e));
  const result = await transfer.done.then(
    (r) => ({ ok: true as const, r }),
    (error: unknown) => {
      if (process.env.DEBUG_ROUTED) console.log(error);
      return { ok: false as const, error };
    },
  );
  return {
    result,
    events,
    routed: events.filter((e): e is Extract<TransferEvent, { type: 'routed' }> => e.type === 'routed'),
  };
}

const objectGets = () => proxy.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/obj.bin'));
const objectHeads = () => proxy.requests.filter((r) => r.method === 'HEAD' && r.path.endsWith('/obj.bin'));
const PAYING: RoutePolicy = { allowCrossRegion: true, allowRequesterPays: true };
const inAws = (region: string): EnvironmentFacts => ({ cloud: 'aws', region, source: 'option' });

describe('routed transfers, end to end', () => {
  it('same region: reads from S3, emits routed before any byte, byte-identical', async () => {
    const { result, events, routed } = await copyWithEvents(
      storageWith(inAws('us-east-1'), 'us-east-1'),
      join(dir, 'a'),
    );
    expect(result.ok).toBe(true);
    expect(routed).toHaveLength(1);
    expect(routed[0]).toMatchObject({ route: 's3', uri: 's3://open-data/obj.bin' });
    expect(routed[0]!.reasonCodes[0]).toBe('SAME_REGION');
    expect(events.findIndex((e) => e.type === 'routed')).toBeLessThan(
      events.findIndex((e) => e.type === 'progress'),
    );
    expect(objectGets().length).toBeGreaterThan(0);
    expect(mirror.requests).toHaveLength(0);
    expect(sha(await readFile(join(dir, 'a')))).toBe(sha(data));
  });

  it('cross region, not allowed: warns and reads the HTTPS mirror instead', async () => {
    const { result, routed } = await copyWithEvents(
      storageWith(inAws('eu-west-1'), 'us-east-1'),
      join(dir, 'b'),
    );
    expect(result.ok).toBe(true);
    expect(routed[0]).toMatchObject({ route: 'http', uri: `${mirror.baseUrl}/obj.bin` });
    expect(routed[0]!.reasonCodes).toContain('CROSS_REGION_NOT_ALLOWED');
    expect(routed[0]!.warnings.length).toBeGreaterThan(0);
    expect(objectGets()).toHaveLength(0);
    expect(mirror.requests.length).toBeGreaterThan(0);
    expect(sha(await readFile(join(dir, 'b')))).toBe(sha(data));
  });

  it('outside the cloud: HTTP', async () => {
    const { routed } = await copyWithEvents(
      storageWith({ cloud: 'none', source: 'option' }, 'us-east-1'),
      join(dir, 'c'),
    );
    expect(routed[0]).toMatchObject({ route: 'http' });
    expect(routed[0]!.reasonCodes[0]).toBe('USER_NOT_IN_CLOUD');
  });

  it('falls back to the mirror at run time after an S3 403, with a warning', async () => {
    proxy.inject({
      match: { method: 'GET', path: /obj\.bin$/ },
      action: { kind: 'status', status: 403, code: 'AccessDenied' },
      times: Number.POSITIVE_INFINITY,
    });
    const { result, events, routed } = await copyWithEvents(
      storageWith(inAws('us-east-1'), 'us-east-1'),
      join(dir, 'd'),
    );
    expect(result.ok).toBe(true);
    expect(routed.map((r) => r.route)).toEqual(['s3', 'http']);
    const warning = events.find((e) => e.type === 'warning') as Extract<TransferEvent, { type: 'warning' }>;
    expect(warning.code).toBe('S3_ACCESS_DENIED');
    expect(events.at(-1)?.type).toBe('completed');
    expect(sha(await readFile(join(dir, 'd')))).toBe(sha(data));
  });

  it('the download cap stops a metered transfer before any byte moves', async () => {
    const storage = storageWith(inAws('eu-west-1'), 'us-east-1', {
      allowCrossRegion: true,
      allowRequesterPays: true,
      downloadCap: 1024 * 1024,
    });
    const { result, events } = await copyWithEvents(storage, join(dir, 'e'));
    expect(result.ok).toBe(false);
    expect((result as { error: unknown }).error).toBeInstanceOf(DownloadCapExceededError);
    expect(events.at(-1)?.type).toBe('failed');
    expect(objectGets()).toHaveLength(0);
    await expect(stat(join(dir, 'e'))).rejects.toThrow();
  });

  it("over the cap with capAction 'http', reads the mirror instead", async () => {
    const storage = storageWith(inAws('eu-west-1'), 'us-east-1', {
      allowCrossRegion: true,
      allowRequesterPays: true,
      downloadCap: 1024 * 1024,
      capAction: 'http',
    });
    const { result, routed } = await copyWithEvents(storage, join(dir, 'f'));
    expect(result.ok).toBe(true);
    expect(routed[0]).toMatchObject({ route: 'http' });
    expect(routed[0]!.reasonCodes).toContain('CAP_WOULD_EXCEED');
    expect(objectGets()).toHaveLength(0);
  });

  it('cross region with both allowances: S3 with the requester-pays header on every read', async () => {
    const storage = storageWith(inAws('eu-west-1'), 'us-east-1', {
      allowCrossRegion: true,
      allowRequesterPays: true,
    });
    const { result, routed } = await copyWithEvents(storage, join(dir, 'rp'));
    expect(result.ok).toBe(true);
    expect(routed[0]).toMatchObject({ route: 's3', details: { requesterPays: true, metered: true } });
    expect(routed[0]!.reasonCodes[0]).toBe('CROSS_REGION_REQUESTER_PAYS');
    const gets = objectGets();
    expect(gets.length).toBeGreaterThan(0);
    for (const get of gets) expect(get.headers['x-amz-request-payer']).toBe('requester');
    expect(sha(await readFile(join(dir, 'rp')))).toBe(sha(data));
  });

  it('counts metered bytes across transfers of one storage', async () => {
    const storage = storageWith(inAws('eu-west-1'), 'us-east-1', {
      allowCrossRegion: true,
      allowRequesterPays: true,
      downloadCap: 5 * 1024 * 1024,
    });
    const first = await copyWithEvents(storage, join(dir, 'g1'));
    expect(first.result.ok).toBe(true);
    const second = await copyWithEvents(storage, join(dir, 'g2'));
    expect((second.result as { error: unknown }).error).toBeInstanceOf(DownloadCapExceededError);
  });

  it("sends one HEAD of the source: the stat the cap needed is the copy's", async () => {
    const storage = storageWith(inAws('eu-west-1'), 'us-east-1', {
      ...PAYING,
      downloadCap: 64 * 1024 * 1024,
    });
    const { result } = await copyWithEvents(storage, join(dir, 'h1'));
    expect(result.ok).toBe(true);
    expect(objectHeads()).toHaveLength(1);
    expect(objectHeads()[0]!.headers['x-amz-request-payer']).toBe('requester');
    proxy.requests.length = 0;
    // Unmetered (same region): the router asks nothing, the copy stats once.
    const same = await copyWithEvents(storageWith(inAws('us-east-1'), 'us-east-1'), join(dir, 'h2'));
    expect(same.result.ok).toBe(true);
    expect(objectHeads()).toHaveLength(1);
  });

  // A body cut short is continued from where it stopped (no byte moves twice); a corrupted one is
  // read again whole, after the digest check refused it: those bytes moved twice, and count twice.
  it('the cap counts the bytes the engine moved: a read done again counts twice', async () => {
    const storage = storageWith(inAws('eu-west-1'), 'us-east-1', {
      ...PAYING,
      downloadCap: 64 * 1024 * 1024,
    });
    proxy.inject({
      match: { method: 'GET', path: /obj\.bin$/ },
      action: { kind: 'corrupt', atByte: 2 * 1024 * 1024 },
    });
    const { result, events } = await copyWithEvents(storage, join(dir, 'r1'));
    expect(result.ok).toBe(true);
    expect(objectGets()).toHaveLength(2);
    expect(events.some((e) => e.type === 'retry')).toBe(true);
    const { committed } = router.meter.usage();
    expect(committed).toBe(2 * data.length);
    expect(sha(await readFile(join(dir, 'r1')))).toBe(sha(data));
  });

  it('a hard cap smaller than a read done again stops it, and nothing partial is left', async () => {
    const storage = storageWith(inAws('eu-west-1'), 'us-east-1', { ...PAYING, downloadCap: data.length + 1 });
    proxy.inject({
      match: { method: 'GET', path: /obj\.bin$/ },
      action: { kind: 'corrupt', atByte: 2 * 1024 * 1024 },
    });
    const { result, events } = await copyWithEvents(storage, join(dir, 'r2'));
    expect(result.ok).toBe(false);
    expect((result as { error: unknown }).error).toBeInstanceOf(DownloadCapExceededError);
    expect(events.at(-1)).toMatchObject({ type: 'failed', error: { code: 'DownloadCapExceeded' } });
    // Admitted (its size fits), then stopped during the re-read once the moved bytes passed the cap.
    expect(router.meter.usage()).toMatchObject({ inFlight: 0, active: 0 });
    expect(router.meter.usage().committed).toBeGreaterThan(data.length + 1);
    expect(await readdir(dir)).toEqual([]);
  });
});
