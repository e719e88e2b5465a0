import { DownloadCapExceededError } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import {
  DownloadCapError,
  DownloadMeter,
  fixedCredentialFacts,
  fixedEnvironment,
  type RouteDecision,
  type RouteFacts,
  route,
  S3Router,
  StaticDataLocator,
} from '../../src/index.js';

const MiB = 1024 * 1024;
const facts = (bucket = 'b'): RouteFacts => ({
  data: {
    requested: `s3://${bucket}/k`,
    s3: { bucket, key: 'k', uri: `s3://${bucket}/k` },
    mirror: { url: `https://m.example/${bucket}/k`, source: 'mapping' },
  },
  environment: { cloud: 'aws', region: 'us-west-2', source: 'option' },
  bucket: { bucket, region: 'eu-west-1', regionSource: 'option' },
  credentials: { available: true, source: 'env' },
});
const PAY = { allowCrossRegion: true, allowRequesterPays: true };
const metered = (bucket?: string): RouteDecision => route(facts(bucket), PAY);

describe('download meter', () => {
  it('counts only metered reads; same-region S3 and HTTP are free', () => {
    const meter = new DownloadMeter();
    const same = route({ ...facts(), bucket: { bucket: 'b', region: 'us-west-2', regionSource: 'option' } });
    expect(same.metered).toBe(false);
    const free = meter.reserve(10 * MiB, same, { downloadCap: 1 });
    free.commit();
    const http = route(facts());
    expect(http.route).toBe('http');
    meter.reserve(10 * MiB, http, { downloadCap: 1 }).commit();
    expect(meter.usage()).toMatchObject({ committed: 0, inFlight: 0, active: 0 });
  });

  it('a transfer that would cross the cap is refused before any byte, with the numbers', () => {
    const meter = new DownloadMeter();
    const policy = { downloadCap: 100 };
    const first = meter.reserve(60, metered(), policy);
    let error: unknown;
    try {
      meter.reserve(50, metered(), policy);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DownloadCapExceededError);
    expect(error).toMatchObject({
      code: 'DownloadCapExceeded',
      cap: 100,
      used: 60,
      requested: 50,
      mode: 'hard',
    });
    first.commit(60);
    expect(meter.usage()).toEqual({ committed: 60, inFlight: 0, active: 0, byBucket: { b: 60 } });
  });

  it('concurrent reservations cannot both slip under the cap', async () => {
    const meter = new DownloadMeter();
    const policy = { downloadCap: 10 * MiB };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i % 3));
        const reservation = meter.reserve(3 * MiB, metered(), policy);
        await new Promise((r) => setTimeout(r, 5));
        reservation.commit();
      }),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(
      outcomes
        .filter((o) => o.status === 'rejected')
        .every((o) => (o as PromiseRejectedResult).reason instanceof DownloadCapError),
    ).toBe(true);
    expect(meter.usage().committed).toBe(9 * MiB);
  });

  it('release frees the reservation but keeps the bytes that moved', () => {
    const meter = new DownloadMeter();
    const r = meter.reserve(80, metered(), { downloadCap: 100 });
    r.record(30);
    r.release();
    r.commit(1000); // settled: ignored
    expect(meter.usedBytes()).toBe(30);
    expect(() => meter.reserve(70, metered(), { downloadCap: 100 })).not.toThrow();
  });

  it('modes: hard stops an unknown-size transfer at the limit, soft lets it run, cautious refuses it', () => {
    const hard = new DownloadMeter();
    const h = hard.reserve(undefined, metered(), { downloadCap: 100, capMode: 'hard' });
    h.record(100);
    expect(() => h.record(1)).toThrow(DownloadCapError);
    h.release();
    expect(() => hard.reserve(1, metered(), { downloadCap: 100, capMode: 'hard' })).toThrow(/mode hard/);

    const soft = new DownloadMeter();
    const s = soft.reserve(undefined, metered(), { downloadCap: 100, capMode: 'soft' });
    s.record(150); // never stopped mid-stream
    s.commit();
    expect(() => soft.reserve(1, metered(), { downloadCap: 100, capMode: 'soft' })).toThrow(/mode soft/);
    // soft starts a known transfer that will cross, while still under the cap
    const soft2 = new DownloadMeter();
    expect(() => soft2.reserve(500, metered(), { downloadCap: 100, capMode: 'soft' })).not.toThrow();

    const cautious = new DownloadMeter();
    expect(() => cautious.reserve(undefined, metered(), { downloadCap: 100, capMode: 'cautious' })).toThrow(
      /unknown size/,
    );
    expect(() => cautious.reserve(101, metered(), { downloadCap: 100, capMode: 'cautious' })).toThrow(
      DownloadCapError,
    );
    expect(() => cautious.reserve(100, metered(), { downloadCap: 100, capMode: 'cautious' })).not.toThrow();
  });

  it('keeps a per-bucket ledger', () => {
    const meter = new DownloadMeter();
    meter.reserve(5, metered('one'), {}).commit();
    meter.reserve(7, metered('two'), {}).commit(8);
    expect(meter.usage().byBucket).toEqual({ one: 5, two: 8 });
  });
});

describe('S3Router.admit', () => {
  const router = (policy = {}) =>
    new S3Router({
      environment: fixedEnvironment({ cloud: 'aws', region: 'us-west-2', source: 'option' }),
      locator: new StaticDataLocator({
        mirrors: [{ s3: 's3://far/', http: 'https://mirror.example/far/' }],
        buckets: { far: { region: 'eu-west-1' }, bare: { region: 'eu-west-1' } },
      }),
      credentials: fixedCredentialFacts({ available: true, source: 'env' }),
      policy: { ...PAY, downloadCap: 100, ...policy },
    });

  it("capAction 'http' sends an over-cap read to the mirror with CAP_WOULD_EXCEED", async () => {
    const r = router({ capAction: 'http' });
    const { decision, reservation } = await r.admit('s3://far/big', {}, { size: 500 });
    expect(decision).toMatchObject({ route: 'http', uri: 'https://mirror.example/far/big', metered: false });
    expect(decision.reasons.map((x) => x.code)).toEqual(['CAP_WOULD_EXCEED', 'CROSS_REGION_REQUESTER_PAYS']);
    expect(decision.warnings.join()).toMatch(/would be exceeded/);
    reservation.commit();
    expect(r.meter.usedBytes()).toBe(0);
  });

  it("capAction 'fail' (default) throws before any byte; without a mirror even 'http' throws", async () => {
    await expect(router().admit('s3://far/big', {}, { size: 500 })).rejects.toBeInstanceOf(
      DownloadCapExceededError,
    );
    await expect(
      router({ capAction: 'http' }).admit('s3://bare/big', {}, { size: 500 }),
    ).rejects.toBeInstanceOf(DownloadCapError);
  });

  it('admits under the cap and puts a cost estimate in the decision', async () => {
    const r = router({ costPerGiB: { crossRegion: 0.02, internet: 0.09 } });
    const { decision, reservation } = await r.admit('s3://far/small', {}, { size: 64 });
    expect(decision).toMatchObject({
      route: 's3',
      requesterPays: true,
      metered: true,
      egress: 'cross-region',
    });
    expect(decision.costEstimate).toMatchObject({
      usdPerGiB: 0.02,
      basis: 'cross-region',
      bytes: 64,
      chargedTo: 'requester',
    });
    expect(decision.costEstimate!.usd).toBeCloseTo((64 / 1024 ** 3) * 0.02, 12);
    expect(r.meter.usage().inFlight).toBe(64);
    reservation.commit();
    expect(r.meter.usage().committed).toBe(64);
  });
});
