// Compose providers two ways: by hand with createStorage, and through tsyringe. The S3 side is a
// local S3-protocol server this program starts itself.
import 'reflect-metadata';
import {
  Credentials,
  createStorage,
  FsProvider,
  MemoryProvider,
  PROVIDER,
  readAll,
  register,
  Storage,
  withRetry,
  withTimeout,
} from '@stowage/core';
import { S3Provider } from '@stowage/s3';
import { startS3Server } from '@stowage/testing';
import { container } from 'tsyringe';

const s3 = await startS3Server({ buckets: ['example-bucket'] });
try {
  const keys = Credentials.aws(
    { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    'local-server',
  );
  const s3Provider = () =>
    new S3Provider({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: s3.region,
      checksumAlgorithm: 'off', // s3rver does not store x-amz-checksum-* headers
      credentials: { name: 'local-server', resolve: async () => keys },
    });

  // 1. By hand: providers plus layers that wrap every one of them.
  const storage = createStorage({
    providers: [new FsProvider(), new MemoryProvider(), s3Provider()],
    layers: [withTimeout({ operationMs: 10_000 }), withRetry({ maxAttempts: 3 })],
  });
  await storage.write('mem://scratch/greeting.txt', 'hello from memory');
  await storage.copy('mem://scratch/greeting.txt', 's3://example-bucket/greetings/hello.txt');
  const back = await readAll(await storage.read('s3://example-bucket/greetings/hello.txt'));
  console.log(`by hand: s3 holds "${back.toString()}"`);
  console.log(`providers: ${storage.providers.map((p) => `${p.name} (${p.schemes.join(', ')})`).join('; ')}`);

  // 2. Through tsyringe: core registers fs + memory and the config; the S3 provider joins under PROVIDER.
  const child = register(container.createChildContainer(), { layers: [withRetry()] });
  child.register(PROVIDER, { useValue: s3Provider() });
  const injected = child.resolve(Storage);
  for await (const entry of injected.list('s3://example-bucket/', { recursive: true })) {
    console.log(`through DI: ${entry.type} ${entry.key}`);
  }
  await storage.close();
  await injected.close();
} finally {
  await s3.close();
}
