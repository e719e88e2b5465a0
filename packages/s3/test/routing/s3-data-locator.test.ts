import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Credentials, staticCredentials } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsEnvironmentProbe, credentialAvailability, S3DataLocator, S3Router } from '../../src/index.js';

/** Environment without any AWS_* variable, so moto and the SDK never see the machine's settings. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));

function hasMoto(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v moto_server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let moto: ChildProcess | undefined;
let endpoint = '';

beforeAll(async () => {
  if (!hasMoto())
    throw new Error("moto_server is not on PATH; these tests need moto 5 (pip install 'moto[server]==5.*')");
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    env: cleanEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('moto_server did not start within 20 s')), 20_000);
    const onData = (data: Buffer) => {
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(String(data));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    moto!.stdout!.on('data', onData);
    moto!.stderr!.on('data', onData);
    moto!.on('exit', (code) => reject(new Error(`moto_server exited with ${code}`)));
  });
  endpoint = `http://127.0.0.1:${port}`;
  const admin = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await admin.send(new CreateBucketCommand({ Bucket: 'east-data' }));
  await admin.send(
    new CreateBucketCommand({
      Bucket: 'west-data',
      CreateBucketConfiguration: { LocationConstraint: 'us-west-2' },
    }),
  );
  admin.destroy();
}, 60_000);

afterAll(() => {
  moto?.kill('SIGTERM');
});

const s3 = () => ({ endpoint, forcePathStyle: true, region: 'us-east-1', maxAttempts: 1 });

describe('S3DataLocator against moto', () => {
  it('learns bucket regions from an unsigned HeadBucket (x-amz-bucket-region), once per bucket', async () => {
    const locator = new S3DataLocator({ s3: s3() });
    expect(await locator.bucketFacts('west-data')).toMatchObject({
      region: 'us-west-2',
      regionSource: 'x-amz-bucket-region',
    });
    expect(await locator.bucketFacts('east-data')).toMatchObject({
      region: 'us-east-1',
      regionSource: 'x-amz-bucket-region',
    });
    expect(locator.bucketFacts('west-data')).toBe(locator.bucketFacts('west-data'));
    locator.destroy();
  });

  it('a missing bucket has an unknown region, with the failure in the detail', async () => {
    const locator = new S3DataLocator({ s3: s3() });
    const facts = await locator.bucketFacts('no-such-bucket-here');
    expect(facts.region).toBeUndefined();
    expect(facts).toMatchObject({
      regionSource: 'unknown',
      detail: expect.stringMatching(/HeadBucket failed/),
    });
    locator.destroy();
  });

  it('declared facts win over probing; requester pays comes from declarations', async () => {
    const locator = new S3DataLocator({
      s3: s3(),
      buckets: { 'west-data': { region: 'eu-west-1', requesterPays: true } },
    });
    expect(await locator.bucketFacts('west-data')).toEqual({
      bucket: 'west-data',
      region: 'eu-west-1',
      regionSource: 'metadata',
      requesterPays: true,
      requesterPaysSource: 'metadata',
    });
    locator.destroy();
  });

  it('maps s3:// to the mirror and back', () => {
    const locator = new S3DataLocator({
      mirrors: [{ s3: 's3://west-data/pub/', http: 'https://mirror.example/data/' }],
    });
    expect(locator.locate({ scheme: 's3', bucket: 'west-data', key: 'pub/a b.fits' }).mirror?.url).toBe(
      'https://mirror.example/data/a%20b.fits',
    );
    expect(locator.locate({ scheme: 'https', bucket: 'mirror.example', key: 'data/x.fits' }).s3?.uri).toBe(
      's3://west-data/pub/x.fits',
    );
    locator.destroy();
  });
});

describe('S3Router over the AWS probes, moto as "the cloud"', () => {
  const keys = staticCredentials(
    Credentials.aws(
      { accessKeyId: 'AKIAEXAMPLEKEY12345', secretAccessKey: 'not-a-real-secret-value' },
      'env',
    ),
  );
  const router = () =>
    new S3Router({
      environment: new AwsEnvironmentProbe({
        env: { AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE', AWS_REGION: 'us-west-2' },
      }),
      locator: new S3DataLocator({
        s3: s3(),
        mirrors: [{ s3: 's3://east-data/', http: 'https://mirror.example/east/' }],
      }),
      credentials: credentialAvailability(keys),
    });

  it('same region reads S3; another region falls back to the mirror with a warning', async () => {
    const r = router();
    const same = await r.decide('s3://west-data/a.fits');
    expect(same).toMatchObject({ route: 's3', egress: 'same-region', metered: false });
    expect(same.reasons[0]!.code).toBe('SAME_REGION');
    const cross = await r.decide('s3://east-data/a.fits');
    expect(cross).toMatchObject({ route: 'http', uri: 'https://mirror.example/east/a.fits' });
    expect(cross.reasons[0]!.code).toBe('CROSS_REGION_NOT_ALLOWED');
    expect(cross.warnings[0]).toMatch(/another region/);
    const paid = await r.decide('s3://east-data/a.fits', {
      allowCrossRegion: true,
      allowRequesterPays: true,
    });
    expect(paid).toMatchObject({ route: 's3', requesterPays: true, metered: true, egress: 'cross-region' });
    expect(JSON.stringify(paid)).not.toContain('not-a-real-secret-value');
  });
});
