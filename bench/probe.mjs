import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { Credentials, createStorage, FsProvider } from '@stowage/core';
import { S3Provider } from '@stowage/s3';
import { startS3Server } from '@stowage/testing';

const s3 = await startS3Server({ dir: '/tmp/probe-s3rver', buckets: ['bench'] });
const keys = Credentials.aws({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, 'b');
const s = createStorage({
  providers: [
    new FsProvider(),
    new S3Provider({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      checksumAlgorithm: 'off',
      multipartHooks: false,
      partSize: 8 << 20,
      concurrency: 4,
      credentials: { name: 'b', resolve: async () => keys },
    }),
  ],
});
const MB = Number(process.env.MB ?? 256);
if (!process.env.SKIPUP) {
  const buf = Buffer.alloc(MB << 20);
  for (let i = 0; i < buf.length; i += 1 << 20) randomBytes(1 << 20).copy(buf, i);
  await writeFile('/tmp/probe-in.bin', buf);
}
const t0 = Date.now();
if (process.env.SKIPUP && (await s.stat('s3://bench/big').catch(() => false))) console.log('exists');
else await s.copy('/tmp/probe-in.bin', 's3://bench/big', { partSize: 8 << 20, concurrency: 4 });
console.log('upload', ((Date.now() - t0) / 1000).toFixed(2) + 's');
const variants = JSON.parse(process.env.VARIANTS ?? '[["default",{}]]');
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++)
  for (const [label, opts] of variants) {
    await rm('/tmp/probe-out.bin', { force: true });
    const t = Date.now();
    const r = await s.copy('s3://bench/big', '/tmp/probe-out.bin', opts);
    console.log(label, r.strategy, r.verified.join(','), ((Date.now() - t) / 1000).toFixed(2) + 's');
  }
await s3.close();
