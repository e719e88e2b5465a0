import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
} from '@aws-sdk/client-s3';
import { type DeleteOptions, type DeleteOutcome, displayUri, type StorageUri } from '@stowage/core';
import { defined } from './defined.js';
import { mapS3Error } from './s3-errors.js';
import type { S3Requester } from './s3-requester.js';

/** DeleteObject; a missing key is not an error (S3 answers 204 either way). */
export async function deleteObject(
  requester: S3Requester,
  uri: StorageUri,
  options: DeleteOptions = {},
): Promise<void> {
  requester.check(uri);
  await requester.send(
    { uri, operation: 'delete', ...defined({ signal: options.signal, notify: options.notify }) },
    (payer) =>
      new DeleteObjectCommand(
        defined({ Bucket: uri.bucket, Key: uri.key, VersionId: uri.versionId, RequestPayer: payer }),
      ),
  );
}

/** DeleteObjects in batches of 1,000 (S3's limit), one outcome per key, per-key errors included. */
export async function* deleteObjects(
  requester: S3Requester,
  uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
  options: DeleteOptions = {},
): AsyncIterable<DeleteOutcome> {
  let batch: StorageUri[] = [];
  for await (const uri of uris) {
    requester.check(uri);
    if (batch.length > 0 && (batch.length >= 1000 || batch[0]!.bucket !== uri.bucket)) {
      yield* await deleteBatch(requester, batch, options);
      batch = [];
    }
    batch.push(uri);
  }
  if (batch.length > 0) yield* await deleteBatch(requester, batch, options);
}

async function deleteBatch(
  requester: S3Requester,
  batch: StorageUri[],
  options: DeleteOptions,
): Promise<DeleteOutcome[]> {
  const bucket = batch[0]!.bucket;
  const at: StorageUri = { scheme: 's3', bucket, key: '' };
  let output: DeleteObjectsCommandOutput;
  try {
    ({ output } = await requester.send<DeleteObjectsCommandOutput>(
      {
        uri: at,
        operation: `delete ${batch.length} objects in`,
        ...defined({ signal: options.signal, notify: options.notify }),
      },
      (payer) =>
        new DeleteObjectsCommand(
          defined({
            Bucket: bucket,
            RequestPayer: payer,
            Delete: {
              Quiet: true,
              Objects: batch.map((uri) => defined({ Key: uri.key, VersionId: uri.versionId })),
            },
          }),
        ),
    ));
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return batch.map((uri) => ({ uri, error: error as Error }));
  }
  const failed = new Map<string, Error>();
  for (const e of output.Errors ?? []) {
    if (e.Key === undefined) continue;
    const uri: StorageUri = { scheme: 's3', bucket, key: e.Key };
    failed.set(
      `${e.Key}\u0000${e.VersionId ?? ''}`,
      mapS3Error(
        {
          name: e.Code ?? 'Error',
          message: e.Message,
          $fault: 'client',
          $metadata: { requestId: output.$metadata.requestId },
        },
        { operation: 'delete', uri: displayUri(uri), bucket, provider: requester.name },
      ),
    );
  }
  return batch.map((uri) => {
    const error = failed.get(`${uri.key}\u0000${uri.versionId ?? ''}`) ?? failed.get(`${uri.key}\u0000`);
    return error ? { uri, error } : { uri };
  });
}
