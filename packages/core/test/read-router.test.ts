import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStorage,
  DownloadCapExceededError,
  decorateProvider,
  FsProvider,
  formatUri,
  InvalidUriError,
  MemoryProvider,
  type Provider,
  parseUri,
  type ReadMeter,
  type ReadPlan,
  type ReadRequest,
  type ReadRouter,
  readAll,
  type StorageUri,
  type TransferEvent,
  UnsupportedOperationError,
} from '../src/index.js';

const KiB = 1024;

/** A meter that keeps its books and, past `cap` bytes, refuses more (as a hard download cap does). */
class Books implements ReadMeter {
  recorded = 0;
  committed: number[] = [];
  releases = 0;
  constructor(private readonly cap = Number.POSITIVE_INFINITY) {}
  record(bytes: number): void {
    this.recorded += bytes;
    if (this.recorded > this.cap)
      throw new DownloadCapExceededError(`cap of ${this.cap} bytes reached (${this.recorded} moved)`);
  }
  commit(bytes: number): void {
    this.committed.push(bytes);
  }
  release(): void {
    this.releases++;
  }
}

interface TestRouterOptions {
  /** Ask for the source's stat while planning (as a router that needs the size does). */
  statFirst?: boolean;
  /** Refuse more than this many bytes. */
  cap?: number;
  /** After a failure, read this object instead. */
  mirror?: string;
}

/** A read router of `mem://cloud/…` objects, as an adapter would write one, keeping what it was told. */
class TestRouter implements ReadRouter<{ asked: string }> {
  readonly meters: Books[] = [];
  sizes: number[] = [];
  constructor(private readonly options: TestRouterOptions = {}) {}

  claims(uri: StorageUri): boolean {
    return uri.scheme === 'mem' && uri.bucket === 'cloud';
  }

  async plan(request: ReadRequest): Promise<ReadPlan> {
    if (this.options.statFirst) this.sizes.push((await request.stat(request.source)).size);
    return this.planFor(request.source, 'direct');
  }

  async explain(uri: StorageUri): Promise<{ asked: string }> {
    return { asked: formatUri(uri) };
  }

  private planFor(source: StorageUri, route: string): ReadPlan {
    const meter = new Books(this.options.cap);
    this.meters.push(meter);
    const mirror = this.options.mirror;
    return {
      route,
      source,
      reasons: [{ code: route.toUpperCase(), message: `reading ${formatUri(source)}` }],
      warnings: [],
      details: { billed: route === 'direct' },
      meter,
      ...(mirror && route === 'direct'
        ? {
            recover: async () => ({
              plan: this.planFor(parseUri(mirror), 'mirror'),
              warning: { code: 'TO_MIRROR', message: 'the direct read failed; reading the mirror' },
            }),
          }
        : {}),
    };
  }
}

