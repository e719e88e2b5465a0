import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { shardOfKey } from '@stowage/core';
import { type FaultProxy, type S3ServerHandle, startFaultProxy, startMotoServer } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, jsonLines, runCli, startCli, tempWorld, waitFor } from './support/cli-harness.js';

// Issue 19: a tree copy split across N worker processes of the built CLI (as an Indexed Job runs
// them, JOB_COMPLETION_INDEX set), S3 → S3 on moto through the fault proxy, which logs every
// request: the union of the shards equals a single copy, no key is written twice, and a worker
// killed mid-way and rerun moves only the keys it had not copied.
const OBJECTS = 2000;
const WORKERS = 4;
const KEYS = Array.from({ length: OBJECTS }, (_, i) => `data/d${i % 10}/f${String(i).padStart(4, '0')}.txt`);
let moto: S3ServerHandle;
let proxy: FaultProxy;
let world: Awaited<ReturnType<typeof tempWorld>>;

/** A raw request to moto (which accepts unsigned requests): buckets, seeding and listings. */
function raw(method: string, path: string, body = ''): Promise<string> {
  const url = new URL(moto.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(text) : reject(new Error(`${method} ${path}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every key (and its ETag) under a bucket, listed directly from moto (not through the proxy). */
async function listing(bucket: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token = '';
  for (let page = 0; page < 100; page++) {
    const xml = await raw(
      'GET',
      `/${bucket}?list-type=2&max-keys=1000${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`,
    );
    for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>.*?<ETag>([^<]*)<\/ETag>/gs)) out.set(m[1]!, m[2]!);
    const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml);
    if (!next) return out;
    token = next[1]!;
  }
  throw new Error('listing did not end');
}

/**
 * PUTs that reached moto per object path under a bucket (a server-side copy is a PUT); a request
 * whose worker was killed before the proxy passed it on whole (499) never did.
 */
function putsUnder(bucket: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of proxy.requests) {
    if (r.method !== 'PUT' || !r.path.startsWith(`/${bucket}/`) || r.status === 499) continue;
    counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
  }
  return counts;
}

const flags = () => ['--endpoint', proxy.endpoint, '--region', 'us-east-1', '--json'];
const envFor = (index?: number) =>
  cleanEnv(world.home, index === undefined ? {} : { JOB_COMPLETION_INDEX: String(index) });

beforeAll(async () => {
  moto = await startMotoServer();
  proxy = await startFaultProxy({ target: moto.endpoint });
  for (const bucket of ['src', 'single', 'dst', 'dst2']) await raw('PUT', `/${bucket}`);
  // Seed directly into moto, 32 at a time.
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < KEYS.length) {
        const key = KEYS[next++]!;
        await raw('PUT', `/src/${key}`, `body of ${key}`);
      }
    }),
  );
  world = await tempWorld({
    credentials: `[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n`,
  });
}, 300_000);
afterAll(async () => {
  await proxy?.close();
  await moto?.close();
  await world?.cleanup();
});

describe('cp -r --shard across worker processes', () => {
  let single: Map<string, string>;

  it('a manifest from ls -r --json, 4 workers with JOB_COMPLETION_INDEX: the union is the single copy, each key PUT once', async () => {
    const ls = await runCli(['ls', '-r', 's3://src/data/', ...flags()], {
      env: envFor(),
      cwd: world.work,
      timeoutMs: 120_000,
    });
    expect(ls.code, ls.stderr).toBe(0);
    const manifest = join(world.work, 'manifest.jsonl');
    await writeFile(manifest, ls.stdout);
    expect(jsonLines(ls.stdout)).toHaveLength(OBJECTS);

    const whole = await runCli(['cp', '-r', 's3://src/data/', 's3://single/data/', ...flags()], {
      env: envFor(),
      cwd: world.work,
      timeoutMs: 240_000,
    });
    expect(whole.code, whole.stderr).toBe(0);
    single = await listing('single');
    expect(single.size).toBe(OBJECTS);

    const listsBefore = proxy.requests.filter((r) => r.method === 'GET' && r.query.has('list-type')).length;
    const runs = await Promise.all(
      Array.from({ length: WORKERS }, (_, index) =>
        runCli(
          [
            'cp',
            '-r',
            's3://src/data/',
            's3://dst/data/',
            '--from-manifest',
            'manifest.jsonl',
            '--shard',
            `auto/${WORKERS}`,
            ...flags(),
          ],
          { env: envFor(index), cwd: world.work, timeoutMs: 240_000 },
        ),
      ),
    );
    const summaries = runs.map((run, index) => {
      expect(run.code, run.stderr).toBe(0);
      const result = jsonLines(run.stdout).find((l) => l.type === 'result')!;
      expect(result).toMatchObject({ shard: { index, count: WORKERS }, failed: 0, skipped: 0 });
      const mine = KEYS.filter((k) => shardOfKey(k.slice('data/'.length), WORKERS) === index);
      expect(result.files).toBe(mine.length);
      return run.stdout;
    });
    // The workers read the manifest: none of them listed the source.
    expect(proxy.requests.filter((r) => r.method === 'GET' && r.query.has('list-type')).length).toBe(
      listsBefore,
    );
    const puts = putsUnder('dst');
    expect(puts.size).toBe(OBJECTS);
    expect([...puts.values()].every((n) => n === 1)).toBe(true);
    const dst = await listing('dst');
    expect(dst).toEqual(single);

    // The summaries fold into one complete report.
    for (const [i, text] of summaries.entries())
      await writeFile(join(world.work, `summary-${i}.jsonl`), text);
    const report = await runCli(['report', ...summaries.map((_, i) => `summary-${i}.jsonl`), '--json'], {
      env: envFor(),
      cwd: world.work,
    });
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({
      type: 'report',
      count: WORKERS,
      files: OBJECTS,
      failed: 0,
      missing: [],
      complete: true,
    });
  }, 600_000);

  it('a worker killed mid-way and rerun copies only the keys it had not copied', async () => {
    // Shard 1 of 4 lists the source itself (no manifest); its PUTs are slowed so it can be caught.
    const slow = proxy.inject({
      match: { method: 'PUT', path: /^\/dst2\// },
      action: { kind: 'latency', ms: 30 },
      times: Number.POSITIVE_INFINITY,
    });
    const args = ['cp', '-r', 's3://src/data/', 's3://dst2/data/', '--shard', `auto/${WORKERS}`, ...flags()];
    const worker = startCli(args, { env: envFor(1), cwd: world.work, timeoutMs: 240_000 });
    await waitFor(
      () => [...putsUnder('dst2').values()].length >= 100,
      'the worker to copy 100 keys',
      120_000,
    );
    worker.child.kill('SIGKILL');
    const killed = await worker.done;
    expect(killed.signal).toBe('SIGKILL');
    slow.remove();
    // Requests the proxy had forwarded before the kill finish at the server: wait for their answers.
    await waitFor(
      () => proxy.requests.filter((r) => r.path.startsWith('/dst2/')).every((r) => r.status !== undefined),
      'forwarded requests to finish',
      60_000,
    );
    const mine = KEYS.filter((k) => shardOfKey(k.slice('data/'.length), WORKERS) === 1);
    const landed = await listing('dst2');
    expect(landed.size).toBeGreaterThanOrEqual(90);
    expect(landed.size).toBeLessThan(mine.length);
    const putsBefore = putsUnder('dst2');

    const rerun = await runCli(args, { env: envFor(1), cwd: world.work, timeoutMs: 240_000 });
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = jsonLines(rerun.stdout).find((l) => l.type === 'result')!;
    expect(result).toMatchObject({
      shard: { index: 1, count: WORKERS },
      files: mine.length - landed.size,
      skipped: landed.size,
      failed: 0,
    });
    // Only the remaining keys moved: one PUT each, none for a key that had landed.
    const putsAfter = putsUnder('dst2');
    const rerunPuts = [...putsAfter].filter(([path, n]) => n > (putsBefore.get(path) ?? 0)).map(([p]) => p);
    expect(rerunPuts.sort()).toEqual(
      mine
        .filter((k) => !landed.has(k))
        .map((k) => `/dst2/${k}`)
        .sort(),
    );
    expect([...putsAfter.values()].every((n) => n === 1)).toBe(true);

    // The other shards run; the union is the single copy, and the report folds the rerun in.
    const others = await Promise.all(
      [0, 2, 3].map((index) => runCli(args, { env: envFor(index), cwd: world.work, timeoutMs: 240_000 })),
    );
    for (const run of others) expect(run.code, run.stderr).toBe(0);
    expect(await listing('dst2')).toEqual(single);
    const texts = [rerun.stdout, ...others.map((o) => o.stdout)];
    for (const [i, text] of texts.entries()) await writeFile(join(world.work, `dst2-${i}.jsonl`), text);
    const partial = await runCli(['report', 'dst2-1.jsonl', 'dst2-2.jsonl', '--json'], {
      env: envFor(),
      cwd: world.work,
    });
    expect(partial.code).toBe(10);
    expect(jsonLines(partial.stdout)[0]).toMatchObject({ complete: false, missing: [1, 3] });
    const full = await runCli(['report', ...texts.map((_, i) => `dst2-${i}.jsonl`)], {
      env: envFor(),
      cwd: world.work,
    });
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toContain(
      `${WORKERS} of ${WORKERS} shards reported, copied ${OBJECTS - landed.size} files`,
    );
  }, 600_000);

  it('refuses auto/N without an index variable, I >= N and bad syntax before any request', async () => {
    const before = proxy.requests.length;
    const none = await runCli(
      ['cp', '-r', 's3://src/data/', 's3://dst/x/', '--shard', 'auto/4', ...flags()],
      {
        env: envFor(),
        cwd: world.work,
      },
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, SLURM_ARRAY_TASK_ID/);
    const high = await runCli(
      ['cp', '-r', 's3://src/data/', 's3://dst/x/', '--shard', 'auto/4', ...flags()],
      {
        env: envFor(4),
        cwd: world.work,
      },
    );
    expect(high.code).toBe(2);
    expect(high.stderr).toMatch(/outside 0\.\.3/);
    const bad = await runCli(['cp', '-r', 's3://src/data/', 's3://dst/x/', '--shard', '2of4', ...flags()], {
      env: envFor(),
      cwd: world.work,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not I\/N or auto\/N/);
    expect(proxy.requests.length).toBe(before);
    // A manifest line that is not JSON: a typed error naming the line.
    await writeFile(
      join(world.work, 'broken.jsonl'),
      `${(await readFile(join(world.work, 'manifest.jsonl'), 'utf8')).split('\n')[0]}\n{oops\n`,
    );
    const broken = await runCli(
      ['cp', '-r', 's3://src/data/', 's3://dst/y/', '--from-manifest', 'broken.jsonl', ...flags()],
      { env: envFor(), cwd: world.work },
    );
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/Line 2 of .*broken\.jsonl is not valid JSON/);
  }, 120_000);
});
