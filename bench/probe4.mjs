import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Credentials, createStorage, FsProvider } from '@stowage/core';
import { S3Provider } from '@stowage/s3';
import { startS3Server } from '@stowage/testing';

const s3 = await startS3Server({ dir: '/tmp/probe-s3rver', buckets: ['bench'] });
const keys = Credentials.aws({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, 'b');
const provider = new S3Provider({
  endpoint: s3.endpoint,
  region: s3.region,
  forcePathStyle: true,
  checksumAlgorithm: 'off',
  multipartHooks: false,
  partSize: 8 << 20,
  concurrency: 4,
  credentials: { name: 'b', resolve: async () => keys },
});
const s = createStorage({ providers: [new FsProvider(), provider] });
const client = new S3Client({
  endpoint: s3.endpoint,
  region: s3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
const dir = '/tmp/stowage-bench-full/fixtures/tree-1000x1MiB';
const N = Number(process.env.N ?? 300);
const names = (await readdir(dir)).sort().slice(0, N);
async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}
let r = 0;
const run = {
  engine: () =>
    s.copyTree(`${dir}/`, `s3://bench/tree-engine-${r}/`, {
      fileConcurrency: 8,
      include: names.length < 1000 ? names : undefined,
    }),
  sdk: () =>
    pool(names, 8, (name) =>
      new Upload({
        client,
        params: { Bucket: 'bench', Key: `tree-sdk-${r}/${name}`, Body: createReadStream(`${dir}/${name}`) },
        partSize: 8 << 20,
        queueSize: 4,
      }).done(),
    ),
};
for (; r < Number(process.env.ROUNDS ?? 2); r++)
  for (const name of (process.env.WHICH ?? 'engine,sdk').split(',')) {
    const t = Date.now();
    const c = process.cpuUsage();
    await run[name]();
    const u = process.cpuUsage(c);
    console.log(
      name,
      ((Date.now() - t) / 1000).toFixed(2) + 's',
      'cpu',
      ((u.user + u.system) / 1e6).toFixed(2),
    );
  }
await s3.close();
