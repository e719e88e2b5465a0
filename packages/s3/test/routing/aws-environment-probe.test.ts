import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsEnvironmentProbe, fetchImdsRegion } from '../../src/index.js';

/** A tiny instance-metadata stand-in: IMDSv2 token, optional IMDSv1, region, and fault modes. */
interface ImdsBehaviour {
  token: 'ok' | 405 | 403 | 'hang';
  region: string;
  v1: boolean;
}
const behaviour: ImdsBehaviour = { token: 'ok', region: 'us-west-2', v1: true };
const seen: string[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push(`${req.method} ${req.url} ${req.headers['x-aws-ec2-metadata-token'] ? 'token' : 'no-token'}`);
  if (req.method === 'PUT' && req.url === '/latest/api/token') {
    if (req.headers['x-aws-ec2-metadata-token-ttl-seconds'] !== '21600') return void res.writeHead(400).end();
    if (behaviour.token === 'hang') return; // never answers
    if (behaviour.token !== 'ok') return void res.writeHead(behaviour.token).end();
    return void res.writeHead(200).end('TOKEN-abc');
  }
  if (req.method === 'GET' && req.url === '/latest/meta-data/placement/region') {
    const hasToken = req.headers['x-aws-ec2-metadata-token'] === 'TOKEN-abc';
    if (!hasToken && !behaviour.v1) return void res.writeHead(401).end();
    return void res.writeHead(200).end(behaviour.region);
  }
  res.writeHead(404).end();
}

let imds: Server;
let blackhole: ReturnType<typeof createTcpServer>;
const sockets = new Set<Socket>();
let endpoint = '';
let silentEndpoint = '';
let closedEndpoint = '';

