import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AbortedError, Credentials, staticCredentials } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3DataLocator } from '../../src/index.js';

/**
 * A loopback stand-in for the two bucket APIs the locator calls, because moto has no
 * `GetBucketRequestPayment`: HEAD answers with the bucket's region (slowly, so a caller can abort
 * mid-probe), GET ?requestPayment with the bucket's payer. It records every request's signing
 * region (the credential scope of the Authorization header) and counts the HEADs.
 */
const buckets: Record<string, { region: string; payer: 'Requester' | 'BucketOwner' }> = {
  'west-paid': { region: 'us-west-2', payer: 'Requester' },
  'east-free': { region: 'us-east-1', payer: 'BucketOwner' },
  'eu-paid': { region: 'eu-west-1', payer: 'Requester' },
};
const signedRegions: Array<{ bucket: string; region: string }> = [];
const heads = new Map<string, number>();
let server: Server;
let endpoint = '';

function answer(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const name = url.pathname.split('/')[1] ?? '';
  const bucket = buckets[name];
  if (!bucket) {
    response.writeHead(404).end();
    return;
  }
  if (request.method === 'HEAD') {
    heads.set(name, (heads.get(name) ?? 0) + 1);
    setTimeout(() => response.writeHead(200, { 'x-amz-bucket-region': bucket.region }).end(), 150);
    return;
  }
  if (request.method === 'GET' && url.searchParams.has('requestPayment')) {
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(request.headers.authorization ?? '');
    signedRegions.push({ bucket: name, region: scope?.[1] ?? 'unsigned' });
    response
      .writeHead(200, { 'content-type': 'application/xml' })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><RequestPaymentConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Payer>${bucket.payer}</Payer></RequestPaymentConfiguration>`,
      );
    return;
  }
  response.writeHead(400).end();
}

beforeAll(async () => {
  server = createServer(answer);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

const secret = 'stand-in-secret-never-shown';
const locatorOptions = () => ({
  s3: { endpoint, forcePathStyle: true, region: 'us-east-1', maxAttempts: 1 },
  credentials: staticCredentials(
    Credentials.aws({ accessKeyId: 'AKIAEXAMPLESTANDIN01', secretAccessKey: secret }, 'env'),
  ),
});

describe('S3DataLocator probes', () => {
  it('signs GetBucketRequestPayment for each bucket in that bucket’s own region', async () => {
    signedRegions.length = 0;
    const locator = new S3DataLocator(locatorOptions());
    const west = await locator.bucketFacts('west-paid');
    const east = await locator.bucketFacts('east-free');
    const eu = await locator.bucketFacts('eu-paid');
    locator.destroy();
    expect(west).toMatchObject({ region: 'us-west-2', requesterPays: true });
    expect(east).toMatchObject({ region: 'us-east-1', requesterPays: false });
    expect(eu).toMatchObject({ region: 'eu-west-1', requesterPays: true });
    expect(west.requesterPaysSource).toBe('GetBucketRequestPayment');
    // The first bucket's region must not stick: S3 refuses a signature scoped to another region.
    expect(signedRegions).toEqual([
      { bucket: 'west-paid', region: 'us-west-2' },
      { bucket: 'east-free', region: 'us-east-1' },
      { bucket: 'eu-paid', region: 'eu-west-1' },
    ]);
    expect(JSON.stringify([west, east, eu])).not.toContain(secret);
  });

  it('a caller that aborts stops only its own wait; the shared probe goes on for the others', async () => {
    heads.clear();
    const locator = new S3DataLocator(locatorOptions());
    const impatient = new AbortController();
    const first = locator.bucketFacts('west-paid', impatient.signal);
    const second = locator.bucketFacts('west-paid');
    impatient.abort();
    await expect(first).rejects.toBeInstanceOf(AbortedError);
    const facts = await second;
    expect(facts).toMatchObject({ region: 'us-west-2', regionSource: 'x-amz-bucket-region' });
    expect(facts.detail).toBeUndefined();
    // The facts stay cached for later callers, learnt by one request.
    expect(await locator.bucketFacts('west-paid')).toBe(facts);
    expect(heads.get('west-paid')).toBe(1);
    locator.destroy();
  });

  it('a probe that outlives probeTimeoutMs reads as unknown, with the reason', async () => {
    const locator = new S3DataLocator({ ...locatorOptions(), probeTimeoutMs: 20 });
    const facts = await locator.bucketFacts('east-free');
    locator.destroy();
    expect(facts.region).toBeUndefined();
    expect(facts).toMatchObject({
      regionSource: 'unknown',
      detail: expect.stringMatching(/HeadBucket failed/),
    });
  });
});
