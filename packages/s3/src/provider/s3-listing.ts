import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import {
  compareKeys,
  type Entry,
  InvalidArgumentError,
  type ListOptions,
  type StorageUri,
  withKey,
} from '@stowage/core';
import { defined } from './defined.js';
import type { S3Requester } from './s3-requester.js';

/** ListObjectsV2 pages as one lazy iteration, recursive or delimited. */
export async function* listObjects(
  requester: S3Requester,
  prefix: StorageUri,
  options: ListOptions = {},
): AsyncIterable<Entry> {
  requester.check(prefix, false);
  if (options.pageSize !== undefined && (!Number.isSafeInteger(options.pageSize) || options.pageSize < 1)) {
    throw new InvalidArgumentError(`pageSize must be a positive integer, got ${options.pageSize}`);
  }
  const base: StorageUri = { scheme: prefix.scheme, bucket: prefix.bucket, key: '' };
  let token: string | undefined;
  // With a delimiter S3 may roll keys after StartAfter into a prefix listed before it: skip those.
  let last: string | undefined = options.startAfter;
  do {
    const { output } = await requester.send<ListObjectsV2CommandOutput>(
      {
        uri: prefix,
        operation: 'list',
        read: true,
        ...defined({ signal: options.signal, notify: options.notify }),
      },
      (payer) =>
        new ListObjectsV2Command(
          defined({
            Bucket: prefix.bucket,
            Prefix: prefix.key || undefined,
            Delimiter: options.recursive ? undefined : '/',
            MaxKeys: options.pageSize,
            ContinuationToken: token,
            StartAfter: token === undefined ? options.startAfter : undefined,
            RequestPayer: payer,
          }),
        ),
    );
    // A page holds objects and common prefixes in separate lists; merge them back into key order.
    const page: Entry[] = [];
    for (const o of output.Contents ?? []) {
      if (o.Key === undefined) continue;
      page.push({
        type: 'object',
        key: o.Key,
        uri: withKey(base, o.Key),
        size: o.Size ?? 0,
        ...defined({ etag: o.ETag, lastModified: o.LastModified }),
      });
    }
    for (const p of output.CommonPrefixes ?? []) {
      if (p.Prefix !== undefined) page.push({ type: 'prefix', key: p.Prefix, uri: withKey(base, p.Prefix) });
    }
    page.sort((a, b) => compareKeys(a.key, b.key));
    // Pages continue in key order; a server that repeats an entry across pages is not believed twice.
    for (const entry of page) {
      if (last !== undefined && compareKeys(entry.key, last) <= 0) continue;
      last = entry.key;
      yield entry;
    }
    token = output.IsTruncated ? output.NextContinuationToken : undefined;
  } while (token !== undefined);
}
