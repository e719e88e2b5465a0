import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type FaultProxy,
  type HttpTestServer,
  type S3ServerHandle,
  startFaultProxy,
  startHttpServer,
  startS3Server,
} from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  jsonLines,
  payload,
  startCli,
  tempWorld,
  waitFor,
  waitUntilIdle,
} from './support/cli-harness.js';

// What docs/transfers.md ("Interrupted runs") promises: SIGINT, SIGTERM and SIGHUP cancel the run,
// the transfers clean up (no hidden `.stowage-tmp-` file, no resume state, multipart uploads
// aborted) and the process exits with 128 + the signal's number; a second signal exits at once.

const MiB = 1024 * 1024;
const TEMP_MARKER = '.stowage-tmp-';

let http: HttpTestServer;
let s3: S3ServerHandle;
let proxy: FaultProxy;
let world: Awaited<ReturnType<typeof tempWorld>>;
let env: Record<string, string>;

beforeAll(async () => {
  [http, s3] = await Promise.all([startHttpServer(), startS3Server({ buckets: ['sig'] })]);
  proxy = await startFaultProxy({ target: s3.endpoint });
  // 24 MiB served at ~2 MiB/s a request: a ranged download (4 parts in flight) takes ~3 s, a
  // single stream ~12 s, so the signal always lands mid-transfer.
  await writeFile(join(http.dir, 'big.bin'), payload(24 * MiB, 7));
  http.setFault({ kind: 'slow', path: 'big.bin', bytesPerSecond: 2 * MiB });
  world = await tempWorld({
    credentials: `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`,
  });
  env = cleanEnv(world.home);
}, 120_000);
afterAll(async () => {
  await Promise.all([http?.close(), proxy?.close()]);
  await s3?.close();
  await world?.cleanup();
});

/** Names in a directory that the engine's temp files and resume state use. */
async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith(TEMP_MARKER));
}

/** An environment whose multipart resume state goes to a cache directory of its own. */
function withCache(name: string): { env: Record<string, string>; uploadState(): Promise<string[]> } {
  const cache = join(world.root, name);
  return {
    env: { ...env, XDG_CACHE_HOME: cache },
    uploadState: () => readdir(join(cache, 'stowage/uploads')).catch(() => []),
  };
}

