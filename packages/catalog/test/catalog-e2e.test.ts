import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Catalog } from '@stowage/catalog';
import { Credentials, type StowageError, staticCredentials } from '@stowage/core';
import {
  type FaultProxy,
  type LocalCatalog,
  type ProxiedRequest,
  type S3ServerHandle,
  startCatalogServer,
  startFaultProxy,
  startMotoServer,
} from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeBrowser, tempDir } from './support/catalog-fixture.js';
import { MOTO_SETUP_ACTIONS, motoCredentialIssuer } from './support/moto-sts.js';

// moto runs in auth mode: after the setup calls it accepts only keys it issued (STS AssumeRole, as
// the registry calls it), with the right secret, session token and role policy. A proxy in front of
// it records which access key signed each request and refuses keys past their announced Expiration,
// which moto itself does not check.
const BUCKET = 'catalog-bucket';
let moto: S3ServerHandle;
let local: LocalCatalog;
let proxy: FaultProxy;
let work: { path: string; cleanup: () => Promise<void> };
let otherBucket: string;

function signingKey(request: ProxiedRequest): string | undefined {
  const header = request.headers.authorization;
  return /Credential=([A-Z0-9]+)\//.exec(Array.isArray(header) ? header[0]! : (header ?? ''))?.[1];
}

beforeAll(async () => {
  [moto, work] = await Promise.all([
    startMotoServer({ env: { INITIAL_NO_AUTH_ACTION_COUNT: String(MOTO_SETUP_ACTIONS) } }),
    tempDir(),
  ]);
  const issuer = await motoCredentialIssuer(moto.endpoint, BUCKET);
  otherBucket = issuer.otherBucket;
  local = await startCatalogServer({ issueCredentials: issuer.issue });
  proxy = await startFaultProxy({ target: moto.endpoint });
  proxy.inject({
    times: Number.POSITIVE_INFINITY,
    match: {
      when: (request) => {
        const key = signingKey(request);
        const issued = local.issuedCredentials.find((c) => c.accessKeyId === key);
        return issued !== undefined && issued.expiresAt.getTime() <= Date.now();
      },
    },
    action: { kind: 'status', status: 400, code: 'ExpiredToken', message: 'The provided token has expired.' },
  });
}, 90_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all([local?.stop(), moto?.close()]);
  await work?.cleanup();
});

function newCatalog(name: string) {
  const browser = fakeBrowser();
  const catalog = new Catalog({
    dir: join(work.path, name),
    env: {},
    print: () => undefined,
    openBrowser: browser.openBrowser,
    prompt: browser.prompt,
    http: { retries: 0 },
  });
  return { catalog, browser };
}

