import { HeadBucketCommand, type HeadBucketCommandOutput } from '@aws-sdk/client-s3';
import type { CallOptions, StorageUri } from '@stowage/core';
import { defined } from './defined.js';
import { s3ErrorHeader } from './s3-errors.js';
import type { S3Requester } from './s3-requester.js';

/** HeadBucket's `x-amz-bucket-region` answer (cached); what `S3Provider.bucketRegion` returns. */
export async function locateBucket(
  requester: S3Requester,
  bucket: string,
  options: CallOptions = {},
): Promise<string> {
  const known = requester.regionCache.get(bucket);
  if (known) return known;
  const at: StorageUri = { scheme: 's3', bucket, key: '' };
  requester.check(at, false);
  let region: string | undefined;
  try {
    const { output } = await requester.send<HeadBucketCommandOutput>(
      { uri: at, operation: 'locate bucket', ...defined({ signal: options.signal, notify: options.notify }) },
      () => new HeadBucketCommand({ Bucket: bucket }),
    );
    region =
      output.BucketRegion ??
      (output.$metadata as { httpHeaders?: Record<string, string> }).httpHeaders?.['x-amz-bucket-region'];
  } catch (error) {
    // A 403 or 301 still names the region in its headers.
    const cause = (error as { cause?: unknown }).cause;
    region = s3ErrorHeader(cause, 'x-amz-bucket-region');
    if (!region) throw error;
  }
  region ??= requester.region;
  requester.regionCache.set(bucket, region);
  return region;
}
