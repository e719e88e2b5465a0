// Routing under a download cap: a program "in eu-west-1" reads objects of a bucket in us-east-1.
// Cross-region reads are allowed (requester pays) up to 5 MiB of metered egress; after that the
// same objects come from the bucket's HTTPS mirror, or, with capAction 'fail', are refused before
// any byte moves. The "cloud" (s3rver) and the mirror (an HTTP server) are local servers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Credentials, createStorage, FsProvider, isStowageError } from '@stowage/core';
import { HttpProvider } from '@stowage/http';
import {
  type CostEstimate,
  fixedCredentialFacts,
  fixedEnvironment,
  S3Provider,
  S3Router,
  StaticDataLocator,
} from '@stowage/s3';
import { startHttpServer, startS3Server } from '@stowage/testing';

const MiB = 1024 * 1024;
const s3 = await startS3Server({ buckets: ['open-data'] });
const mirror = await startHttpServer();
const out = await mkdtemp(join(tmpdir(), 'stowage-routing-'));
try {
  const keys = Credentials.aws({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, 'local');
  const s3Provider = new S3Provider({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    checksumAlgorithm: 'off',
    credentials: { name: 'local', resolve: async () => keys },
  });
  for (const name of ['a.bin', 'b.bin']) {
    const data = randomBytes(3 * MiB);
    await s3Provider.write({ scheme: 's3', bucket: 'open-data', key: name }, data);
    await writeFile(join(mirror.dir, name), data);
  }

  const router = new S3Router({
    environment: fixedEnvironment({ cloud: 'aws', region: 'eu-west-1', source: 'example' }),
    locator: new StaticDataLocator({
      mirrors: [{ s3: 's3://open-data/', http: `${mirror.baseUrl}/` }],
      buckets: { 'open-data': { region: 'us-east-1' } },
    }),
    credentials: fixedCredentialFacts({ available: true, detail: 'local keys' }),
    policy: {
      allowCrossRegion: true,
      allowRequesterPays: true,
      downloadCap: 5 * MiB,
      capAction: 'http',
      costPerGiB: 0.02,
    },
  });
  const storage = createStorage({
    providers: [new FsProvider(), s3Provider, new HttpProvider()],
    readRouter: router,
  });

  // a.bin fits under the cap: S3, requester pays, metered. b.bin would cross it: the router sends
  // it to the mirror instead (capAction 'http'), before any byte moves.
  const routes: string[] = [];
  for (const name of ['a.bin', 'b.bin']) {
    const transfer = storage.copy(`s3://open-data/${name}`, join(out, name));
    transfer.events$.subscribe((e) => {
      if (e.type !== 'routed') return;
      routes.push(e.route);
      // The S3 router's own facts travel in `details`: who pays, whether it is metered, the cost.
      const estimate = e.details?.costEstimate as CostEstimate | undefined;
      const cost = estimate?.usd !== undefined ? `, est. $${estimate.usd.toFixed(6)}` : '';
      console.log(`${name}: routed to ${e.route} (${e.reasonCodes.join(', ')})${cost}`);
    });
    const result = await transfer;
    if (result.decision) {
      const { route, uri, details } = result.decision;
      const notes = [details?.requesterPays ? 'requester-pays' : '', details?.metered ? 'metered' : '']
        .filter(Boolean)
        .join(', ');
      console.log(`   ${route.padEnd(4)} ${uri}${notes ? `  (${notes})` : ''}`);
    }
    console.log(`   metered so far: ${(router.meter.usedBytes() / MiB).toFixed(1)} MiB of 5 MiB`);
  }
  assert.deepEqual(routes, ['s3', 'http']);

  // The same read with capAction 'fail' for this one transfer: refused before any byte moves, and
  // nothing is left at the destination.
  const refused = await storage
    .copy('s3://open-data/b.bin', join(out, 'refused.bin'), { route: { capAction: 'fail' } })
    .done.catch((error: unknown) => error);
  assert.ok(isStowageError(refused, 'DownloadCapExceeded'));
  console.log(`b.bin with capAction 'fail': [${refused.code}] ${refused.message}`);
  assert.equal(existsSync(join(out, 'refused.bin')), false);
  assert.equal(router.meter.usedBytes(), 3 * MiB, 'the refused transfer reserved nothing');
  await storage.close();
} finally {
  await rm(out, { recursive: true, force: true });
  await mirror.close();
  await s3.close();
}
