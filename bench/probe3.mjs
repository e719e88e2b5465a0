import { createReadStream } from 'node:fs';
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
const run = {
  engine: () =>
    s.copy(process.env.IN ?? '/tmp/probe-in.bin', 's3://bench/up-engine', {
      partSize: 8 << 20,
      concurrency: 4,
    }),
  provider: () =>
    provider.write(
      s.parse ? 's3://bench/up-provider' : { scheme: 's3', bucket: 'bench', key: 'up-provider' },
      createReadStream(process.env.IN ?? '/tmp/probe-in.bin'),
    ),
  sdk: () =>
    new Upload({
      client,
      params: {
        Bucket: 'bench',
        Key: 'up-sdk',
        Body: createReadStream(process.env.IN ?? '/tmp/probe-in.bin'),
      },
      partSize: 8 << 20,
      queueSize: 4,
    }).done(),
};
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++)
  for (const name of (process.env.WHICH ?? 'engine,provider,sdk').split(',')) {
    const t = Date.now();
    await run[name]();
    console.log(name, ((Date.now() - t) / 1000).toFixed(2) + 's');
  }
await s3.close();
