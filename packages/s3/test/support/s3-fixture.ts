import { createHash, randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { parseUri, type StorageUri } from '@stowage/core';
import { type FaultProxy, type S3ServerHandle, startFaultProxy, startMotoServer } from '@stowage/testing';
import { S3Provider, type S3ProviderOptions } from '../../src/index.js';

/** Static test keys as a CredentialSource-free option set for a local server. */
export function providerFor(
  server: Pick<S3ServerHandle, 'endpoint' | 'accessKeyId' | 'secretAccessKey' | 'region' | 'kind'>,
  options: S3ProviderOptions = {},
): S3Provider {
  return new S3Provider({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: server.region,
    // s3rver does not store x-amz-checksum-*; moto does.
    checksumAlgorithm: server.kind === 's3rver' ? 'off' : 'CRC32',
    versioning: server.kind !== 's3rver',
    conditionalWrites: server.kind !== 's3rver',
    ...(options.anonymous
      ? {}
      : {
          credentials: {
            name: 'test-keys',
            resolve: async () => {
              const { Credentials } = await import('@stowage/core');
              return Credentials.aws(
                { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
                'test-keys',
              );
            },
          },
        }),
    ...options,
  });
}

/** A raw SDK client for arranging fixtures and checking results independently of the provider. */
export function rawClient(server: S3ServerHandle): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

let counter = 0;
/** Create a fresh bucket with a unique, valid name. */
export async function freshBucket(client: S3Client, label = 'b'): Promise<string> {
  const name = `${label}-${process.pid}-${Date.now().toString(36)}-${counter++}`.toLowerCase();
  await client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** `s3://bucket/key` parsed. */
export function s3(bucket: string, key: string): StorageUri {
  return parseUri(`s3://${bucket}/${key}`);
}

/** Deterministic-enough random payload. */
export function payload(bytes: number): Buffer {
  return randomBytes(bytes);
}

/** Hex SHA-256 of a stream or buffer. */
export async function sha256Of(data: Buffer | AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  if (Buffer.isBuffer(data)) hash.update(data);
  else for await (const chunk of data) hash.update(chunk);
  return hash.digest('hex');
}

/** Clear every AWS_* variable for tests that start servers or resolve credentials. */
export function clearAwsEnv(): () => void {
  const saved: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('AWS_') && value !== undefined) {
      saved[name] = value;
      delete process.env[name];
    }
  }
  return () => Object.assign(process.env, saved);
}

/** moto behind a fault proxy, a raw client and a fresh bucket: the ground of the fault tests on moto. */
export interface MotoGround {
  server: S3ServerHandle;
  /** Point providers here to see and script their requests; `server.endpoint` bypasses it. */
  proxy: FaultProxy;
  raw: S3Client;
  bucket: string;
  /** Stop everything and restore the `AWS_*` variables cleared at the start. */
  close(): Promise<void>;
}

/** Start a {@link MotoGround} with `AWS_*` cleared; whatever started is stopped if a later step fails. */
export function startMotoGround(label: string): Promise<MotoGround> {
  return startS3Ground(label, () => startMotoServer());
}

/** The same ground on any S3-protocol server `start` brings up (s3rver, moto in another mode). */
export async function startS3Ground(
  label: string,
  start: () => Promise<S3ServerHandle>,
): Promise<MotoGround> {
  const restoreEnv = clearAwsEnv();
  let server: S3ServerHandle | undefined;
  let proxy: FaultProxy | undefined;
  let raw: S3Client | undefined;
  const close = async () => {
    raw?.destroy();
    await proxy?.close();
    await server?.close();
    restoreEnv();
  };
  try {
    server = await start();
    proxy = await startFaultProxy({ target: server.endpoint });
    raw = rawClient(server);
    const bucket = await freshBucket(raw, label);
    return { server, proxy, raw, bucket, close };
  } catch (error) {
    await close();
    throw error;
  }
}
