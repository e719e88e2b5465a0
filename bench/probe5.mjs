import { Credentials } from '@stowage/core';
import { S3Provider } from '@stowage/s3';
import { startFaultProxy, startS3Server } from '@stowage/testing';

const s3 = await startS3Server({ dir: '/tmp/probe-s3rver5', buckets: ['bench'] });
const proxy = await startFaultProxy({ target: s3.endpoint });
for (const endpoint of [proxy.endpoint]) {
  const keys = Credentials.aws({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, 'b');
  const provider = new S3Provider({
    endpoint,
    region: s3.region,
    forcePathStyle: true,
    checksumAlgorithm: 'off',
    multipartHooks: false,
    partSize: 5 << 20,
    concurrency: 4,
    credentials: { name: 'b', resolve: async () => keys },
  });
  await provider.write({ scheme: 's3', bucket: 'bench', key: 'small' }, Buffer.alloc(1000, 1));
  await provider.write({ scheme: 's3', bucket: 'bench', key: 'big' }, Buffer.alloc(12 << 20, 1));
  for (const r of proxy.requests)
    console.log(
      r.method,
      r.path,
      r.query.toString(),
      r.headers['x-amz-content-sha256'],
      r.headers['content-md5'],
      r.headers['transfer-encoding'],
    );
}
await proxy.close();
await s3.close();
