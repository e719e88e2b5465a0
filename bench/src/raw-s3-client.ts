import { S3Client } from '@aws-sdk/client-s3';
import type { BenchEnv, S3Ground } from './bench-case.js';

/** The local S3 server of this run; every S3 case needs it. */
export function localS3(env: BenchEnv): NonNullable<BenchEnv['s3']> {
  if (!env.s3) throw new Error('the S3 cases need the local S3 server (env.s3)');
  return env.s3;
}

/**
 * The raw SDK client, configured as its docs advise for an S3-compatible endpoint (the peer in every
 * S3 group), for the run's s3rver unless another server (`ground`, e.g. moto) is named.
 */
export function rawS3Client(env: BenchEnv, ground?: S3Ground): S3Client {
  const s3 = ground ?? localS3(env);
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    // s3rver does not store x-amz-checksum-*; both tools skip them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