describe('the seed workflow against a local catalog and an authenticating S3 (moto)', () => {
  it('config → login with a code → putFile → keys → fetch → logout, signed with catalog-issued keys', async () => {
    const { catalog, browser } = newCatalog('seed');
    await catalog.config(`${local.catalogUrl}/`);
    await catalog.login();
    expect(browser.opened).toEqual([`${local.registryUrl}/login`]);
    expect(await catalog.loggedIn()).toBe(local.catalogUrl);

    const bucket = await catalog.bucket(`s3://${BUCKET}`, { endpoint: proxy.endpoint, forcePathStyle: true });
    const firstRequest = proxy.requests.length;
    const source = join(work.path, 'local.txt');
    await writeFile(source, 'catalog-issued credentials at work\n');
    await bucket.putFile('remote/path.txt', source);
    const keys: string[] = [];
    for await (const key of bucket.keys()) keys.push(key);
    expect(keys).toEqual(['remote/path.txt']);
    const fetched = join(work.path, 'fetched', 'path.txt');
    await bucket.fetch('remote/path.txt', fetched);
    expect(await readFile(fetched, 'utf8')).toBe('catalog-issued credentials at work\n');

    const used = new Set(proxy.requests.slice(firstRequest).map(signingKey));
    expect(used.size).toBeGreaterThan(0);
    for (const key of used) expect(local.issuedAccessKeyIds).toContain(key);
    expect(proxy.requests.slice(firstRequest).every((r) => r.status !== undefined && r.status < 300)).toBe(
      true,
    );

    expect(await catalog.logout()).toMatchObject({ wasLoggedIn: true, revoked: true });
    expect(await catalog.loggedIn()).toBeNull();
    // Logged out, the catalog's bucket says so (not "no credentials"), and never falls back to
    // another chain: no request reaches S3.
    const beforeLoggedOut = proxy.requests.length;
    const after = (await (async () => {
      for await (const _ of bucket.keys()) return undefined;
    })().catch((e: unknown) => e)) as StowageError;
    expect(after).toMatchObject({ code: 'AuthenticationRequired', uri: local.catalogUrl, retryable: false });
    expect(after.message).toBe(`Not logged in to the catalog ${local.catalogUrl} (run login())`);
    expect(after.hint).toMatch(/login\(\)/);
    const put = await bucket.putFile('again.txt', source).catch((e: unknown) => e);
    expect(put).toMatchObject({ code: 'AuthenticationRequired', message: after.message });
    expect(proxy.requests.length).toBe(beforeLoggedOut);
    await bucket.close();

    // Before any login, too.
    const { catalog: fresh } = newCatalog('never-logged-in');
    await fresh.config(local.catalogUrl);
    const neverBucket = await fresh.bucket(`s3://${BUCKET}`, { endpoint: proxy.endpoint });
    await expect(neverBucket.putFile('x.txt', source)).rejects.toMatchObject({
      code: 'AuthenticationRequired',
      message: after.message,
    });
    await neverBucket.close();
  });

  it('moto really checks: keys the catalog did not issue are refused', async () => {
    const { catalog } = newCatalog('outsider');
    await catalog.config(local.catalogUrl);
    const outsider = await catalog.bucket(`s3://${BUCKET}`, {
      endpoint: proxy.endpoint,
      forcePathStyle: true,
      credentials: staticCredentials(
        Credentials.aws({ accessKeyId: 'AKIAOUTSIDER00000000', secretAccessKey: 'nope' }, 'user'),
      ),
      s3: { maxAttempts: 1 },
    });
    const error = (await outsider
      .putFile('x.txt', join(work.path, 'local.txt'))
      .catch((e: unknown) => e)) as StowageError;
    expect(error.code).toBe('PermissionDenied');
    expect(error.message).toMatch(/InvalidAccessKeyId/);
    await outsider.close();
  });

  it('a bucket the catalog credentials may not use is PermissionDenied naming the policy, not requester pays', async () => {
    const { catalog } = newCatalog('denied');
    await catalog.config(local.catalogUrl);
    await catalog.loginWithToken(local.issueCode());
    const denied = await catalog.bucket(`s3://${otherBucket}`, {
      endpoint: proxy.endpoint,
      s3: { maxAttempts: 1 },
    });
    await writeFile(join(work.path, 'denied.txt'), 'not here');
    const error = (await denied
      .putFile('x.txt', join(work.path, 'denied.txt'))
      .catch((e: unknown) => e)) as StowageError;
    expect(error).toMatchObject({ code: 'PermissionDenied', retryable: false });
    expect(error.message).toMatch(/AccessDenied/);
    // The likely cause first: these credentials lack the permission; requester pays only as an aside.
    expect(error.hint).toMatch(
      new RegExp(`^The credentials used are not allowed to write in s3://${otherBucket}`),
    );
    expect(error.hint).toMatch(/IAM policy, the bucket policy/);
    expect(error.hint!.indexOf('requester-pays')).toBeGreaterThan(error.hint!.indexOf('IAM policy'));
    await denied.close();
  });

  it('serverSideEncryption reaches S3 on every write (quilt3 needs a client hook, #1326)', async () => {
    const { catalog } = newCatalog('sse');
    await catalog.config(local.catalogUrl);
    await catalog.loginWithToken(local.issueCode());
    const bucket = await catalog.bucket(`s3://${BUCKET}`, {
      endpoint: proxy.endpoint,
      forcePathStyle: true,
      serverSideEncryption: { type: 'AES256' },
    });
    const firstRequest = proxy.requests.length;
    await bucket.putFile('encrypted/', join(work.path, 'local.txt'));
    const puts = proxy.requests.slice(firstRequest).filter((r) => r.method === 'PUT');
    expect(puts.length).toBeGreaterThan(0);
    for (const put of puts) expect(put.headers['x-amz-server-side-encryption']).toBe('AES256');
    // (A prefix without "/": moto's auth mode miscomputes signatures of query values holding "/".)
    const keys: string[] = [];
    for await (const key of bucket.keys({ prefix: 'encrypted' })) keys.push(key);
    expect(keys).toEqual(['encrypted/local.txt']);
    await bucket.close();
  });

  it('credentials expiring mid-transfer are refreshed between parts; no expired key reaches S3', async () => {
    const { catalog } = newCatalog('refresh');
    await catalog.config(local.catalogUrl);
    await catalog.loginWithToken(local.issueCode());
    local.ttl.credentialsSeconds = 1.5;
    const latency = proxy.inject({ times: Number.POSITIVE_INFINITY, action: { kind: 'latency', ms: 300 } });
    try {
      const MiB = 1024 * 1024;
      const data = randomBytes(12 * MiB + 1234);
      const source = join(work.path, 'big.bin');
      await writeFile(source, data);
      const bucket = await catalog.bucket(`s3://${BUCKET}`, {
        endpoint: proxy.endpoint,
        forcePathStyle: true,
        // Refresh within 1 s of expiry, insist within 0.6 s (botocore's windows, scaled down).
        credentials: catalog.credentials({ advisoryMs: 1_000, mandatoryMs: 600 }),
        transfer: { multipartThreshold: 5 * MiB, partSize: 5 * MiB, concurrency: 1 },
      });
      const issuedBefore = local.issuedCredentials.length;
      const firstRequest = proxy.requests.length;
      const progress: number[] = [];
      await bucket.putFile('big.bin', source, {
        onEvent: (e) => {
          if (e.type === 'progress') progress.push(e.bytes);
        },
      });
      const during = proxy.requests.slice(firstRequest);
      const parts = during.filter((r) => r.query.has('partNumber'));
      expect(parts).toHaveLength(3);
      const partKeys = new Set(parts.map(signingKey));
      // The upload outlived several credential lifetimes: the parts were signed with different keys.
      expect(partKeys.size).toBeGreaterThanOrEqual(2);
      expect(local.issuedCredentials.length - issuedBefore).toBeGreaterThanOrEqual(2);
      expect(during.filter((r) => r.fault === 'status')).toEqual([]);
      expect(progress.length).toBeGreaterThan(0);

      latency.remove();
      const back = join(work.path, 'big-back.bin');
      await bucket.fetch('big.bin', back);
      const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(digest(await readFile(back))).toBe(digest(data));
      await bucket.close();
    } finally {
      latency.remove();
      local.ttl.credentialsSeconds = 3600;
    }
  }, 90_000);
});
