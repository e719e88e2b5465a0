import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Bucket, Catalog } from '@stowage/catalog';
import {
  CredentialChain,
  Credentials,
  type StowageError,
  staticCredentials,
  type TransferEvent,
} from '@stowage/core';
import { type LocalCatalog, type S3ServerHandle, startCatalogServer, startS3Server } from '@stowage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/catalog-fixture.js';

let local: LocalCatalog;
let s3: S3ServerHandle;
let work: { path: string; cleanup: () => Promise<void> };
let catalog: Catalog;
let bucket: Bucket;

beforeAll(async () => {
  [s3, work] = await Promise.all([startS3Server({ buckets: ['quilt-bucket'] }), tempDir()]);
  // s3rver accepts only its own access key (it checks no signature): the catalog hands that out.
  let issued = 0;
  local = await startCatalogServer({
    issueCredentials: () => ({
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      sessionToken: `session-${++issued}`,
    }),
  });
  catalog = new Catalog({
    dir: join(work.path, 'state'),
    env: {},
    openBrowser: false,
    print: () => undefined,
  });
  await catalog.config(local.catalogUrl);
  await catalog.loginWithToken(local.issueCode());
  bucket = await catalog.bucket('s3://quilt-bucket', {
    endpoint: s3.endpoint,
    forcePathStyle: true,
    s3: { checksumAlgorithm: 'off' },
  });
  await mkdir(join(work.path, 'src', 'sub'), { recursive: true });
  await writeFile(join(work.path, 'src', 'a.txt'), 'alpha');
  await writeFile(join(work.path, 'src', '.hidden'), 'hidden');
  await writeFile(join(work.path, 'src', 'sub', 'b.txt'), 'bravo');
});

afterAll(async () => {
  await bucket?.close();
  await Promise.all([local?.stop(), s3?.close()]);
  await work?.cleanup();
});

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('Bucket paths and semantics', () => {
  it('refuses bucket URIs with a key, a version or another scheme', async () => {
    await expect(catalog.bucket('s3://quilt-bucket/key')).rejects.toMatchObject({ code: 'InvalidUri' });
    await expect(catalog.bucket('gs://quilt-bucket')).rejects.toMatchObject({ code: 'InvalidUri' });
    expect((await catalog.bucket('s3://quilt-bucket/')).name).toBe('quilt-bucket');
  });

  it('putFile: a key ending in / gets the basename; a leading / is dropped; progress events flow', async () => {
    const events: TransferEvent[] = [];
    await bucket.putFile('docs/', join(work.path, 'src', 'a.txt'), { onEvent: (e) => events.push(e) });
    await bucket.putFile('/rooted.txt', join(work.path, 'src', 'a.txt'));
    expect(await collect(bucket.keys({ prefix: 'docs/' }))).toEqual(['docs/a.txt']);
    expect(await collect(bucket.keys({ prefix: 'rooted' }))).toEqual(['rooted.txt']);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['started', 'completed']));
  });

  it('putFile refuses a directory, a missing file and a file written with a trailing /', async () => {
    const dir = join(work.path, 'src');
    await expect(bucket.putFile('x', dir)).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: /Not a file/,
    });
    await expect(bucket.putFile('x', join(dir, 'nope.txt'))).rejects.toMatchObject({ code: 'NotFound' });
    await expect(bucket.putFile('x', `${join(dir, 'a.txt')}/`)).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
  });

  it('putFile with trailing / on both sides uploads the directory; putDir likewise, hidden files included', async () => {
    await bucket.putFile('tree1/', `${join(work.path, 'src')}/`);
    await bucket.putDir('tree2', join(work.path, 'src'));
    for (const prefix of ['tree1/', 'tree2/']) {
      expect(await collect(bucket.keys({ prefix }))).toEqual([
        `${prefix}.hidden`,
        `${prefix}a.txt`,
        `${prefix}sub/b.txt`,
      ]);
    }
    await expect(bucket.putDir('x', join(work.path, 'missing'))).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('putFile from an s3:// source is a copy inside S3', async () => {
    await bucket.putFile('copied.txt', 's3://quilt-bucket/docs/a.txt');
    const out = join(work.path, 'out-copy', 'copied.txt');
    await bucket.fetch('copied.txt', out);
    expect(await readFile(out, 'utf8')).toBe('alpha');
  });

  it('fetch: a single key to a directory path keeps its basename; a prefix needs a trailing /', async () => {
    const outDir = join(work.path, 'out1');
    await bucket.fetch('tree1/sub/b.txt', `${outDir}/`);
    expect(await readFile(join(outDir, 'b.txt'), 'utf8')).toBe('bravo');
    await expect(bucket.fetch('tree1/', join(work.path, 'out2'))).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: /must end in "\/"/,
    });
  });

  it('fetch of a prefix holding dir/ markers treats them as directories (quilt3 #4641)', async () => {
    await bucket.storage.write('s3://quilt-bucket/marked/', new Uint8Array());
    await bucket.storage.write('s3://quilt-bucket/marked/empty/', new Uint8Array());
    await bucket.storage.write('s3://quilt-bucket/marked/file.txt', 'content');
    const out = join(work.path, 'out-marked');
    await bucket.fetch('marked/', `${out}/`);
    expect(await readFile(join(out, 'file.txt'), 'utf8')).toBe('content');
    expect((await stat(join(out, 'empty'))).isDirectory()).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['empty', 'file.txt']);
    // ls shows markers as directories, never as objects.
    expect(await bucket.ls('marked')).toEqual({
      prefixes: ['marked/empty/'],
      objects: [expect.objectContaining({ key: 'marked/file.txt', size: 7 })],
    });
    const recursive = await bucket.ls('marked/', { recursive: true });
    expect(recursive.prefixes).toEqual([]);
    expect(recursive.objects.map((o) => o.key)).toEqual(['marked/file.txt']);
  });

  it('keys streams every key, markers included, in key order', async () => {
    const keys = await collect(bucket.keys());
    expect(keys).toEqual([...keys].sort());
    expect(keys).toEqual(expect.arrayContaining(['docs/a.txt', 'marked/', 'tree2/sub/b.txt']));
  });

  it('delete: refuses prefixes, 404s on a missing key, deletes one object', async () => {
    await expect(bucket.delete('tree1/')).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(bucket.delete('no/such/key')).rejects.toMatchObject({ code: 'NotFound' });
    await bucket.delete('rooted.txt');
    expect(await collect(bucket.keys({ prefix: 'rooted' }))).toEqual([]);
  });

  it('deleteDir deletes a prefix with its markers in batches; the whole bucket needs a flag', async () => {
    await expect(bucket.deleteDir('tree1')).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: /must end with/,
    });
    const whole = (await bucket.deleteDir('').catch((e: unknown) => e)) as StowageError;
    expect(whole.code).toBe('InvalidArgument');
    expect(whole.message).toMatch(/every object in s3:\/\/quilt-bucket/);
    expect((await collect(bucket.keys())).length).toBeGreaterThan(5);

    expect(await bucket.deleteDir('marked/')).toEqual({ deleted: 3, failed: [] });
    expect(await collect(bucket.keys({ prefix: 'marked/' }))).toEqual([]);
    expect(await collect(bucket.keys({ prefix: 'tree1/' }))).toHaveLength(3);

    const all = await collect(bucket.keys());
    expect(await bucket.deleteDir('', { allowEntireBucket: true })).toEqual({
      deleted: all.length,
      failed: [],
    });
    expect(await collect(bucket.keys())).toEqual([]);
  });
});

