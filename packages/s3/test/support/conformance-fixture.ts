import type { S3Client } from '@aws-sdk/client-s3';
import { applyLayers, withRetry } from '@stowage/core';
import type { MakeProvider, S3ServerHandle } from '@stowage/testing';
import { freshBucket, providerFor, rawClient, s3 } from './s3-fixture.js';

/**
 * A `makeProvider` for the conformance suite: the server starts on first use (the suite calls it
 * from its hooks), every fixture gets a fresh prefix in one bucket and its own provider.
 */
export function conformanceFixtures(start: () => Promise<S3ServerHandle>): {
  makeProvider: MakeProvider;
  stop(): Promise<void>;
} {
  let ready: Promise<{ server: S3ServerHandle; raw: S3Client; bucket: string }> | undefined;
  let counter = 0;
  const setup = () => {
    ready ??= (async () => {
      const server = await start();
      const raw = rawClient(server);
      return { server, raw, bucket: await freshBucket(raw, 'conformance') };
    })();
    return ready;
  };
  return {
    async makeProvider() {
      const { server, bucket } = await setup();
      // As a Storage composes it: the adapter makes one attempt per request, the retry layer
      // retries (local servers drop a keep-alive connection now and then).
      const adapter = providerFor(server, {
        multipartThreshold: 6 * 1024 * 1024,
        partSize: 5 * 1024 * 1024,
        // s3rver has no AbortMultipartUpload or ListParts: the engine must not manage parts there.
        ...(server.kind === 's3rver' ? { multipartHooks: false } : {}),
      });
      const provider = applyLayers(adapter, [withRetry({ baseDelayMs: 10, maxDelayMs: 100 })]);
      return {
        provider,
        base: s3(bucket, `run-${counter++}/`),
        cleanup: () => adapter.close(),
      };
    },
    async stop() {
      if (!ready) return;
      const { server, raw } = await ready;
      raw.destroy();
      await server.close();
    },
  };
}
