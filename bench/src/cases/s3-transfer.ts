import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { parseUri } from '@stowage/core';
import { S3Provider } from '@stowage/s3';
import type { BenchCase, BenchEnv } from '../bench-case.js';
import { rawS3Client } from '../raw-s3-client.js';

// Same part size and parallelism for both tools, so the comparison is about the code, not the knobs.
const PART_SIZE = 8 * 1024 * 1024;
const CONCURRENCY = 4;
// `bytes` is the full-scale size; at BENCH_SCALE < 1 the runner's fixtures are smaller.
const SIZES = [
  { label: '256MiB', file: 'file-256MiB', bytes: 256 * 1024 ** 2 },
  { label: '1GiB', file: 'file-1GiB', bytes: 1024 ** 3 },
] as const;

function s3Of(env: BenchEnv): NonNullable<BenchEnv['s3']> {
  if (!env.s3) throw new Error('the S3 cases need the local S3 server (env.s3)');
  return env.s3;
}

function fileOf(env: BenchEnv, name: string): { path: string; bytes: number } {
  const file = env.files[name];
  if (!file) throw new Error(`bench fixture ${name} is missing`);
  return file;
}

function stowageProvider(env: BenchEnv): S3Provider {
  const s3 = s3Of(env);
  return new S3Provider({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    checksumAlgorithm: 'off',
    partSize: PART_SIZE,
    concurrency: CONCURRENCY,
    credentials: {
      name: 'bench',
      resolve: async () => {
        const { Credentials } = await import('@stowage/core');
        return Credentials.aws({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, 'bench');
      },
    },
  });
}

function downloadKey(label: string): string {
  return `bench/download-${label}`;
}

/** Put the download fixture once, unless an object of the right size is already there. */
async function ensureDownloadObject(env: BenchEnv, label: string, file: string): Promise<void> {
  const s3 = s3Of(env);
  const { path, bytes } = fileOf(env, file);
  const client = rawS3Client(env);
  try {
    const head = await client
      .send(new HeadObjectCommand({ Bucket: s3.bucket, Key: downloadKey(label) }))
      .catch(() => undefined);
    if (head?.ContentLength === bytes) return;
    await new Upload({
      client,
      params: { Bucket: s3.bucket, Key: downloadKey(label), Body: createReadStream(path) },
      partSize: PART_SIZE,
      queueSize: CONCURRENCY,
    }).done();
  } finally {
    client.destroy();
  }
}

function uploadCases(label: string, file: string): BenchCase[] {
  const group = `s3-upload-${label}`;
  return [
    {
      id: `${group}/stowage`,
      group,
      tool: 'stowage',
      bytes: (env: BenchEnv) => fileOf(env, file).bytes,
      async run(env) {
        const s3 = s3Of(env);
        const { path, bytes } = fileOf(env, file);
        const provider = stowageProvider(env);
        try {
          await provider.write(
            parseUri(`s3://${s3.bucket}/bench/upload-${label}-stowage`),
            createReadStream(path),
            {
              contentLength: bytes,
            },
          );
        } finally {
          await provider.close();
        }
      },
    },
    {
      id: `${group}/aws-sdk`,
      group,
      tool: 'aws-sdk',
      bytes: (env: BenchEnv) => fileOf(env, file).bytes,
      async run(env) {
        const s3 = s3Of(env);
        const { path } = fileOf(env, file);
        const client = rawS3Client(env);
        try {
          await new Upload({
            client,
            params: { Bucket: s3.bucket, Key: `bench/upload-${label}-aws-sdk`, Body: createReadStream(path) },
            partSize: PART_SIZE,
            queueSize: CONCURRENCY,
          }).done();
        } finally {
          client.destroy();
        }
      },
    },
  ];
}

function downloadCases(label: string, file: string): BenchCase[] {
  const group = `s3-download-${label}`;
  const target = (env: BenchEnv, tool: string) => join(env.workDir, `s3-download-${label}-${tool}.bin`);
  const prepare = async (env: BenchEnv, tool: string) => {
    await ensureDownloadObject(env, label, file);
    await rm(target(env, tool), { force: true });
  };
  return [
    {
      id: `${group}/stowage`,
      group,
      tool: 'stowage',
      bytes: (env: BenchEnv) => fileOf(env, file).bytes,
      prepare: (env) => prepare(env, 'stowage'),
      async run(env) {
        const s3 = s3Of(env);
        const provider = stowageProvider(env);
        try {
          const body = await provider.read(parseUri(`s3://${s3.bucket}/${downloadKey(label)}`));
          await pipeline(body, createWriteStream(target(env, 'stowage')));
        } finally {
          await provider.close();
        }
      },
    },
    {
      id: `${group}/aws-sdk`,
      group,
      tool: 'aws-sdk',
      bytes: (env: BenchEnv) => fileOf(env, file).bytes,
      prepare: (env) => prepare(env, 'aws-sdk'),
      async run(env) {
        const s3 = s3Of(env);
        const client = rawS3Client(env);
        try {
          const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: downloadKey(label) }));
          await pipeline(out.Body as Readable, createWriteStream(target(env, 'aws-sdk')));
        } finally {
          client.destroy();
        }
      },
    },
  ];
}

/**
 * 256 MiB and 1 GiB up and down against the local S3 server: Stowage's S3 provider (multipart
 * write from a file stream; one read stream to a file) against the raw SDK used as its docs advise
 * (`@aws-sdk/lib-storage` Upload; one GetObject stream piped to a file), same part size and
 * parallelism.
 */
export const cases: BenchCase[] = SIZES.flatMap(({ label, file }) => [
  ...uploadCases(label, file),
  ...downloadCases(label, file),
]);