describe('catalog credentials in the S3 provider', () => {
  it('the catalog source is only where the user put it, and explain() shows it chosen', async () => {
    const envLike = staticCredentials(
      Credentials.aws({ accessKeyId: 'AKIAUSERCHAIN0000000', secretAccessKey: 'user-secret' }, 'env'),
      'env',
    );
    const chain = new CredentialChain([catalog.credentials(), envLike]);
    const explanation = await chain.explain({});
    expect(explanation.chosen).toBe('catalog');
    expect(explanation.steps.map((s) => [s.source, s.outcome])).toEqual([
      ['catalog', 'chosen'],
      ['env', 'not-reached'],
    ]);
    expect(explanation.credentials).toMatchObject({ source: 'catalog', sessionToken: '(set)' });
    expect(JSON.stringify(explanation)).not.toMatch(/session-\d/);

    // A logged-out catalog steps aside: the user's own source answers, and explain() says why.
    const loggedOut = new Catalog({ dir: join(work.path, 'state-2'), env: {}, openBrowser: false });
    await loggedOut.config(local.catalogUrl);
    const fallback = await new CredentialChain([loggedOut.credentials(), envLike]).explain({});
    expect(fallback.chosen).toBe('env');
    expect(fallback.steps[0]).toMatchObject({
      source: 'catalog',
      outcome: 'skipped',
      reason: /not logged in/,
    });
  });

  it('a bucket with endpoint http://localhost:PORT and no forcePathStyle works (path style, as the CLI)', async () => {
    const viaLocalhost = await catalog.bucket('s3://quilt-bucket', {
      endpoint: s3.endpoint.replace('127.0.0.1', 'localhost'),
      s3: { checksumAlgorithm: 'off', maxAttempts: 1 },
    });
    try {
      await viaLocalhost.putFile('via-localhost.txt', join(work.path, 'src', 'a.txt'));
      expect(await collect(viaLocalhost.keys({ prefix: 'via-localhost' }))).toEqual(['via-localhost.txt']);
    } finally {
      await viaLocalhost.close();
    }
  });

  it('buckets of one catalog share its cached catalog credentials (s3rver run)', async () => {
    const before = local.count('/api/auth/get_credentials');
    const fresh = await catalog.bucket('s3://quilt-bucket', {
      endpoint: s3.endpoint,
      forcePathStyle: true,
      s3: { checksumAlgorithm: 'off' },
    });
    try {
      await fresh.putFile('via-catalog.txt', join(work.path, 'src', 'a.txt'));
      expect(await collect(fresh.keys({ prefix: 'via-catalog' }))).toEqual(['via-catalog.txt']);
      // Fetched once for the first bucket, reused here until near expiry.
      expect(before).toBeGreaterThan(0);
      expect(local.count('/api/auth/get_credentials')).toBe(before);
    } finally {
      await fresh.close();
    }
  });
});
