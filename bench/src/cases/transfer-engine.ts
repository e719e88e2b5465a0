import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Credentials, createStorage, FsProvider, type Storage } from '@stowage/core';
import { S3Provider } from '@stowage/s3';
import type { BenchCase, BenchEnv } from '../bench-case.js';
import { rawS3Client } from '../raw-s3-client.js';

// Issue 7's comparison: whole transfers through `storage.copy` / `storage.copyTree` (the engine:
// strategy choice, verification, temp-file rename) against the raw SDK used as its docs advise
// (lib-storage Upload; one GetObject stream per object), same part size, same parallelism.
const PART = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;
const FILES_IN_FLIGHT = 8;

const s3Of = (env: BenchEnv) => {
  if (!env.s3) throw new Error('needs the local S3 server');
  return env.s3;
};

function stowage(env: BenchEnv): Storage {
  const s3 = s3Of(env);
  const keys = Credentials.aws({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, 'bench');
  return createStorage({
    providers: [
      new FsProvider(),
      new S3Provider({
        endpoint: s3.endpoint,
        region: s3.region,
        forcePathStyle: true,
        checksumAlgorithm: 'off',
        // s3rver has no AbortMultipartUpload/ListParts, so the provider uploads large bodies itself.
        multipartHooks: false,
        partSize: PART,
        concurrency: PARTS_IN_FLIGHT,
        credentials: { name: 'bench', resolve: async () => keys },
      }),
    ],
  });
}

/** Run `fn` over items, `n` at a time. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function sdkUploadTree(env: BenchEnv, prefix: string): Promise<void> {
  const client = rawS3Client(env);
  const dir = env.files['tree-1000x1MiB']!.path;
  const names = (await readdir(dir)).sort();
  await pool(names, FILES_IN_FLIGHT, async (name) => {
    await new Upload({
      client,
      params: { Bucket: s3Of(env).bucket, Key: `${prefix}${name}`, Body: createReadStream(join(dir, name)) },
      partSize: PART,
      queueSize: PARTS_IN_FLIGHT,
    }).done();
  });
  client.destroy();
}

async function sdkDownloadTree(env: BenchEnv, prefix: string, target: string): Promise<void> {
  const client = rawS3Client(env);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: s3Of(env).bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.NextContinuationToken;
  } while (token);
  await mkdir(target, { recursive: true });
  await pool(keys, FILES_IN_FLIGHT, async (key) => {
    const out = await client.send(new GetObjectCommand({ Bucket: s3Of(env).bucket, Key: key }));
    await pipeline(out.Body as Readable, createWriteStream(join(target, key.slice(prefix.length))));
  });
  client.destroy();
}

const treeBytes = (env: BenchEnv) => env.files['tree-1000x1MiB']!.bytes;
const bigBytes = (env: BenchEnv) => env.files['file-1GiB']!.bytes;
const out = (env: BenchEnv, name: string) => join(env.workDir, 'engine', name);
const clean = (name: string) => async (env: BenchEnv) => rm(out(env, name), { recursive: true, force: true });

/** fs → s3 and s3 → fs, one 1 GiB file and a tree of 1,000 × 1 MiB files. */
export const cases: BenchCase[] = [
  {
    id: 'engine-tree-up/stowage',
    group: 'engine-tree-fs-to-s3',
    tool: 'stowage',
    bytes: treeBytes,
    async run(env) {
      await stowage(env).copyTree(
        `${env.files['tree-1000x1MiB']!.path}/`,
        `s3://${s3Of(env).bucket}/engine/tree-stowage/`,
        { fileConcurrency: FILES_IN_FLIGHT },
      );
    },
  },
  {
    id: 'engine-tree-up/aws-sdk',
    group: 'engine-tree-fs-to-s3',
    tool: 'aws-sdk',
    bytes: treeBytes,
    run: (env) => sdkUploadTree(env, 'engine/tree-sdk/'),
  },
  {
    id: 'engine-tree-down/stowage',
    group: 'engine-tree-s3-to-fs',
    tool: 'stowage',
    bytes: treeBytes,
    prepare: clean('tree-stowage'),
    async run(env) {
      await stowage(env).copyTree(
        `s3://${s3Of(env).bucket}/engine/tree-sdk/`,
        `${out(env, 'tree-stowage')}/`,
        { fileConcurrency: FILES_IN_FLIGHT },
      );
    },
  },
  {
    id: 'engine-tree-down/aws-sdk',
    group: 'engine-tree-s3-to-fs',
    tool: 'aws-sdk',
    bytes: treeBytes,
    prepare: clean('tree-sdk'),
    run: (env) => sdkDownloadTree(env, 'engine/tree-sdk/', out(env, 'tree-sdk')),
  },
  {
    id: 'engine-1GiB-up/stowage',
    group: 'engine-1GiB-fs-to-s3',
    tool: 'stowage',
    bytes: bigBytes,
    async run(env) {
      await stowage(env).copy(env.files['file-1GiB']!.path, `s3://${s3Of(env).bucket}/engine/big-stowage`, {
        partSize: PART,
        concurrency: PARTS_IN_FLIGHT,
      });
    },
  },
  {
    id: 'engine-1GiB-up/aws-sdk',
    group: 'engine-1GiB-fs-to-s3',
    tool: 'aws-sdk',
    bytes: bigBytes,
    async run(env) {
      const client = rawS3Client(env);
      await new Upload({
        client,
        params: {
          Bucket: s3Of(env).bucket,
          Key: 'engine/big-sdk',
          Body: createReadStream(env.files['file-1GiB']!.path),
        },
        partSize: PART,
        queueSize: PARTS_IN_FLIGHT,
      }).done();
      client.destroy();
    },
  },
  {
    id: 'engine-1GiB-down/stowage',
    group: 'engine-1GiB-s3-to-fs',
    tool: 'stowage',
    bytes: bigBytes,
    prepare: clean('big-stowage'),
    async run(env) {
      // The engine's own download part size: the SDK's way (one GetObject stream) has no parts to match,
      // and the engine picks larger parts for large objects because requests cost more than bytes.
      await stowage(env).copy(`s3://${s3Of(env).bucket}/engine/big-sdk`, out(env, 'big-stowage'), {
        concurrency: PARTS_IN_FLIGHT,
      });
    },
  },
  {
    // The same without the MD5 check of the ETag (the raw SDK checks nothing): what verification costs.
    id: 'engine-1GiB-down/stowage-unverified',
    group: 'engine-1GiB-s3-to-fs',
    tool: 'stowage-unverified',
    bytes: bigBytes,
    prepare: clean('big-stowage'),
    async run(env) {
      await stowage(env).copy(`s3://${s3Of(env).bucket}/engine/big-sdk`, out(env, 'big-stowage'), {
        concurrency: PARTS_IN_FLIGHT,
        verifySourceDigest: false,
      });
    },
  },
  {
    id: 'engine-1GiB-down/aws-sdk',
    group: 'engine-1GiB-s3-to-fs',
    tool: 'aws-sdk',
    bytes: bigBytes,
    prepare: clean('big-sdk'),
    async run(env) {
      const client = rawS3Client(env);
      const got = await client.send(
        new GetObjectCommand({ Bucket: s3Of(env).bucket, Key: 'engine/big-sdk' }),
      );
      await mkdir(join(env.workDir, 'engine'), { recursive: true });
      await pipeline(got.Body as Readable, createWriteStream(out(env, 'big-sdk')));
      client.destroy();
    },
  },
];