/** The memory provider, whose first read of each object returns only `short` bytes (a clean short body). */
function shortFirstRead(inner: Provider, short: number) {
  const calls = { stats: 0, reads: 0 };
  const provider = decorateProvider(inner, {
    stat: (uri, options) => {
      calls.stats++;
      return inner.stat(uri, options);
    },
    read: async (uri, options) => {
      calls.reads++;
      if (calls.reads > 1) return inner.read(uri, options);
      const whole = await readAll(await inner.read(uri, options));
      return Readable.from([whole.subarray(0, short)]);
    },
  });
  return { provider, calls };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-read-router-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(storage: ReturnType<typeof createStorage>, source: string, target: string) {
  const transfer = storage.copy(source, target, { retry: { baseDelayMs: 1 } });
  const events = lastValueFrom(transfer.events$.pipe(toArray()));
  const outcome = await transfer.done.then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { outcome, events: await events };
}

const leftovers = async () => (await readdir(dir)).filter((name) => name !== 'keep');

describe('the read-routing hook of Storage', () => {
  it("meters the bytes the engine moved (a retried read's too), not the throttled progress events", async () => {
    const data = randomBytes(256 * KiB + 3);
    const short = 100 * KiB;
    const memory = new MemoryProvider();
    await memory.write(parseUri('mem://cloud/obj'), data);
    const { provider, calls } = shortFirstRead(memory, short);
    const router = new TestRouter();
    const storage = createStorage({ providers: [new FsProvider(), provider], readRouter: router });

    const { outcome, events } = await run(storage, 'mem://cloud/obj', join(dir, 'out'));
    expect(outcome.ok).toBe(true);
    expect(calls.reads).toBe(2);
    expect(await readFile(join(dir, 'out'))).toEqual(data);
    // Every byte read counts, the short first body included, and the meter settles once.
    const [meter] = router.meters;
    expect(meter!.recorded).toBe(short + data.length);
    expect(meter!.committed).toEqual([short + data.length]);
    expect(meter!.releases).toBe(0);
    // Progress, throttled and discounting the failed attempt, shows only the object's size.
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ bytes: data.length });
    expect(events.find((e) => e.type === 'started')).toMatchObject({ route: 'direct' });
    expect(events.find((e) => e.type === 'routed')).toMatchObject({
      route: 'direct',
      uri: 'mem://cloud/obj',
      requested: 'mem://cloud/obj',
      reasonCodes: ['DIRECT'],
      details: { billed: true },
    });
    if (outcome.ok)
      expect(outcome.result.decision).toMatchObject({ route: 'direct', uri: 'mem://cloud/obj' });
  });

  it('a meter that refuses more stops the copy with its error, and nothing partial is left', async () => {
    const data = randomBytes(64 * KiB);
    const memory = new MemoryProvider();
    await memory.write(parseUri('mem://cloud/obj'), data);
    // The short first body (40 KiB) fits; its re-read crosses the 60 KiB the meter allows.
    const { provider } = shortFirstRead(memory, 40 * KiB);
    const router = new TestRouter({ cap: 60 * KiB });
    const storage = createStorage({ providers: [new FsProvider(), provider], readRouter: router });

    const { outcome, events } = await run(storage, 'mem://cloud/obj', join(dir, 'out'));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toBeInstanceOf(DownloadCapExceededError);
    expect(events.at(-1)).toMatchObject({ type: 'failed', error: { code: 'DownloadCapExceeded' } });
    expect(events.filter((e) => e.type === 'failed')).toHaveLength(1);
    const [meter] = router.meters;
    expect(meter!.recorded).toBeGreaterThan(60 * KiB);
    expect(meter!.recorded).toBeLessThanOrEqual(40 * KiB + data.length);
    expect(meter!.committed).toEqual([]);
    expect(meter!.releases).toBe(1);
    expect(await leftovers()).toEqual([]);
  });

  it('after a failed read the router proposes another route, with a warning, and the copy follows it', async () => {
    const data = randomBytes(10 * KiB);
    const memory = new MemoryProvider();
    await memory.write(parseUri('mem://mirror/obj'), data);
    const router = new TestRouter({ mirror: 'mem://mirror/obj' });
    const storage = createStorage({ providers: [new FsProvider(), memory], readRouter: router });

    const { outcome, events } = await run(storage, 'mem://cloud/obj', join(dir, 'out'));
    expect(outcome.ok).toBe(true);
    const routed = events.filter((e): e is Extract<TransferEvent, { type: 'routed' }> => e.type === 'routed');
    expect(routed.map((e) => [e.route, e.uri])).toEqual([
      ['direct', 'mem://cloud/obj'],
      ['mirror', 'mem://mirror/obj'],
    ]);
    expect(events.find((e) => e.type === 'warning')).toMatchObject({ code: 'TO_MIRROR' });
    // The first read's failure was recovered from: no `failed` event.
    expect(events.map((e) => e.type)).not.toContain('failed');
    expect(events.at(-1)?.type).toBe('completed');
    expect(router.meters.map((m) => [m.committed, m.releases])).toEqual([
      [[], 1],
      [[data.length], 0],
    ]);
    expect(await readFile(join(dir, 'out'))).toEqual(data);
  });

  it("stats the source once: the router's stat is the copy's", async () => {
    const memory = new MemoryProvider();
    await memory.write(parseUri('mem://cloud/obj'), randomBytes(5 * KiB));
    const { provider, calls } = shortFirstRead(memory, Number.POSITIVE_INFINITY);
    const router = new TestRouter({ statFirst: true });
    const storage = createStorage({ providers: [new FsProvider(), provider], readRouter: router });

    const { outcome } = await run(storage, 'mem://cloud/obj', join(dir, 'out'));
    expect(outcome.ok).toBe(true);
    expect(router.sizes).toEqual([5 * KiB]);
    expect(calls.stats).toBe(1);
  });

  it('leaves unclaimed sources and `route: false` alone, and explains through the router', async () => {
    const memory = new MemoryProvider();
    await memory.write(parseUri('mem://cloud/obj'), 'x');
    await memory.write(parseUri('mem://other/obj'), 'y');
    const router = new TestRouter();
    const storage = createStorage({ providers: [new FsProvider(), memory], readRouter: router });
    await storage.copy('mem://other/obj', join(dir, 'a'));
    await storage.copy('mem://cloud/obj', join(dir, 'b'), { route: false });
    expect(router.meters).toHaveLength(0);
    expect(await storage.explainRoute<{ asked: string }>('mem://cloud/obj')).toEqual({
      asked: 'mem://cloud/obj',
    });
    expect(() => createStorage().explainRoute('mem://cloud/obj')).toThrow(UnsupportedOperationError);
  });
});

describe('URI schemes registered per Storage', () => {
  /** A provider with its own syntax, `pkg:name!/path` (no `//`, which the generic form needs). */
  function packageProvider(): Provider {
    const inner = new MemoryProvider();
    return {
      ...decorateProvider(inner, {}),
      name: 'pkg',
      schemes: ['pkg'],
      parseUri(input: string): StorageUri {
        const match = /^pkg:([a-z0-9-]+)!\/(.*)$/s.exec(input);
        if (!match) throw new InvalidUriError(`Invalid URI "${input}": expected pkg:name!/path`);
        return Object.freeze({ scheme: 'pkg', bucket: match[1]!, key: match[2]! });
      },
    };
  }

  it("a storage parses its adapter's scheme; another storage, and the global parser, refuse it", async () => {
    const withPackages = createStorage({ providers: [new FsProvider(), packageProvider()] });
    expect(withPackages.parseUri('pkg:survey!/data/a.csv')).toEqual({
      scheme: 'pkg',
      bucket: 'survey',
      key: 'data/a.csv',
    });
    await withPackages.write('pkg:survey!/data/a.csv', 'a,b');
    expect((await readAll(await withPackages.read('pkg:survey!/data/a.csv'))).toString()).toBe('a,b');
    expect(() => withPackages.parseUri('pkg://survey/a')).toThrow(/expected pkg:name!\/path/);

    const without = createStorage({ providers: [new FsProvider(), new MemoryProvider()] });
    await expect(async () => without.stat('pkg:survey!/data/a.csv')).rejects.toBeInstanceOf(InvalidUriError);
    expect(() => without.parseUri('pkg:survey!/data/a.csv')).toThrow(InvalidUriError);
    expect(() => parseUri('pkg:survey!/data/a.csv')).toThrow(InvalidUriError);
    // Control characters are refused before an adapter's parser sees them.
    expect(() => withPackages.parseUri('pkg:survey!/a\u0000b')).toThrow(/control character/);
  });
});
