import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  type CopyTreeResult,
  createStorage,
  FsProvider,
  InvalidUriError,
  type TransferEvent,
} from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoGround, providerFor, startMotoGround } from './support/s3-fixture.js';

// A bucket whose keys include some that no file system path can hold safely (`..`, `m/../x`):
// those entries fail one by one, typed, in the events and the result; the other 200 files copy.
const BAD = ['..', 'm/../x'];
let ground: MotoGround;
let dir: string;

beforeAll(async () => {
  ground = await startMotoGround('badkeys');
  dir = await mkdtemp(join(tmpdir(), 'stowage-bad-keys-'));
  const keys = [...Array.from({ length: 200 }, (_, i) => `good/${String(i).padStart(3, '0')}.txt`), ...BAD];
  for (const key of keys) {
    await ground.raw.send(new PutObjectCommand({ Bucket: ground.bucket, Key: key, Body: `body of ${key}` }));
  }
}, 120_000);
afterAll(async () => {
  await ground?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function storage() {
  return createStorage({ providers: [new FsProvider(), providerFor(ground.server)] });
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('a tree with keys the destination cannot hold', () => {
  for (const concurrency of [1, 16]) {
    it(`copies every good key and fails each bad one on its own (fileConcurrency ${concurrency})`, async () => {
      const s = storage();
      const events: TransferEvent[] = [];
      const subscription = s.events$.subscribe((e) => events.push(e));
      const out = join(dir, `copy-${concurrency}`);
      const error = await s
        .copyTree(`s3://${ground.bucket}/`, `${out}/`, { fileConcurrency: concurrency })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      subscription.unsubscribe();
      expect(error).toBeInstanceOf(InvalidUriError);
      const result = (error as { treeResult?: CopyTreeResult }).treeResult;
      expect(result).toMatchObject({ files: 200, failed: 2 });
      expect(result!.failures.map((f) => f.code)).toEqual(['InvalidUri', 'InvalidUri']);
      expect(result!.failures.map((f) => f.source).sort()).toEqual(
        BAD.map((k) => `s3://${ground.bucket}/${k}`).sort(),
      );
      const failed = events.filter((e) => e.type === 'failed');
      expect(failed).toHaveLength(2);
      expect(failed.every((e) => e.type === 'failed' && e.error.code === 'InvalidUri')).toBe(true);
      const written = await filesUnder(out);
      expect(written).toHaveLength(200);
      expect(written.every((path) => path.startsWith(`${out}/`))).toBe(true);
      expect(await readdir(dirname(out))).not.toContain('x');
    });
  }

  it('a dry run plans the good keys and reports the bad ones instead of rejecting', async () => {
    const out = join(dir, 'dry');
    const result = await storage().copyTree(`s3://${ground.bucket}/`, `${out}/`, { dryRun: true });
    expect(result).toMatchObject({ files: 200, failed: 2, dryRun: true });
    expect(result.planned).toHaveLength(200);
    expect(await readdir(dir)).not.toContain('dry');
  });
});
