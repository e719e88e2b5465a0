import { decorateProvider, type Provider } from '@stowage/core';
import type { S3ReadOptions, S3StatOptions } from '../provider/s3-object-read.js';

/**
 * The source provider of a requester-pays read: every `stat` and `read` carries the agreement to
 * pay (`x-amz-request-payer: requester`). It wraps the provider the Storage resolved, layers
 * included, so the flag reaches the S3 provider through them; nothing else is changed.
 */
export function requesterPaysReads(provider: Provider): Provider {
  return decorateProvider(provider, {
    stat: (uri, options) => provider.stat(uri, { ...options, requesterPays: true } as S3StatOptions),
    read: (uri, options) => provider.read(uri, { ...options, requesterPays: true } as S3ReadOptions),
  });
}
