import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type S3ServerHandle, startS3Server } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, jsonLines, payload, runCli, s3rverFlags, tempWorld } from './support/cli-harness.js';

// A download of 64 MiB or more is hashed on a worker thread, whose module the binary (a bundle)
// must ship beside the code that starts it (scripts/bundle.mjs). Smaller files never start the
// thread, so only a file this big shows that the bundled binary can verify one.
const MiB = 1024 * 1024;
let s3: S3ServerHandle;
let world: Awaited<ReturnType<typeof tempWorld>>;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['big'] });
  world = await tempWorld();
}, 120_000);
afterAll(async () => {
  await s3?.close();
  await world?.cleanup();
});

describe('the bundled binary verifies a download on the hashing thread', () => {
  it('72 MiB from S3: byte-identical, MD5 checked', async () => {
    const env = cleanEnv(world.home, {
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
    const flags = s3rverFlags(s3.endpoint);
    const data = payload(72 * MiB, 11);
    await writeFile(join(world.work, 'big.bin'), data);
    // One PUT, so the object's ETag is its MD5 (a multipart ETag is not).
    const up = await runCli(
      ['cp', 'big.bin', 's3://big/big.bin', '--multipart-threshold', '1GiB', ...flags],
      {
        env,
        cwd: world.work,
      },
    );
    expect(up.code, up.stderr).toBe(0);
    const down = await runCli(['--json', 'cp', 's3://big/big.bin', 'back.bin', ...flags], {
      env,
      cwd: world.work,
    });
    expect(down.code, down.stderr).toBe(0);
    const completed = jsonLines(down.stdout).find((line) => line.type === 'completed');
    expect(completed).toMatchObject({
      bytes: 72 * MiB,
      verified: expect.arrayContaining(['size', 'md5Hex']),
    });
    expect((await readFile(join(world.work, 'back.bin'))).equals(data)).toBe(true);
  }, 120_000);
});