beforeAll(async () => {
  imds = createServer(handle);
  imds.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => imds.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(imds.address() as AddressInfo).port}`;
  // Accepts connections and never answers: an unreachable metadata service behind a firewall.
  blackhole = createTcpServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  silentEndpoint = `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`;
  const closed = createTcpServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  closedEndpoint = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((r) => closed.close(() => r()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => imds.close(() => r()));
  await new Promise<void>((r) => blackhole.close(() => r()));
});

const reset = (b: Partial<ImdsBehaviour> = {}) => {
  Object.assign(behaviour, { token: 'ok', region: 'us-west-2', v1: true }, b);
  seen.length = 0;
};

describe('IMDS region probe against a local instance-metadata stand-in', () => {
  it('uses an IMDSv2 token, then placement/region', async () => {
    reset();
    const answer = await fetchImdsRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint });
    expect(answer).toMatchObject({ cloud: 'aws', region: 'us-west-2' });
    expect(seen).toEqual(['PUT /latest/api/token no-token', 'GET /latest/meta-data/placement/region token']);
  });

  it.each([405, 403] as const)('falls back to IMDSv1 when the token request answers %i', async (status) => {
    reset({ token: status, region: 'eu-central-1' });
    const answer = await fetchImdsRegion({}, { endpoint });
    expect(answer).toMatchObject({ cloud: 'aws', region: 'eu-central-1' });
    expect(answer.detail).toMatch(`answered ${status}; using IMDSv1`);
    expect(seen[1]).toBe('GET /latest/meta-data/placement/region no-token');
  });

  it('a token request that hangs falls back to IMDSv1 within the same budget', async () => {
    reset({ token: 'hang', region: 'ap-south-1' });
    const started = Date.now();
    const answer = await fetchImdsRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint }, { timeoutMs: 400 });
    // The token timeout eats the whole budget, so IMDSv1 gets no time: unknown, within the timeout.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(answer.cloud).toBe('unknown');
  });

  it('an endpoint that never answers gives "unknown" within about the timeout', async () => {
    const started = Date.now();
    const answer = await fetchImdsRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: silentEndpoint });
    const elapsed = Date.now() - started;
    expect(answer.cloud).toBe('unknown');
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(1500);
  });

  it('a refused connection answers "none" at once', async () => {
    const started = Date.now();
    const answer = await fetchImdsRegion({ AWS_EC2_METADATA_SERVICE_ENDPOINT: closedEndpoint });
    expect(answer).toMatchObject({ cloud: 'none' });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('a garbage region body counts as in EC2 with an unknown region', async () => {
    reset({ region: '<html>login</html>' });
    const answer = await fetchImdsRegion({}, { endpoint });
    expect(answer.cloud).toBe('aws');
    expect(answer.region).toBeUndefined();
  });
});

describe('AwsEnvironmentProbe order', () => {
  it('an explicit option wins without any request', async () => {
    reset();
    const probe = new AwsEnvironmentProbe({
      region: 'us-east-2',
      env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint },
    });
    expect(await probe.probe()).toEqual({ cloud: 'aws', region: 'us-east-2', source: 'option' });
    expect(await new AwsEnvironmentProbe({ cloud: 'none' }).probe()).toMatchObject({
      cloud: 'none',
      source: 'option',
    });
    expect(seen).toEqual([]);
  });

  it('STOWAGE_CLOUD / STOWAGE_REGION override what follows', async () => {
    expect(
      await new AwsEnvironmentProbe({
        env: { STOWAGE_REGION: 'eu-west-1', AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' },
      }).probe(),
    ).toMatchObject({
      region: 'eu-west-1',
      source: 'env:STOWAGE_REGION',
    });
    expect(await new AwsEnvironmentProbe({ env: { STOWAGE_CLOUD: 'none' } }).probe()).toMatchObject({
      cloud: 'none',
    });
  });

  it.each([
    [
      { AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE', AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-west-1' },
      'us-west-2',
      'env:AWS_EXECUTION_ENV',
    ],
    [
      { AWS_EXECUTION_ENV: 'CloudShell', AWS_DEFAULT_REGION: 'eu-west-1' },
      'eu-west-1',
      'env:AWS_EXECUTION_ENV',
    ],
    [
      { ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x', AWS_REGION: 'ca-central-1' },
      'ca-central-1',
      'env:ECS',
    ],
    [{ AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_REGION: 'sa-east-1' }, 'sa-east-1', 'env:LAMBDA'],
  ])('execution markers with AWS_REGION ?? AWS_DEFAULT_REGION: %o', async (env, region, source) => {
    reset();
    const facts = await new AwsEnvironmentProbe({
      env: { ...env, AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint },
    }).probe();
    expect(facts).toEqual({ cloud: 'aws', region, source });
    expect(seen).toEqual([]);
  });

  it('AWS_REGION without an execution marker is not "in AWS": IMDS decides', async () => {
    reset({ region: 'us-east-1' });
    const facts = await new AwsEnvironmentProbe({
      env: { AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint },
    }).probe();
    expect(facts).toMatchObject({ cloud: 'aws', region: 'us-east-1', source: 'imds' });
  });

  it('AWS_EC2_METADATA_DISABLED skips IMDS', async () => {
    reset();
    const facts = await new AwsEnvironmentProbe({
      env: { AWS_EC2_METADATA_DISABLED: 'TRUE', AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint },
    }).probe();
    expect(facts).toMatchObject({ cloud: 'none', source: 'env:AWS_EC2_METADATA_DISABLED' });
    expect(seen).toEqual([]);
    const marker = await new AwsEnvironmentProbe({
      env: { AWS_EXECUTION_ENV: 'x', AWS_EC2_METADATA_DISABLED: 'true' },
    }).probe();
    expect(marker.cloud).toBe('aws');
    expect(marker.region).toBeUndefined();
  });

  it('probes lazily, once, and attaches the platform account', async () => {
    reset();
    const probe = new AwsEnvironmentProbe({
      env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint },
      platform: { name: 'hub' },
    });
    expect(seen).toEqual([]);
    const [a, b] = await Promise.all([probe.probe(), probe.probe()]);
    await probe.probe();
    expect(a).toBe(b);
    expect(a).toMatchObject({ cloud: 'aws', region: 'us-west-2', platform: { name: 'hub' } });
    expect(seen).toHaveLength(2);
  });
});
