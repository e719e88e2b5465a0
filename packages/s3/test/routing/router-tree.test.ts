import { type CredentialSource, Credentials, InvalidArgumentError, staticCredentials } from '@stowage/core';
import { describe, expect, it } from 'vitest';
import {
  credentialAvailability,
  type DataLocator,
  type EnvironmentFacts,
  type EnvironmentProbe,
  explainFacts,
  formatRouteExplanation,
  type RouteFacts,
  type RoutePolicy,
  RouteRefusedError,
  route,
  S3Router,
  StaticDataLocator,
} from '../../src/index.js';

const KEYS = Credentials.aws(
  { accessKeyId: 'AKIAEXAMPLEKEY12345', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  'env',
);
const withKeys = staticCredentials(KEYS, 'env');
const noKeys: CredentialSource = { name: 'empty-chain', resolve: async () => undefined };

/** Counts how often each probe runs, so the tests can assert laziness and caching. */
function probes(
  env: EnvironmentFacts,
  credentials: CredentialSource,
  buckets: Record<string, { region?: string; requesterPays?: boolean }> = {},
) {
  const calls = { environment: 0, bucket: 0, credentials: 0 };
  const environment: EnvironmentProbe = {
    probe: async () => {
      calls.environment++;
      return env;
    },
  };
  const inner = new StaticDataLocator({
    mirrors: [{ s3: 's3://survey-data/', http: 'https://mirror.example/survey/' }],
    buckets,
  });
  const locator: DataLocator = {
    locate: (uri) => inner.locate(uri),
    bucketFacts: async (bucket) => {
      calls.bucket++;
      return inner.bucketFacts(bucket);
    },
  };
  const creds = credentialAvailability(credentials);
  const counted = {
    check: async () => {
      calls.credentials++;
      return creds.check();
    },
  };
  return { calls, options: { environment, locator, credentials: counted } };
}

const WEST: EnvironmentFacts = { cloud: 'aws', region: 'us-west-2', source: 'imds' };
const EAST_BUCKET = { 'survey-data': { region: 'us-east-1' } };
const WEST_BUCKET = { 'survey-data': { region: 'us-west-2' } };

interface Leaf {
  leaf: string;
  env: EnvironmentFacts;
  credentials: CredentialSource;
  buckets?: Record<string, { region?: string; requesterPays?: boolean }>;
  policy?: RoutePolicy;
  uri?: string;
  route: 's3' | 'http';
  uriOut: string;
  reasons: string[];
  requesterPays: boolean;
  warns: boolean;
}

// One row per leaf of the seed's "Tracking Cases" tree.
const LEAVES: Leaf[] = [
  {
    leaf: 'in cloud › data in cloud › own account › same region → s3',
    env: WEST,
    credentials: withKeys,
    buckets: WEST_BUCKET,
    route: 's3',
    uriOut: 's3://survey-data/obs/a.fits',
    reasons: ['SAME_REGION'],
    requesterPays: false,
    warns: false,
  },
  {
    leaf: 'in cloud › data in cloud › own account › other region › anonymous → http',
    env: WEST,
    credentials: noKeys,
    buckets: EAST_BUCKET,
    route: 'http',
    uriOut: 'https://mirror.example/survey/obs/a.fits',
    reasons: ['CROSS_REGION_ANONYMOUS'],
    requesterPays: false,
    warns: false,
  },
  {
    leaf: 'in cloud › data in cloud › own account › other region › credentials › cross-region allowed → s3, requester pays',
    env: WEST,
    credentials: withKeys,
    buckets: EAST_BUCKET,
    policy: { allowCrossRegion: true, allowRequesterPays: true },
    route: 's3',
    uriOut: 's3://survey-data/obs/a.fits',
    reasons: ['CROSS_REGION_REQUESTER_PAYS'],
    requesterPays: true,
    warns: false,
  },
  {
    leaf: 'in cloud › data in cloud › own account › other region › credentials › not allowed → warn, http',
    env: WEST,
    credentials: withKeys,
    buckets: EAST_BUCKET,
    route: 'http',
    uriOut: 'https://mirror.example/survey/obs/a.fits',
    reasons: ['CROSS_REGION_NOT_ALLOWED'],
    requesterPays: false,
    warns: true,
  },
  {
    leaf: 'in cloud › data in cloud › platform account → s3',
    env: { ...WEST, platform: { name: 'survey hub', buckets: ['survey-data'] } },
    credentials: withKeys,
    buckets: {},
    route: 's3',
    uriOut: 's3://survey-data/obs/a.fits',
    reasons: ['PLATFORM_ACCOUNT'],
    requesterPays: false,
    warns: false,
  },
  {
    leaf: 'in cloud › data not in cloud → http',
    env: WEST,
    credentials: withKeys,
    uri: 'https://archive.example/obs/a.fits',
    route: 'http',
    uriOut: 'https://archive.example/obs/a.fits',
    reasons: ['DATA_NOT_IN_CLOUD'],
    requesterPays: false,
    warns: false,
  },
  {
    leaf: 'not in cloud → http',
    env: { cloud: 'none', source: 'imds', detail: 'connection refused' },
    credentials: withKeys,
    buckets: WEST_BUCKET,
    route: 'http',
    uriOut: 'https://mirror.example/survey/obs/a.fits',
    reasons: ['USER_NOT_IN_CLOUD'],
    requesterPays: false,
    warns: false,
  },
];

describe('the seed tracking tree, one row per leaf, through injected probes', () => {
  it.each(LEAVES)('$leaf', async (leaf) => {
    const { options } = probes(leaf.env, leaf.credentials, leaf.buckets);
    const router = new S3Router(options);
    const decision = await router.decide(leaf.uri ?? 's3://survey-data/obs/a.fits', leaf.policy);
    expect(decision.route).toBe(leaf.route);
    expect(decision.uri).toBe(leaf.uriOut);
    expect(decision.reasons.map((r) => r.code)).toEqual(leaf.reasons);
    expect(decision.requesterPays).toBe(leaf.requesterPays);
    expect(decision.warnings.length > 0).toBe(leaf.warns);
    expect(JSON.stringify(decision)).not.toContain(KEYS.secretAccessKey);
  });
});

describe('probes run lazily and once', () => {
  it('outside AWS with a mirror, neither the bucket nor the credentials are probed', async () => {
    const { calls, options } = probes({ cloud: 'none', source: 'env' }, withKeys, WEST_BUCKET);
    const router = new S3Router(options);
    await router.decide('s3://survey-data/a');
    await router.decide('s3://survey-data/b');
    expect(calls).toEqual({ environment: 1, bucket: 0, credentials: 0 });
  });

  it('same region probes the environment once, each bucket once, and never the credentials', async () => {
    const { calls, options } = probes(WEST, withKeys, { ...WEST_BUCKET, other: { region: 'us-west-2' } });
    const router = new S3Router(options);
    await Promise.all(
      ['s3://survey-data/a', 's3://survey-data/b', 's3://other/c'].map((u) => router.decide(u)),
    );
    await router.decide('s3://survey-data/d');
    expect(calls).toEqual({ environment: 1, bucket: 2, credentials: 0 });
  });

  it('a region learnt at run time re-decides without asking the locator again', async () => {
    const { calls, options } = probes(WEST, withKeys, EAST_BUCKET);
    const router = new S3Router(options);
    expect((await router.decide('s3://survey-data/a')).route).toBe('http');
    router.learnBucketRegion('survey-data', 'us-west-2');
    const again = await router.decide('s3://survey-data/a');
    expect(again.route).toBe('s3');
    expect(again.facts.bucket).toMatchObject({ region: 'us-west-2', regionSource: 'redirect' });
    expect(calls.bucket).toBe(1);
  });

  it('a failing environment probe reads as unknown and routes over HTTP with a warning', async () => {
    const router = new S3Router({
      environment: { probe: async () => Promise.reject(new Error('IMDS exploded')) },
      locator: new StaticDataLocator({
        mirrors: [{ s3: 's3://survey-data', http: 'https://mirror.example/survey' }],
      }),
    });
    const decision = await router.decide('s3://survey-data/x');
    expect(decision.route).toBe('http');
    expect(decision.reasons[0]!.code).toBe('USER_NOT_IN_CLOUD');
    expect(decision.warnings[0]).toMatch(/IMDS exploded/);
  });
});

describe('rules beyond the seed leaves (pure route over facts)', () => {
  const data = (mirror = true): RouteFacts['data'] => ({
    requested: 's3://b/k',
    s3: { bucket: 'b', key: 'k', uri: 's3://b/k' },
    ...(mirror ? { mirror: { url: 'https://m.example/k', source: 'mapping' } } : {}),
  });
  const inWest: EnvironmentFacts = { cloud: 'aws', region: 'us-west-2', source: 'option' };

  it('preferHttp wins when a mirror exists, and only warns when none does', () => {
    expect(route({ data: data() }, { preferHttp: true }).reasons[0]!.code).toBe('PREFER_HTTP');
    const d = route(
      {
        data: data(false),
        environment: inWest,
        bucket: { bucket: 'b', region: 'us-west-2', regionSource: 'option' },
      },
      { preferHttp: true },
    );
    expect(d.route).toBe('s3');
    expect(d.warnings.join()).toMatch(/preferHttp/);
  });

  it('an unknown region never matches: cross-region rules apply with REGION_UNKNOWN', () => {
    const d = route({
      data: data(),
      environment: { cloud: 'aws', source: 'env:AWS_EXECUTION_ENV' },
      bucket: { bucket: 'b', region: 'us-west-2', regionSource: 'option' },
      credentials: { available: false },
    });
    expect(d.route).toBe('http');
    expect(d.reasons.map((r) => r.code)).toEqual(['CROSS_REGION_ANONYMOUS', 'REGION_UNKNOWN']);
  });

  it('a platform locked to another region does not count', () => {
    const d = route({
      data: data(),
      environment: { ...inWest, platform: { name: 'hub', regionLocked: 'us-east-1' } },
      bucket: { bucket: 'b', region: 'us-east-1', regionSource: 'option' },
      credentials: { available: true, source: 'env' },
    });
    expect(d.reasons[0]!.code).toBe('CROSS_REGION_NOT_ALLOWED');
  });

  it('same region on a requester-pays bucket needs credentials and allowRequesterPays', () => {
    const facts: RouteFacts = {
      data: data(),
      environment: inWest,
      bucket: {
        bucket: 'b',
        region: 'us-west-2',
        regionSource: 'option',
        requesterPays: true,
        requesterPaysSource: 'option',
      },
      credentials: { available: true, source: 'env' },
    };
    expect(route(facts).reasons[0]!.code).toBe('REQUESTER_PAYS_NOT_ALLOWED');
    const paid = route(facts, { allowRequesterPays: true });
    expect(paid).toMatchObject({ route: 's3', requesterPays: true, metered: true, egress: 'same-region' });
  });

  it('no mirror: outside AWS reads S3 over the internet (metered, warned); a forbidden cross-region read is refused', () => {
    const outside = route({
      data: data(false),
      environment: { cloud: 'none', source: 'option' },
      bucket: { bucket: 'b', regionSource: 'unknown' },
      credentials: { available: false },
    });
    expect(outside).toMatchObject({ route: 's3', egress: 'internet', metered: true });
    expect(outside.reasons.map((r) => r.code)).toEqual(['USER_NOT_IN_CLOUD', 'NO_HTTP_MIRROR']);
    expect(outside.warnings.join()).toMatch(/over the internet/);

    const facts: RouteFacts = {
      data: data(false),
      environment: inWest,
      bucket: { bucket: 'b', region: 'eu-west-1', regionSource: 'option' },
      credentials: { available: true, source: 'env' },
    };
    expect(() => route(facts)).toThrow(RouteRefusedError);
    const trace = explainFacts(facts);
    expect(trace.refused?.reasons.map((r) => r.code)).toEqual(['CROSS_REGION_NOT_ALLOWED', 'NO_HTTP_MIRROR']);
  });

  it('a requester-pays bucket with no mirror and no credentials is refused', () => {
    expect(() =>
      route({
        data: data(false),
        environment: { cloud: 'none', source: 'option' },
        bucket: { bucket: 'b', regionSource: 'unknown', requesterPays: true },
        credentials: { available: false },
      }),
    ).toThrow(/requester pays and no AWS credentials/);
  });

  it('a mirror URL maps back to S3 and is read from S3 in the same region', () => {
    const locator = new StaticDataLocator({
      mirrors: [{ s3: 's3://survey-data/', http: 'https://mirror.example/survey/' }],
    });
    const location = locator.locate({ scheme: 'https', bucket: 'mirror.example', key: 'survey/a b.fits' });
    const d = route({
      data: location,
      environment: inWest,
      bucket: { bucket: 'survey-data', region: 'us-west-2', regionSource: 'option' },
    });
    expect(d).toMatchObject({
      route: 's3',
      uri: 's3://survey-data/a b.fits',
      fallback: { uri: 'https://mirror.example/survey/a%20b.fits' },
    });
  });

  it('rejects bad policies and unroutable schemes with InvalidArgumentError', async () => {
    expect(() => route({ data: data() }, { downloadCap: -1 })).toThrow(InvalidArgumentError);
    expect(() => route({ data: data() }, { capMode: 'sometimes' as never })).toThrow(/capMode/);
    await expect(new S3Router().decide('mem://ns/key')).rejects.toThrow(/Only s3:\/\/ and http\(s\):\/\//);
  });
});

describe('explainRoute', () => {
  it('lists every rule with its facts, the decision and the warnings, without secrets', async () => {
    const { options } = probes(WEST, withKeys, EAST_BUCKET);
    const router = new S3Router(options);
    const explanation = await router.explainRoute('s3://survey-data/obs/a.fits');
    expect(explanation.steps.map((s) => s.outcome)).toEqual([
      'no match',
      'no match',
      'no match',
      'no match',
      'no match',
      'no match',
      'no match',
      'no match',
      'matched',
    ]);
    const text = formatRouteExplanation(explanation);
    expect(text).toMatch(
      /SAME_REGION\s+no match: running in us-west-2 \(imds\) and bucket survey-data is in us-east-1 \(metadata\)/,
    );
    expect(text).toMatch(
      /→ http https:\/\/mirror.example\/survey\/obs\/a.fits {2}\[CROSS_REGION_NOT_ALLOWED\]/,
    );
    expect(text).toMatch(/warning: .*cross-region S3 reads/);
    expect(text).not.toContain(KEYS.secretAccessKey);
    expect(text).not.toContain(KEYS.accessKeyId);
  });

  it('shows a refusal instead of throwing', async () => {
    const router = new S3Router({
      environment: { probe: async () => WEST },
      locator: new StaticDataLocator({ buckets: EAST_BUCKET }),
      credentials: credentialAvailability(withKeys),
    });
    const explanation = await router.explainRoute('s3://survey-data/x');
    expect(explanation.decision).toBeUndefined();
    expect(explanation.refused?.code).toBe('PermissionDenied');
    expect(formatRouteExplanation(explanation)).toMatch(/refused: No allowed route to s3:\/\/survey-data\/x/);
    await expect(router.decide('s3://survey-data/x')).rejects.toBeInstanceOf(RouteRefusedError);
  });
});
