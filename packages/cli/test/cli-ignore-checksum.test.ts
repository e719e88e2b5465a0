import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FaultProxy, type S3ServerHandle, startFaultProxy, startS3Server } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, payload, runCli, s3rverFlags, tempWorld } from './support/cli-harness.js';

// `--ignore-checksum` (rclone's name) trades the check against the source's digest for CPU. A byte
// flipped on the wire (framing intact, so only a digest can tell) proves which way each run went:
// by default exit 9 and nothing kept; with the flag the copy lands, flipped byte and all, and the
// size is still checked.
const MiB = 1024 * 1024;
let s3: S3ServerHandle;
let proxy: FaultProxy;
let world: Awaited<ReturnType<typeof tempWorld>>;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['sums'] });
  proxy = await startFaultProxy({ target: s3.endpoint });
  world = await tempWorld({
    credentials: `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`,
  });
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await s3?.close();
  await world?.cleanup();
});

const cli = (args: string[]) =>
  runCli([...args, ...s3rverFlags(proxy.endpoint)], { env: cleanEnv(world.home), cwd: world.work });

describe('stowage cp --ignore-checksum', () => {
  const data = payload(3 * MiB, 11);

  beforeAll(async () => {
    await writeFile(join(world.work, 'src.bin'), data);
    const up = await cli(['cp', 'src.bin', 's3://sums/obj.bin']);
    expect(up.code, up.stderr).toBe(0);
  });

  const corruptGets = (times: number) =>
    proxy.inject({
      match: { method: 'GET', path: '/sums/obj.bin' },
      action: { kind: 'corrupt', atByte: MiB + 77 },
      times,
    });

  it('by default a flipped byte is caught: retried, and when it persists exit 9, nothing kept', async () => {
    const once = corruptGets(1);
    const retried = await cli(['cp', 's3://sums/obj.bin', 'retried/']);
    expect(once.hits).toBe(1);
    expect(retried.code, retried.stderr).toBe(0);
    expect((await readFile(join(world.work, 'retried', 'obj.bin'))).equals(data)).toBe(true);

    const always = corruptGets(Number.POSITIVE_INFINITY);
    try {
      const result = await cli(['cp', 's3://sums/obj.bin', 'default/']);
      expect(always.hits).toBeGreaterThan(1);
      expect(result.code, result.stderr).toBe(9);
      expect(result.stderr).toMatch(/md5/i);
      expect(await readdir(join(world.work, 'default')).catch(() => [])).toEqual([]);
    } finally {
      always.remove();
    }
  });

  it('with --ignore-checksum the same copy lands, the flipped byte unnoticed', async () => {
    const fault = corruptGets(1);
    const result = await cli(['cp', 's3://sums/obj.bin', 'ignored/', '--ignore-checksum']);
    expect(fault.hits).toBe(1);
    expect(result.code, result.stderr).toBe(0);
    const got = await readFile(join(world.work, 'ignored', 'obj.bin'));
    expect(got.length).toBe(data.length);
    expect(got.equals(data)).toBe(false);
    expect(got[MiB + 77]).toBe(data[MiB + 77]! ^ 0xff);
  });

  it('with --ignore-checksum an intact copy is byte-identical', async () => {
    const result = await cli(['cp', 's3://sums/obj.bin', 'clean/', '--ignore-checksum']);
    expect(result.code, result.stderr).toBe(0);
    expect((await readFile(join(world.work, 'clean', 'obj.bin'))).equals(data)).toBe(true);
  });
});
