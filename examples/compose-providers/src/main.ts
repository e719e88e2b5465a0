// Compose providers two ways: by hand with `new` and createStorage, and through tsyringe. The S3
// side is a local S3-protocol server (s3rver) this program starts and stops itself.
import 'reflect-metadata'; // once, before tsyringe resolves anything
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CredentialSource,
  Credentials,
  createStorage,
  FsProvider,
  MemoryProvider,
  readAll,
  register,
  Storage,
  withRetry,
  withTimeout,
} from '@stowage/core';
import { register as registerS3, S3Provider, type S3ProviderOptions } from '@stowage/s3';
import { startS3Server } from '@stowage/testing';
import { container } from 'tsyringe';

const s3 = await startS3Server({ buckets: ['example-bucket'] });
const dir = await mkdtemp(join(tmpdir(), 'stowage-compose-'));
try {
  // The server's keys as a credential source (in real use, leave `credentials` out: the S3
  // provider then resolves AWS credentials in boto3's order).
  const keys = Credentials.aws(
    { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    'local-server',
  );
  const localKeys: CredentialSource = { name: 'local-server', resolve: async () => keys };
  const s3Options: S3ProviderOptions = {
    endpoint: s3.endpoint,
    forcePathStyle: true, // s3rver serves buckets by path, not by virtual host
    region: s3.region,
    checksumAlgorithm: 'off', // s3rver does not store x-amz-checksum-* headers
    credentials: localKeys,
  };

  // 1. By hand: providers built with `new`, and layers that wrap every one of them (innermost
  //    first: each attempt gets 10 s, and up to 3 attempts are made for retryable failures).
  const storage = createStorage({
    providers: [new FsProvider(), new MemoryProvider(), new S3Provider(s3Options)],
    layers: [withTimeout({ operationMs: 10_000 }), withRetry({ maxAttempts: 3 })],
  });
  console.log(`providers: ${storage.providers.map((p) => `${p.name} (${p.schemes.join(', ')})`).join('; ')}`);

  await storage.write('mem://scratch/greeting.txt', 'hello from memory');
  await storage.copy('mem://scratch/greeting.txt', 's3://example-bucket/greetings/hello.txt');
  const fromS3 = (await readAll(await storage.read('s3://example-bucket/greetings/hello.txt'))).toString();
  console.log(`mem -> s3: s3 holds "${fromS3}"`);
  assert.equal(fromS3, 'hello from memory');

  const local = join(dir, 'hello.txt');
  const download = await storage.copy('s3://example-bucket/greetings/hello.txt', local);
  console.log(
    `s3 -> fs: ${download.bytes} bytes, ${download.strategy}, verified ${download.verified.join(' + ')}`,
  );
  assert.equal(await readFile(local, 'utf8'), 'hello from memory');

  // 2. Through tsyringe: core registers fs + memory and the storage config; the S3 package's
  //    `register` adds its provider under the PROVIDER token; Storage receives all of them.
  const child = register(container.createChildContainer(), { layers: [withRetry()] });
  registerS3(child, s3Options);
  const injected = child.resolve(Storage);
  const keysSeen: string[] = [];
  for await (const entry of injected.list('s3://example-bucket/', { recursive: true })) {
    keysSeen.push(entry.key);
    console.log(`through DI: ${entry.type} ${entry.key}`);
  }
  assert.deepEqual(keysSeen, ['greetings/hello.txt']);

  await storage.close();
  await injected.close();
} finally {
  await rm(dir, { recursive: true, force: true });
  await s3.close();
}