describe('signals cancel a CLI transfer, clean up, and exit with 128 + the signal number', () => {
  const cases = [
    { signal: 'SIGTERM', exitCode: 143, strategy: 'ranged-download', flags: [] },
    { signal: 'SIGHUP', exitCode: 129, strategy: 'stream', flags: ['--multipart-threshold', '1GiB'] },
    { signal: 'SIGINT', exitCode: 130, strategy: 'ranged-download', flags: [] },
  ] as const;

  for (const { signal, exitCode, strategy, flags } of cases) {
    it(`${signal} during a ${strategy} download removes the partial file and exits ${exitCode}`, async () => {
      const dir = join(world.work, `download-${signal}`);
      await mkdir(dir);
      const run = startCli(['cp', http.urlFor('big.bin'), `${dir}/`, '--json', ...flags], {
        env,
        cwd: world.work,
      });
      // Mid-transfer: bytes have landed and the hidden partial file exists.
      await waitFor(
        () => jsonLines(run.stdout()).some((e) => e.type === 'progress' && (e.bytes as number) > 0),
        'the first progress event',
      );
      expect(jsonLines(run.stdout()).find((e) => e.type === 'started')).toMatchObject({ strategy });
      // The hidden partial (a ranged download also keeps its resume journal beside it).
      expect((await leftovers(dir)).filter((name) => !name.endsWith('.json'))).toHaveLength(1);

      run.child.kill(signal);
      const result = await run.done;
      expect(result.signal, 'the process handled the signal instead of dying of it').toBeUndefined();
      expect(result.code, result.stderr).toBe(exitCode);
      expect(JSON.parse(result.stderr.trim())).toMatchObject({ type: 'error', code: 'Aborted', exitCode });
      expect(await readdir(dir), 'no partial file, no resume state, no destination').toEqual([]);
    });
  }

  it('plain output: the interruption is one error line naming the signal, with the documented hint', async () => {
    const dir = join(world.work, 'download-plain');
    await mkdir(dir);
    const run = startCli(['cp', http.urlFor('big.bin'), `${dir}/`], { env, cwd: world.work });
    await waitFor(async () => (await leftovers(dir)).length > 0, 'the partial file');
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(143);
    expect(result.stderr).toMatch(/\nstowage: Interrupted by SIGTERM.* \[Aborted\]\nhint: .+\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await readdir(dir)).toEqual([]);
  });

  it('SIGTERM during a multipart upload aborts the upload and drops its resume state; a second signal exits at once', async () => {
    await writeFile(join(world.work, 'up.bin'), payload(24 * MiB, 9));
    // Parts crawl (so the upload is in flight when the signal comes), and the upload's abort hangs
    // (so the run is still cleaning up when the second signal comes).
    const slowParts = proxy.inject({
      match: { method: 'PUT', query: { partNumber: true } },
      action: { kind: 'latency', ms: 1_000 },
      times: Number.POSITIVE_INFINITY,
    });
    const hangingAbort = proxy.inject({
      match: { method: 'DELETE', query: { uploadId: true } },
      action: { kind: 'latency', ms: 60_000 },
      times: Number.POSITIVE_INFINITY,
    });
    const { env: runEnv, uploadState } = withCache('cache-hanging-abort');
    try {
      const run = startCli(
        ['cp', 'up.bin', 's3://sig/up.bin', '--endpoint', proxy.endpoint, '--region', 'us-east-1'],
        { env: runEnv, cwd: world.work, timeoutMs: 60_000 },
      );
      await waitFor(() => slowParts.hits > 0, 'the first UploadPart');
      await waitFor(async () => (await uploadState()).length > 0, 'the upload resume state');
      run.child.kill('SIGTERM');
      await waitFor(() => hangingAbort.hits > 0, 'the AbortMultipartUpload request');
      expect(run.child.exitCode, 'still cleaning up after the first signal').toBeNull();

      const second = Date.now();
      run.child.kill('SIGTERM');
      const result = await run.done;
      expect(result.signal).toBeUndefined();
      expect(result.code).toBe(143);
      // "At once": long before the hanging abort request would have returned.
      expect(Date.now() - second).toBeLessThan(20_000);
    } finally {
      slowParts.remove();
      hangingAbort.remove();
    }
  });

  it('SIGTERM during a multipart upload whose abort goes through leaves no resume state', async () => {
    const slowParts = proxy.inject({
      match: { method: 'PUT', query: { partNumber: true } },
      action: { kind: 'latency', ms: 1_000 },
      times: Number.POSITIVE_INFINITY,
    });
    const { env: runEnv, uploadState } = withCache('cache-abort');
    try {
      const run = startCli(
        ['cp', 'up.bin', 's3://sig/up-2.bin', '--endpoint', proxy.endpoint, '--region', 'us-east-1'],
        { env: runEnv, cwd: world.work, timeoutMs: 60_000 },
      );
      await waitFor(() => slowParts.hits > 0, 'the first UploadPart');
      await waitFor(async () => (await uploadState()).length > 0, 'the upload resume state');
      run.child.kill('SIGTERM');
      const result = await run.done;
      expect(result.code, result.stderr).toBe(143);
      expect(proxy.requests.some((r) => r.method === 'DELETE' && r.query.has('uploadId'))).toBe(true);
      expect(await uploadState()).toEqual([]);
    } finally {
      slowParts.remove();
    }
  });

  it('SIGTERM while `catalog login` waits for a code on stdin ends the wait and exits 143', async () => {
    const run = startCli(['catalog', 'login'], { env, cwd: world.work, openStdin: true, timeoutMs: 60_000 });
    await waitUntilIdle(run.child.pid!);
    run.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      run.done,
      new Promise<undefined>((resolveDelay) => {
        timer = setTimeout(() => resolveDelay(undefined), 15_000);
      }),
    ]);
    clearTimeout(timer);
    run.child.kill('SIGKILL');
    expect(ended, 'the process ended after one SIGTERM').toBeDefined();
    expect(ended?.code).toBe(143);
    expect(ended?.stderr).toMatch(/\[Aborted\]/);
  });
});
